import path from 'node:path';
import { APP_PACKAGE_DIR, buildAppPackage, toolkitEnv } from './appPackage';

/**
 * `npm run package [-- --env <name>]`: appPackage/build/appPackage.zip for sideloading, with the
 * placeholders filled from env/.env.<name> (default: dev) and the process environment.
 */

async function main(): Promise<void> {
  const at = process.argv.indexOf('--env');
  const name = at >= 0 ? process.argv[at + 1] : (process.env.TEAMSFX_ENV ?? 'dev');
  if (!name || !/^[A-Za-z0-9_-]+$/.test(name)) throw new Error('--env needs an environment name, e.g. --env dev');
  const built = await buildAppPackage(toolkitEnv(name), path.join(APP_PACKAGE_DIR, 'build', 'appPackage.zip'));
  process.stdout.write(
    `App package for "${name}": ${path.relative(process.cwd(), built.zipPath)} (${built.bytes} bytes; ${built.files.join(', ')}); manifest ${built.manifest.manifestVersion} valid.\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
