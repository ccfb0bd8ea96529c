import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { VARIANTS } from './flows';
import type { FlowContext, TenantVariant } from './flows/types';
import { launchBrowser, Playground } from './playground';
import { startStack, stopStarted, type Stack } from './stack';

/**
 * `npm run test:e2e`: the product as `npm start` runs it, the Agents Playground in headless
 * Chromium, and the flows in flows/ one after the other. Screenshots, page HTML and the stack's
 * log go to test/e2e/artifacts/ when a flow fails. Ends with one PASS or FAIL line; exits
 * non-zero on failure or when the whole run exceeds its time limit.
 */

const ARTIFACTS = path.resolve(__dirname, 'artifacts');
const LIMIT_MS = Number(process.env.E2E_LIMIT_MS ?? 8 * 60_000);
const started = Date.now();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const say = (line: string) => process.stdout.write(`${line}\n`);

let stack: Stack | undefined;
let browser: BrowserContext | undefined;
let userDataDir: string | undefined;

async function cleanUp(): Promise<void> {
  await browser?.close().catch(() => undefined);
  await stack?.stop().catch(() => undefined);
  stopStarted();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
}

function finish(passed: boolean, summary: string): never {
  say(`\nE2E ${passed ? 'PASSED' : 'FAILED'}: ${summary} (${seconds(Date.now() - started)})`);
  process.exit(passed ? 0 : 1);
}

async function saveFailure(playground: Playground | undefined, name: string): Promise<string[]> {
  const base = path.join(ARTIFACTS, name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase());
  const saved: string[] = [];
  if (playground) {
    await playground.page.screenshot({ path: `${base}.png`, fullPage: true }).then(() => saved.push(`${base}.png`), () => undefined);
    await playground.page.content().then((html) => {
      writeFileSync(`${base}.html`, html);
      saved.push(`${base}.html`);
    }, () => undefined);
  }
  if (stack) saved.push(stack.logFile);
  return saved;
}

async function startVariant(tenant: TenantVariant): Promise<Playground> {
  let playground: Playground | undefined;
  try {
    say(`Starting the sandbox tenant (${tenant.name}), the bot and the Agents Playground …`);
    stack = await startStack(ARTIFACTS, { SANDBOX_LANGUAGE: tenant.language });
    say(`  bot ${stack.botUrl}, sandbox ${stack.sandboxUrl}, Playground ${stack.playgroundUrl} (${seconds(Date.now() - started)})`);
    // The variant's seed, and quicker background sync in the sandbox tenant than its defaults.
    const reset = await fetch(`${stack.sandboxUrl}/_sandbox/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        seed: { language: tenant.language, ...(tenant.securityGroup ? { environmentSecurityGroup: true } : {}), ...(tenant.groupLicensing ? { groupBasedLicensing: true } : {}) },
        settings: { syncDelayMs: 300, licensePropagationMs: 300, groupLicenseDelayMs: 1000 },
      }),
    });
    if (!reset.ok) throw new Error(`the sandbox refused the seed: ${reset.status} ${await reset.text()}`);
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'bc-setup-chromium-'));
    browser = await launchBrowser(userDataDir);
    playground = new Playground(browser.pages()[0] ?? (await browser.newPage()));
    await playground.open(stack.playgroundUrl);
    say(`  Playground open in Chromium (${seconds(Date.now() - started)})\n`);
    return playground;
  } catch (error) {
    const saved = await saveFailure(playground, `start ${tenant.name}`);
    say(`Could not start: ${(error as Error).message}${saved.length ? `\n  saved: ${saved.join(', ')}` : ''}`);
    await cleanUp();
    finish(false, 'the stack or the browser did not start');
  }
}

async function main(): Promise<void> {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const limit = setTimeout(() => {
    say(`\nThe run exceeded ${seconds(LIMIT_MS)}.`);
    void cleanUp().finally(() => finish(false, `time limit of ${seconds(LIMIT_MS)} exceeded`));
  }, LIMIT_MS);
  limit.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => finish(false, `stopped by ${signal}`)));

  const total = VARIANTS.reduce((n, v) => n + v.flows.length, 0);
  let passed = 0;
  for (const { tenant, flows } of VARIANTS) {
    const playground = await startVariant(tenant);
    const context: FlowContext = { playground, tenant, sandboxUrl: stack!.sandboxUrl, botUrl: stack!.botUrl, note: (line) => say(`    ${line}`) };
    for (const flow of flows) {
      const flowStarted = Date.now();
      const name = `${flow.name} (${tenant.name})`;
      try {
        await flow.run(context);
        passed++;
        say(`  ✓ ${name} (${seconds(Date.now() - flowStarted)})`);
      } catch (error) {
        say(`  ✗ ${name} (${seconds(Date.now() - flowStarted)})\n    ${(error as Error).message.split('\n').join('\n    ')}`);
        const saved = await saveFailure(playground, name);
        say(`    saved: ${saved.join(', ')}`);
        const log = readFileSync(stack!.logFile, 'utf8').trim().split('\n').slice(-15);
        say(`    last lines of the stack's log:\n      ${log.join('\n      ')}`);
        const skipped = flows.slice(flows.indexOf(flow) + 1).map((f) => f.name);
        if (skipped.length) say(`  - not run (they start where this one ends): ${skipped.join('; ')}`);
        await cleanUp();
        finish(false, `${passed} of ${total} flows passed; "${name}" failed`);
      }
    }
    await cleanUp();
    browser = undefined;
    stack = undefined;
    userDataDir = undefined;
  }
  finish(true, `${passed} of ${total} flows`);
}

main().catch(async (error: unknown) => {
  say(`Unexpected error: ${error instanceof Error ? error.stack : String(error)}`);
  await cleanUp();
  finish(false, 'unexpected error');
});
