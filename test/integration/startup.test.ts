import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const TSX = require.resolve('tsx/cli');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => Promise<boolean>, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe('the start command', () => {
  it('in tenant mode with a missing setting, stops at once and names it', async () => {
    const child = spawn(process.execPath, [TSX, 'src/index.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, MODE: 'tenant', TENANT_ID: '11111111-2222-3333-4444-555555555555' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('AZURE_CREDENTIAL: is required but not set');
    expect(stderr).toContain('BOT_APP_ID: is required but not set');
    // The environments are optional defaults (chosen from the tenant's lists without them).
    expect(stderr).not.toContain('DATAVERSE_URL');
    expect(stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  }, 60_000);

  it('in sandbox mode starts the sandbox tenant and the bot; SIGTERM stops both', async () => {
    const [botPort, sandboxPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bc-setup-start-'));
    const child = spawn(process.execPath, [TSX, 'src/index.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        PORT: String(botPort),
        SANDBOX_PORT: String(sandboxPort),
        SANDBOX_STATE_FILE: path.join(dir, 'state.json'),
        STATE_DIR: dir,
        PLAYGROUND: 'false',
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    try {
      expect(await waitUntil(() => answers(`http://127.0.0.1:${botPort}/healthz`), 30)).toBe(true);
      expect(await answers(`http://127.0.0.1:${sandboxPort}/healthz`)).toBe(true);
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
      expect(await waitUntil(async () => !(await answers(`http://127.0.0.1:${sandboxPort}/healthz`)), 10)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
