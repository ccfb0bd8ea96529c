/**
 * One provisioning run in its own process, so its peak RSS is its own: reads the company's
 * synthetic salespeople from the sandbox tenant, plans accounts, licences, Sales users and the
 * Salesperson role for them, and runs the plan with the product's runner. Prints one JSON line.
 *
 *   SANDBOX_URL=http://127.0.0.1:3979 N=1000 MODE=bulk|naive LICENSING=perUser|group tsx bench/provision.ts
 *
 * MODE=naive is the baseline: the runner's one-by-one path (each action reads, then writes), one
 * request at a time per service, no batching.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { configuredEnvironment } from '../src/setup/session';
import { createLogger } from '../src/log';
import { createTokenProvider } from '../src/provisioning/http/auth';
import { createClients } from '../src/provisioning/clients';
import { runCounts, Runner } from '../src/provisioning/run/runner';
import { RunEvents } from '../src/provisioning/run/events';
import { ProgressPacer } from '../src/bot/progress';
import { observeSalespeople } from '../src/provisioning/observe/salespeople';
import { planDigest, type Plan, type PlanEnvironment, type Run } from '../src/setup/plan';
import { matchSalespeople } from '../src/setup/salespeopleMatch';
import { planSalespeople } from '../src/setup/salespeoplePlanner';
import { FileStorage } from '../src/storage/fileStorage';
import { RecordStore } from '../src/storage/records';
import { planKey } from '../src/storage/keys';

export interface ProvisionResult {
  n: number;
  mode: 'bulk' | 'naive';
  actions: number;
  wallMs: number;
  observeMs: number;
  status: Run['status'];
  done: number;
  failed: number;
  progressReports: number;
  peakRssMb: number;
  /** What the run waited for besides its own requests (the group's licences, the sync to Dataverse). */
  waited?: string;
  clientStats: ReturnType<ReturnType<typeof createClients>['stats']>;
}

/** The bench's action settings: polls and addUser retries scaled to the sandbox's sync delays. */
export const BENCH_ACTION_SETTINGS = { addUserRetryMs: 500, addUserTimeoutMs: 600_000, pollMs: 250 };

async function main(): Promise<void> {
  const n = Number(process.env.N);
  const mode = process.env.MODE === 'naive' ? 'naive' : 'bulk';
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'bc-setup-bench-'));
  try {
    const config = loadConfig({ SANDBOX_URL: process.env.SANDBOX_URL!, PORT: '0', STATE_DIR: stateDir, PLAYGROUND: 'false', LOG_LEVEL: 'warn', COUPLING_URL: 'none' });
    const logger = createLogger({ level: (process.env.BENCH_LOG_LEVEL) ?? 'warn' });
    const clients = createClients({
      config,
      tokens: createTokenProvider(config.credential),
      logger,
      policy: mode === 'naive' ? { maxConcurrent: 1 } : undefined,
    });
    const environment: PlanEnvironment = configuredEnvironment(config)!; // sandbox mode always configures it
    const observedAt = Date.now();
    const observation = await observeSalespeople(clients, environment, { tenantId: config.tenantId });
    const rows = matchSalespeople(observation.facts).filter((row) => /^sales\d{5}@contoso\.no$/.test(row.email));
    const licensing = process.env.LICENSING === 'group' ? 'group' : 'perUser';
    const planned = planSalespeople(rows, {
      environment,
      skus: observation.skus,
      salespersonRole: observation.salespersonRole,
      usageLocation: 'NO',
      securityGroup: observation.securityGroup,
      licensing: { mode: licensing, facts: observation.groupLicensing },
    });
    if (!planned.ok) throw new Error(`could not plan: ${planned.refusal.key}`);
    const observeMs = Date.now() - observedAt;

    const id = randomUUID();
    // The bulk runner takes salespeople plans; any other kind goes action by action.
    const kind: Plan['kind'] = mode === 'naive' ? 'integrationUser' : 'salespeople';
    const plan: Plan = {
      id,
      kind,
      environment,
      actions: planned.actions,
      digest: planDigest({ kind, environment, actions: planned.actions }),
      conversationId: 'bench',
      createdBy: { name: 'bench' },
      createdAt: new Date().toISOString(),
    };
    const records = new RecordStore(new FileStorage(stateDir));
    await records.create(planKey(id), plan);
    // The card updates the bot would make: paced as the bot paces them, and one at the end.
    let progressReports = 0;
    const events = new RunEvents();
    const pacer = new ProgressPacer();
    events.on('actions.settled', ({ plan }) => {
      if (pacer.due(plan.id)) progressReports++;
    });
    events.on('run.finished', () => {
      progressReports++;
    });
    const runner = new Runner({ records, clients, logger, settings: BENCH_ACTION_SETTINGS, events });
    // The sandbox counts from here: the run, not the reads that made the plan.
    await fetch(`${process.env.SANDBOX_URL}/_sandbox/stats`, { method: 'DELETE' });
    const before = clients.stats();
    const started = Date.now();
    await runner.start(plan, { conversationId: 'bench' });
    await runner.settled(id);
    const wallMs = Date.now() - started;
    const run = (await records.get<Run>(`run:${id}`))!;
    const counts = runCounts(run);
    const after = clients.stats();
    for (const service of Object.keys(after) as (keyof typeof after)[]) {
      after[service].requests -= before[service].requests;
      after[service].retries -= before[service].retries;
      after[service].throttled -= before[service].throttled;
    }
    const failures = Object.entries(run.journal).filter(([, o]) => o.status === 'failed').slice(0, 5);
    // Through a group, each member records how long it waited for Entra to license it.
    const waits = Object.values(run.journal).flatMap((o) => (o.status === 'done' && o.waitedMs ? [o.waitedMs] : []));
    const waited = waits.length > 0 ? `Entra licensed ${waits.length} group members after at most ${(Math.max(...waits) / 1000).toFixed(1)} s` : undefined;
    if (failures.length > 0) process.stderr.write(`failures (first 5): ${JSON.stringify(failures)}\n`);
    const result: ProvisionResult = {
      n,
      mode,
      actions: plan.actions.length,
      wallMs,
      observeMs,
      status: run.status,
      done: counts.done,
      failed: counts.failed,
      progressReports,
      peakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
      waited,
      clientStats: after,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`provision failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
