import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { answers, freePort, ROOT, waitUntil } from '../helpers/processes';

/**
 * The whole product as `npm start` runs it: sandbox tenant, bot and Agents Playground, each on a
 * free port, with fresh state. One process group, so stopping it stops every child.
 */

export interface Stack {
  botUrl: string;
  sandboxUrl: string;
  playgroundUrl: string;
  logFile: string;
  stop(): Promise<void>;
}

/** Process groups started and not yet stopped: stopped by stopStarted() even while still starting. */
const started = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Stops every stack this process started, at once (for a time limit or a signal). */
export function stopStarted(): void {
  for (const pid of started) killGroup(pid, 'SIGKILL');
  started.clear();
}

export async function startStack(artifacts: string, env: Record<string, string> = {}): Promise<Stack> {
  const [botPort, sandboxPort, playgroundPort] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bc-setup-e2e-'));
  mkdirSync(artifacts, { recursive: true });
  const logFile = path.join(artifacts, 'stack.log');
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: ROOT, // the Playground reads .m365agentsplayground.yml from here
    detached: true,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      MODE: 'sandbox',
      HOST: '127.0.0.1',
      PORT: String(botPort),
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_STATE_FILE: path.join(dir, 'sandbox.json'),
      STATE_DIR: path.join(dir, 'state'),
      PLAYGROUND: 'true',
      PLAYGROUND_PORT: String(playgroundPort),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child.pid!);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);

  const stack: Stack = {
    botUrl: `http://127.0.0.1:${botPort}`,
    sandboxUrl: `http://127.0.0.1:${sandboxPort}`,
    playgroundUrl: `http://localhost:${playgroundPort}`,
    logFile,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        killGroup(child.pid!, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      // Children the entry point started (sandbox, Playground) share the group.
      killGroup(child.pid!, 'SIGKILL');
      started.delete(child.pid!);
      log.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };

  const up = await waitUntil(
    async () => {
      if (child.exitCode !== null) return true;
      return (await answers(`${stack.botUrl}/healthz`)) && (await answers(`${stack.sandboxUrl}/healthz`)) && (await answers(stack.playgroundUrl));
    },
    90,
    250,
  );
  if (!up || child.exitCode !== null) {
    await stack.stop();
    throw new Error(`the stack did not start (exit code ${child.exitCode}); see ${logFile}`);
  }
  return stack;
}
