import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type SandboxHandle } from '../../src/sandbox';
import { FakeConnector } from './teams';

/** Child processes for tests: Azurite, bot instances. Loopback only, random free ports, bounded waits. */

export const ROOT = path.resolve(__dirname, '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export async function waitUntil(check: () => Promise<boolean> | boolean, seconds: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}

export async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

/** Stops a child and waits for it (SIGTERM, then SIGKILL after a grace period). */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Azurite's well-known development account (public, documented; not a secret). */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  connectionString: string;
  stop(): Promise<void>;
}

/**
 * Azurite's blob service from npm, in memory, on a free loopback port. The API version check is
 * skipped: @azure/storage-blob may speak a newer service version than this Azurite knows.
 */
export async function startAzurite(): Promise<Azurite> {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'azurite-'));
  const main = require.resolve('azurite/dist/src/blob/main.js');
  const child = spawn(
    process.execPath,
    [main, '--silent', '--inMemoryPersistence', '--blobHost', '127.0.0.1', '--blobPort', '0', '--disableTelemetry', '--skipApiVersionCheck'],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Azurite did not start within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with code ${code}:\n${output}`));
    });
  });
  child.stdout.resume();
  child.stderr.resume();
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};BlobEndpoint=http://127.0.0.1:${port}/${DEV_ACCOUNT};`,
    async stop() {
      await stopProcess(child);
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

export interface BotProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** The instance id it holds run leases under (shared storage only). */
  instance?: string;
  /** Everything the process wrote (pino JSON lines and anything else). */
  output(): string;
  /** Parsed JSON log lines with this message. */
  logs(msg: string): Record<string, any>[];
  stop(): Promise<void>;
}

/**
 * `src/index.ts --bot-only` with tsx on a free port, in one process (`node --import tsx`, not the
 * tsx CLI, which would run the bot in a grandchild that a SIGKILL of the child leaves behind).
 */
export async function startBotProcess(env: Record<string, string>): Promise<BotProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts', '--bot-only'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), HOST: '127.0.0.1', PORT: String(port), PLAYGROUND: 'false', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const up = await waitUntil(async () => child.exitCode === null && (await answers(`${url}/healthz`)), 60, 200);
  if (!up) {
    child.kill('SIGKILL');
    throw new Error(`the bot did not start on ${url}:\n${output}`);
  }
  const logs = (msg: string) =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, any>;
        } catch {
          return {};
        }
      })
      .filter((entry) => entry.msg === msg);
  return {
    child,
    pid: child.pid!,
    url,
    instance: logs('shared state on Azure Blob Storage')[0]?.instance,
    output: () => output,
    logs,
    stop: () => stopProcess(child),
  };
}

/**
 * Several bot processes on shared state: Azurite, one sandbox tenant, the Teams side (a fake
 * connector) and a state directory; `stop` ends every bot the test started and all of these.
 */
export interface Cluster {
  azurite: Azurite;
  sandbox: SandboxHandle;
  connector: FakeConnector;
  stateDir: string;
  bots: BotProcess[];
  stop(): Promise<void>;
}

export async function startCluster(settings: Record<string, unknown>, prefix: string): Promise<Cluster> {
  const [azurite, sandbox] = await Promise.all([startAzurite(), startSandbox({ port: 0, stateFile: null, settings: settings })]);
  const connector = new FakeConnector();
  await connector.start();
  const stateDir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const bots: BotProcess[] = [];
  return {
    azurite,
    sandbox,
    connector,
    stateDir,
    bots,
    async stop() {
      await Promise.all(bots.map((bot) => bot.stop()));
      await connector.stop();
      await sandbox.close();
      await azurite.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
