import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { loadConfig, type Config } from './config';
import { ConfigError } from './errors';
import { createLogger, type Logger } from './log';
import { startBot } from './main';

/**
 * Entry point. Tenant mode runs the bot alone. Sandbox mode also starts the sandbox tenant (its
 * own process, unless one already answers on its port, so tests can kill the bot while the tenant
 * lives on) and the Microsoft 365 Agents Playground. Ctrl-C stops all three.
 */

const ROOT = path.resolve(__dirname, '..');

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function waitFor(url: string, what: string, child: ChildProcess, seconds = 30): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    if (await answers(url)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not answer on ${url} within ${seconds} s`);
}

function tsxCli(): string {
  return require.resolve('tsx/cli');
}

async function startSandboxProcess(config: Config, logger: Logger, started: ChildProcess[]): Promise<ChildProcess | undefined> {
  const sandbox = config.sandbox!;
  if (await answers(`${sandbox.url}/healthz`)) {
    logger.info({ url: sandbox.url }, 'using the sandbox tenant already running');
    return undefined;
  }
  const child = spawn(process.execPath, [tsxCli(), path.join(ROOT, 'src/sandbox/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      SANDBOX_PORT: String(sandbox.port),
      SANDBOX_STATE_FILE: sandbox.stateFile,
      SANDBOX_LANGUAGE: sandbox.language,
      SANDBOX_SYNTHETIC_SALESPEOPLE: String(sandbox.syntheticSalespeople),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // Known before it answers: a sandbox that never comes up is stopped with the rest.
  started.push(child);
  await waitFor(`${sandbox.url}/healthz`, 'The sandbox tenant', child);
  logger.info({ url: sandbox.url }, 'sandbox tenant started');
  return child;
}

function startPlayground(config: Config, botPort: number, logger: Logger): ChildProcess {
  const port = config.sandbox!.playgroundPort;
  const child = spawn(
    process.execPath,
    [require.resolve('@microsoft/m365agentsplayground/cli.js'), 'start', '--app-endpoint', `http://127.0.0.1:${botPort}/api/messages`, '--port', String(port), '--channel-id', 'msteams', '--disable-telemetry'],
    { cwd: ROOT, env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none' }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  child.on('exit', (code, signal) => {
    if (signal !== 'SIGTERM') logger.error({ code, signal }, 'the Agents Playground stopped; check .m365agentsplayground.yml');
  });
  logger.info({ url: `http://localhost:${port}` }, 'Agents Playground: open this URL to chat with the bot');
  return child;
}

/** Stops the children this process started: SIGTERM, then SIGKILL after `graceMs`. */
async function stopChildren(children: ChildProcess[], graceMs = 5000): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/** Children started so far, so that a failed start (or a crash) stops them too. */
const children: ChildProcess[] = [];

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  const botOnly = process.argv.includes('--bot-only');
  // A signal during start-up stops what has started so far, too.
  let bot: Awaited<ReturnType<typeof startBot>> | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await Promise.all([stopChildren(children), bot?.close()]);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  if (config.mode === 'sandbox' && !botOnly) {
    await startSandboxProcess(config, logger, children);
  }
  bot = await startBot(config, logger);
  if (config.mode === 'sandbox' && !botOnly && config.sandbox!.playground) {
    children.push(startPlayground(config, bot.port, logger));
    process.stdout.write(`\n  Chat with the bot: http://localhost:${config.sandbox!.playgroundPort}\n\n`);
  }
}

main().catch(async (error: unknown) => {
  process.stderr.write(`Start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await stopChildren(children);
  process.exit(1);
});

// A crash later on stops the children too, rather than leaving them running without the bot.
process.on('uncaughtException', (error) => {
  process.stderr.write(`Stopped by an unexpected error: ${error.message}\n`);
  void stopChildren(children).finally(() => process.exit(1));
});
