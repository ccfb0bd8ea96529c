import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { authFor } from './helpers';

const root = path.resolve(__dirname, '../..');

describe('sandbox CLI (src/sandbox/main.ts)', () => {
  it('logs one JSON line with its URL, serves, and stops cleanly on SIGTERM with the state on disk', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-cli-'));
    const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'src/sandbox/main.ts')], {
      cwd: dir,
      env: { ...process.env, SANDBOX_PORT: '0', SANDBOX_SYNTHETIC_SALESPEOPLE: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const nl = out.indexOf('\n');
          if (nl >= 0) resolve(out.slice(0, nl));
        });
        child.on('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      const log = JSON.parse(line);
      expect(log.msg).toBe('sandbox tenant listening');
      expect(log.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const AUTH = await authFor(log.url, '/graph');
      const res = await fetch(`${log.url}/graph/v1.0/users?$select=id&$top=1`, { headers: AUTH });
      expect(res.status).toBe(200);
      await fetch(`${log.url}/graph/v1.0/users/per.olsen@contoso.no`, {
        method: 'PATCH',
        headers: { ...AUTH, 'Content-Type': 'application/json' },
        body: JSON.stringify({ jobTitle: 'Lagersjef' }),
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const state = JSON.parse(fs.readFileSync(path.join(dir, '.sandbox/state.json'), 'utf8'));
      expect(state.graph.users.find((u: any) => u.userPrincipalName === 'per.olsen@contoso.no').jobTitle).toBe('Lagersjef');
      expect(state.bc.environments[0].companies[0].salespeople).toHaveLength(14);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
