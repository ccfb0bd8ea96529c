/**
 * `npm run bench`: provisioning at N = 1,000, 5,000 and 20,000 against the sandbox tenant with 50 ms
 * latency and the documented service limits, per user and (where the tenant allows it) through a
 * licence group; a naive baseline at N = 100; what an admin feels with 5,000 salespeople in view
 * (the plan card, and card actions under 10 concurrent admins) and the bot's peak RSS; bot turns
 * beside a bare echo bot as a side note. Writes bench/results.json and bench/results.md.
 *
 * One run, laid out for the machine's 2 cores: the smallest sizes (CPU-bound) first, alone; then the
 * largest (N = 20,000, bound by Graph's write quota for half an hour or more) each against its own
 * sandbox tenant, beside the middle sizes and the naive baseline; the cards and bot turns last, alone.
 *
 *   BENCH_SIZES=1000,5000 BENCH_MODES=perUser BENCH_CARD_N=5000 npm run bench   (a shorter run)
 *   BENCH_SIZES=20000 BENCH_PROVISION_ONLY=/tmp/big.json npm run bench          (a part, beside another run)
 *   BENCH_RENDER=/tmp/whole.json,/tmp/big.json npm run bench                     (the two as one results.md)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { SEED } from '../src/sandbox';
import { measureCards } from './cards';
import { lowerBound, minRequests, type BenchSettings, type LicensingMode } from './model';
import type { ProvisionResult } from './provision';
import { renderMarkdown, type Results } from './report';

const ROOT = path.resolve(__dirname, '..');
const SIZES = (process.env.BENCH_SIZES ?? '1000,5000,20000').split(',').map(Number);
const MODES = (process.env.BENCH_MODES ?? 'perUser,group').split(',') as LicensingMode[];
const CARD_N = Number(process.env.BENCH_CARD_N ?? 5000);
const CARD_ADMINS = Number(process.env.BENCH_CARD_ADMINS ?? 10);
const CARD_ROUNDS = Number(process.env.BENCH_CARD_ROUNDS ?? 3);
/** Measure the provisioning sizes only and save them to this file (a part of a run, see BENCH_RENDER). */
const PROVISION_ONLY = process.env.BENCH_PROVISION_ONLY;
const NAIVE_N = Number(process.env.BENCH_NAIVE_N ?? 100);
/** Sizes from this up each run against their own sandbox, beside the rest of the run. */
const BESIDE_FROM = Number(process.env.BENCH_BESIDE_FROM ?? 20000);
/** Sizes up to this are measured first, with nothing else running. */
const ALONE_UP_TO = Number(process.env.BENCH_ALONE_UP_TO ?? 1000);
const AUTOCANNON = { connections: 10, duration: Number(process.env.BENCH_BOT_SECONDS ?? 10) };

/** What the sandbox is set to: 50 ms per request, the documented limits, sync delays (model.ts). */
export const SETTINGS: BenchSettings = {
  latencyMs: 50,
  syncDelayMs: 1000,
  licensePropagationMs: 500,
  groupLicenseDelayMs: 2000,
  limits: {
    // Graph: the write quota, and the resource-unit quota of a large tenant (over 500 users) for reads.
    graph: { requests: 3000, windowMs: 150_000, reads: { requests: 8000, windowMs: 10_000 } },
    dataverse: { requests: 6000, windowMs: 300_000, concurrent: 20 },
    bap: null,
    bc: { requests: 6000, windowMs: 300_000, concurrent: 100 },
  },
};

const children: ChildProcess[] = [];

function startChild(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{') && l.includes('"url"'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, url: JSON.parse(line).url });
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

function runChild(script: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} exited with ${code}`))));
  });
}

/** Peak resident set of a process (Linux: VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : NaN;
}

async function control(url: string, method: string, route: string, body?: unknown): Promise<any> {
  const response = await fetch(`${url}/_sandbox/${route}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function provision(sandboxUrl: string, n: number, mode: 'bulk' | 'naive', licensing: LicensingMode = 'perUser') {
  await control(sandboxUrl, 'POST', 'reset', { seed: { syntheticSalespeople: n, ...(licensing === 'group' ? { groupBasedLicensing: true, groupLicensingSeats: n + 100 } : {}) }, settings: SETTINGS });
  const out = await runChild('bench/provision.ts', { SANDBOX_URL: sandboxUrl, N: String(n), MODE: mode, LICENSING: licensing });
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as ProvisionResult;
  const stats = await control(sandboxUrl, 'GET', 'stats');
  if (result.failed > 0 || result.status !== 'completed') throw new Error(`N=${n} ${mode}: ${result.failed} failed, status ${result.status}`);
  return { result, stats };
}

type Measured = { row: Results['provisioning'][number]; detail: Results['details']['sizes'][number] };

const label = (c: { n: number; licensing: LicensingMode }) => `${c.licensing === 'group' ? 'through a group' : 'per user'}, N = ${c.n.toLocaleString('en-GB')}`;

/** One provisioning size against one sandbox: the row of the table and its details. */
async function measure(sandboxUrl: string, n: number, licensing: LicensingMode): Promise<Measured> {
  const { result, stats } = await provision(sandboxUrl, n, 'bulk', licensing);
  const bound = lowerBound(n, SETTINGS, licensing);
  const minimum = minRequests(n, licensing);
  const requests = Object.values(stats.requests as Record<string, number>).reduce((a, b) => a + b, 0);
  process.stdout.write(`${licensing} N=${n}: ${result.wallMs} ms (bound ${bound.totalMs} ms), ${requests} requests (min ${minimum.total}), RSS ${result.peakRssMb} MB\n`);
  return {
    row: {
      n,
      mode: licensing,
      wallMs: result.wallMs,
      lowerBoundMs: bound.totalMs,
      ratio: Math.round((result.wallMs / bound.totalMs) * 100) / 100,
      requests,
      minRequests: minimum.total,
      peakRssMb: result.peakRssMb,
      waited: result.waited,
    },
    detail: { n, mode: licensing, perService: stats.requests, batchItems: stats.batchItems, throttled: stats.throttled, minPerService: minimum.perService, bound, actions: result.actions, progressReports: result.progressReports },
  };
}

/** A card action as Teams sends it: the admin picks English on the language card. */
function cardAction(serviceUrl: string) {
  return JSON.stringify({
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: 'bench-1',
    channelId: 'msteams',
    serviceUrl,
    locale: 'en-US',
    from: { id: '29:ingrid', name: SEED.admin.displayName, aadObjectId: SEED.admin.id },
    recipient: { id: '28:bot', name: 'BC Sales Setup' },
    conversation: { id: 'a:bench', conversationType: 'personal', tenantId: SEED.tenantId },
    channelData: { tenant: { id: SEED.tenantId } },
    value: { action: { type: 'Action.Execute', verb: 'language.set', data: { language: 'en' } }, trigger: 'manual' },
  });
}

async function load(url: string, body: string) {
  const probe = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const probeBody = await probe.text();
  if (probe.status !== 200 || !probeBody.includes('AdaptiveCard')) throw new Error(`${url} answered the card action with ${probe.status}: ${probeBody.slice(0, 200)}`);
  const result = await autocannon({ url: `${url}/api/messages`, method: 'POST', headers: { 'content-type': 'application/json' }, body, ...AUTOCANNON });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors under load`);
  return { rps: Math.round(result.requests.average * 10) / 10, p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

/** Where a bot would send activities; the card action is answered in the invoke response. */
async function startConnector(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"1"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return server;
}

async function main(): Promise<void> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'bc-setup-bench-bot-'));
  const connector = await startConnector();
  try {
    const sandbox = await startChild('bench/sandbox.ts', {});
    const provisioning: Results['provisioning'] = [];
    const details: Results['details'] = { sizes: [], settings: SETTINGS };
    const keep = ({ row, detail }: Measured) => {
      provisioning.push(row);
      details.sizes.push(detail);
    };
    const combos = MODES.flatMap((licensing) => SIZES.map((n) => ({ n, licensing })));
    const beside = combos.filter((c) => c.n >= BESIDE_FROM);
    const inTurn = combos.filter((c) => c.n < BESIDE_FROM).sort((a, b) => a.n - b.n);
    // The smallest sizes are CPU-bound: measured first, alone on the machine.
    const alone = inTurn.filter((c) => c.n <= ALONE_UP_TO);
    for (const c of alone) keep(await measure(sandbox.url, c.n, c.licensing));
    // The largest sizes are bound by the write quota for half an hour: each runs against its own
    // sandbox tenant (its own quota, as two tenants have), beside the rest.
    const sandboxRss: number[] = [];
    const besideRuns = beside.map(async (c) => {
      const own = await startChild('bench/sandbox.ts', {});
      try {
        return await measure(own.url, c.n, c.licensing);
      } finally {
        sandboxRss.push(peakRssMb(own.child.pid!));
        own.child.kill('SIGTERM');
      }
    });
    // Settled now, awaited below: a failure is reported after the rest, not as an unhandled rejection.
    const besideSettled = Promise.allSettled(besideRuns);
    for (const c of inTurn.filter((x) => !alone.includes(x))) keep(await measure(sandbox.url, c.n, c.licensing));
    if (PROVISION_ONLY) {
      for (const r of await besideSettled) if (r.status === 'fulfilled') keep(r.value); else throw r.reason;
      // A part of a run measured in another process: kept for BENCH_RENDER.
      writeFileSync(PROVISION_ONLY, `${JSON.stringify({ provisioning, details }, null, 1)}\n`);
      return;
    }
    const naiveRun = await provision(sandbox.url, NAIVE_N, 'naive');
    const naive = { n: NAIVE_N, wallMs: naiveRun.result.wallMs };
    details.naive = { perService: naiveRun.stats.requests };
    process.stdout.write(`naive N=${NAIVE_N}: ${naive.wallMs} ms\n`);
    // The product's own path at the naive baseline's size, for the speed-up.
    const atNaive = provisioning.find((p) => p.n === NAIVE_N && p.mode === 'perUser') ?? { wallMs: (await provision(sandbox.url, NAIVE_N, 'bulk')).result.wallMs };
    // The cards and the bot turns are CPU-bound: measured once the sizes beside have finished.
    for (const r of await besideSettled) if (r.status === 'fulfilled') keep(r.value); else throw r.reason;
    const order = (a: { mode: string; n: number }, b: { mode: string; n: number }) => a.mode.localeCompare(b.mode) || a.n - b.n;
    provisioning.sort(order);
    details.sizes.sort(order);
    details.sandboxPeakRssMb = Math.max(peakRssMb(sandbox.child.pid!), ...sandboxRss);
    details.layout = { alone: alone.map(label), inTurn: inTurn.filter((x) => !alone.includes(x)).map(label), beside: beside.map(label) };

    // What an admin feels: CARD_N salespeople in view, the plan card, then CARD_ADMINS admins at once.
    await control(sandbox.url, 'POST', 'reset', { seed: { syntheticSalespeople: CARD_N }, settings: SETTINGS });
    const bot = await startChild('bench/botServer.ts', { SANDBOX_URL: sandbox.url, STATE_DIR: stateDir, LOG_LEVEL: 'warn', PLAYGROUND: 'false', HOST: '127.0.0.1' });
    const cards = await measureCards(bot.url, { salespeople: CARD_N, admins: CARD_ADMINS, rounds: CARD_ROUNDS });
    const botPeakRssMb = peakRssMb(bot.child.pid!);
    process.stdout.write(`cards at N=${CARD_N}: plan card ${cards.planCardMs} ms; list actions p95 ${cards.listActions.p95Ms} ms; bot RSS ${botPeakRssMb} MB\n`);

    // Bot turns: the sandbox answers at once for these (the card action does not call the tenant).
    await control(sandbox.url, 'POST', 'reset', {});
    const serviceUrl = `http://127.0.0.1:${(connector.address() as { port: number }).port}/`;
    const echo = await startChild('bench/echo.ts', {});
    const body = cardAction(serviceUrl);
    const echoResult = await load(echo.url, body);
    const botResult = await load(bot.url, body);

    const results: Results = {
      provisioning,
      naive,
      speedupVsNaive: Math.round((naive.wallMs / atNaive.wallMs) * 10) / 10,
      cards,
      botPeakRssMb,
      bot: botResult,
      echo: echoResult,
      botVsEcho: Math.round((botResult.rps / echoResult.rps) * 100) / 100,
      details,
    };
    if (process.env.BENCH_SAVE) writeFileSync(process.env.BENCH_SAVE, `${JSON.stringify(results, null, 1)}\n`);
    writeResults(results);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    connector.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function writeResults(results: Results): void {
  const { details: _omit, ...shape } = results;
  writeFileSync(path.join(ROOT, 'bench/results.json'), `${JSON.stringify(shape, null, 2)}\n`);
  writeFileSync(path.join(ROOT, 'bench/results.md'), renderMarkdown(results, { machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`, autocannon: AUTOCANNON }));
  process.stdout.write(`${JSON.stringify(shape, null, 2)}\n`);
}

/**
 * BENCH_RENDER=whole.json,part.json: the results of a run saved with BENCH_SAVE, with the
 * provisioning rows of parts measured beside it (BENCH_PROVISION_ONLY) added, written as one.
 */
function render(files: string[]): void {
  const [whole, ...parts] = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Results);
  for (const part of parts) {
    for (const row of part.provisioning) if (!whole.provisioning.some((p) => p.n === row.n && p.mode === row.mode)) whole.provisioning.push(row);
    for (const size of part.details.sizes) if (!whole.details.sizes.some((d) => d.n === size.n && d.mode === size.mode)) whole.details.sizes.push(size);
  }
  const order = (a: { mode: string; n: number }, b: { mode: string; n: number }) => a.mode.localeCompare(b.mode) || a.n - b.n;
  whole.provisioning.sort(order);
  whole.details.sizes.sort(order);
  writeResults(whole);
}

if (process.env.BENCH_RENDER) {
  render(process.env.BENCH_RENDER.split(','));
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exit(1);
});
