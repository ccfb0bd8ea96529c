/**
 * Runs the sandbox tenant as its own process: `tsx src/sandbox/main.ts`.
 * Environment: SANDBOX_PORT (3979), SANDBOX_LANGUAGE (en; nb: a Norwegian environment),
 * SANDBOX_STATE_FILE (.sandbox/state.json; .sandbox/state.nb.json for nb),
 * SANDBOX_SYNTHETIC_SALESPEOPLE (0), SANDBOX_MAX_NON_INTERACTIVE_USERS (7: the environment's
 * published MaxNumberOfNonInteractiveUsers; 'none' publishes none), SANDBOX_RECORD_FILE (unset:
 * every service request is appended to this JSON Lines file, see recorder.ts),
 * SANDBOX_GROUP_LICENSING (unset; 1: the tenant has Microsoft Entra ID P1, seed option
 * groupBasedLicensing), SANDBOX_GROUP_LICENSE_DELAY_MS (3000: the setting groupLicenseDelayMs).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startSandbox } from './index';
import { defaultStateFile, parseSeedLanguage } from './settings';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got '${raw}'.`);
  return n;
}

async function main(): Promise<void> {
  const port = intFromEnv('SANDBOX_PORT', 3979);
  const language = parseSeedLanguage(process.env.SANDBOX_LANGUAGE);
  const stateFile = path.resolve(process.cwd(), process.env.SANDBOX_STATE_FILE || defaultStateFile(language));
  fs.mkdirSync(path.dirname(stateFile), { recursive: true });
  const synthetic = intFromEnv('SANDBOX_SYNTHETIC_SALESPEOPLE', 0);
  const rawLimit = process.env.SANDBOX_MAX_NON_INTERACTIVE_USERS;
  const maxNonInteractiveUsers = rawLimit === 'none' ? null : intFromEnv('SANDBOX_MAX_NON_INTERACTIVE_USERS', 7);
  const recordFile = process.env.SANDBOX_RECORD_FILE ? path.resolve(process.cwd(), process.env.SANDBOX_RECORD_FILE) : undefined;
  const groupBasedLicensing = ['1', 'true'].includes((process.env.SANDBOX_GROUP_LICENSING ?? '').toLowerCase());
  const groupLicenseDelayMs = intFromEnv('SANDBOX_GROUP_LICENSE_DELAY_MS', 3000);
  const handle = await startSandbox({
    port,
    stateFile,
    seed: { syntheticSalespeople: synthetic, maxNonInteractiveUsers, language, ...(groupBasedLicensing ? { groupBasedLicensing } : {}) },
    settings: { groupLicenseDelayMs },
    record: recordFile ? { file: recordFile } : undefined,
  });
  process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: 'sandbox tenant listening', url: handle.url, stateFile, language })}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void handle.close().then(() => {
      process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: 'sandbox tenant stopped', signal })}\n`);
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'sandbox tenant failed to start', error: (err as Error).message })}\n`);
  process.exit(1);
});
