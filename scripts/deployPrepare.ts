import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm run deploy:prepare`: .deployment/app, what the App Service runs — the sources, the card
 * templates and production dependencies only (tsx runs the TypeScript as `npm start` does
 * locally). m365agents.yml zip-deploys this folder. No env files: the App Service's settings are
 * the configuration.
 */

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, '.deployment', 'app');

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'cards']) {
  cpSync(path.join(ROOT, entry), path.join(OUT, entry), { recursive: true });
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
execFileSync(npm, ['ci', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: OUT, stdio: 'inherit' });
process.stdout.write(`Deployment assembled in ${path.relative(process.cwd(), OUT)}\n`);
