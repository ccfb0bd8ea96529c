/** bench/results.md from the measured results: the table, each target with its distance, the model and the limits. */
import type { CardResults, Percentiles } from './cards';
import type { BenchSettings, LicensingMode, lowerBound, minRequests } from './model';

export interface Turns {
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

export interface Results {
  provisioning: { n: number; mode: LicensingMode; wallMs: number; lowerBoundMs: number; ratio: number; requests: number; minRequests: number; peakRssMb: number; waited?: string }[];
  naive: { n: number; wallMs: number };
  speedupVsNaive: number;
  bot: Turns;
  echo: Turns;
  botVsEcho: number;
  cards: CardResults;
  botPeakRssMb: number;
  details: {
    settings: BenchSettings;
    sizes: {
      n: number;
      mode: LicensingMode;
      perService: Record<string, number>;
      batchItems: Record<string, number>;
      throttled: Record<string, number>;
      minPerService: ReturnType<typeof minRequests>['perService'];
      bound: ReturnType<typeof lowerBound>;
      actions: number;
      progressReports: number;
    }[];
    naive?: { perService: Record<string, number> };
    sandboxPeakRssMb?: number;
    /** Which sizes ran alone, in turn, or beside the rest (each against its own sandbox). */
    layout?: { alone: string[]; inTurn: string[]; beside: string[] };
  };
}

const fmt = (n: number) => n.toLocaleString('en-GB');
const ms = (n: number) => `${fmt(Math.round(n))} ms`;
const MODE_NAMES: Record<LicensingMode, string> = { perUser: 'per user', group: 'through a group' };

/** One target row: "met (x to spare)" or "missed (x over)"; `higher` when more is better. */
function target(name: string, measured: number, limit: number, unit: string, higher = false): string {
  if (!Number.isFinite(measured)) return `| ${name} | not measured | — |`;
  const ok = higher ? measured >= limit : measured <= limit;
  const gap = Math.abs(measured - limit);
  const shown = unit === '×' ? `${measured.toFixed(2)}×` : `${fmt(Math.round(measured))} ${unit}`;
  const distance = unit === '×' ? `${gap.toFixed(2)}` : `${fmt(Math.round(gap))} ${unit}`;
  return `| ${name} | ${shown} | ${ok ? 'met' : 'missed'} (${distance} ${ok ? 'to spare' : higher ? 'short' : 'over'}) |`;
}

const pct = (p: Percentiles) => `${p.count} | ${ms(p.p50Ms)} | ${ms(p.p95Ms)} | ${ms(p.p99Ms)} | ${ms(p.maxMs)}`;

export function renderMarkdown(r: Results, run: { machine: string; autocannon: { connections: number; duration: number } }): string {
  const s = r.details.settings;
  const lines: string[] = [];
  const row = (n: number, mode: LicensingMode) => r.provisioning.find((p) => p.n === n && p.mode === mode);
  lines.push('# Benchmark results', '');
  lines.push(`Measured by \`npm run bench\` on ${run.machine}, ${new Date().toISOString().slice(0, 10)}. ${process.env.BENCH_NOTE ? 'The figures below come from the processes described next, on one commit.' : 'Every figure below comes from one run.'}`, '');
  const layout = r.details.layout;
  if (layout) {
    const list = (items: string[]) => (items.length === 0 ? 'nothing' : items.join('; '));
    const parts = [`First, with nothing else running: ${list(layout.alone)}.`];
    if (layout.beside.length > 0) parts.push(`Then ${list(layout.beside)} started, each against its own sandbox tenant (its own quotas, as separate tenants have), and ran beside ${layout.inTurn.length > 0 ? `${list(layout.inTurn)} and ` : ''}the naive baseline. While they ran beside each other the 2 cores were shared, which weighs on the CPU-bound figures of those rows.`);
    else parts.push(`Then, in turn: ${list(layout.inTurn)}, and the naive baseline.`);
    parts.push('The cards and the bot turns were measured after every size had finished, with nothing else running.');
    lines.push(`How this run was made: ${parts.join(' ')}`, '');
  }
  // How the run was made when it was not one process alone on the machine (BENCH_NOTE).
  if (process.env.BENCH_NOTE) lines.push(process.env.BENCH_NOTE, '');

  lines.push('## Provisioning salespeople (account, licence, Sales user, Salesperson role)', '');
  lines.push('Per user: each account gets the Sales licence (`assignLicense`). Through a group: the accounts join one licence group, 20 per request, and Entra licenses them in the background (group-based licensing); the run waits until each member\'s licence state is Active.', '');
  lines.push('| licensing | N | actions | wall time | lower bound | ratio | requests (Graph / Dataverse / BAP / BC) | model minimum | requests ÷ minimum | peak RSS | waited for |');
  lines.push('|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|');
  for (const p of r.provisioning) {
    const d = r.details.sizes.find((x) => x.n === p.n && x.mode === p.mode)!;
    const per = d.perService;
    lines.push(
      `| ${MODE_NAMES[p.mode]} | ${fmt(p.n)} | ${fmt(d.actions)} | ${(p.wallMs / 1000).toFixed(2)} s | ${(p.lowerBoundMs / 1000).toFixed(2)} s | ${p.ratio.toFixed(2)}× | ${fmt(p.requests)} (${per.graph} / ${per.dataverse} / ${per.bap} / ${per.bc}) | ${fmt(p.minRequests)} | ${(p.requests / p.minRequests).toFixed(2)}× | ${p.peakRssMb} MB | ${p.waited ?? '—'} |`,
    );
  }
  lines.push('');
  lines.push(`Naive baseline (the runner's one-by-one path: each action reads, then writes; one request at a time per service; no batching) at N = ${r.naive.n}: **${(r.naive.wallMs / 1000).toFixed(1)} s** (requests: ${JSON.stringify(r.details.naive?.perService ?? {})}); the product's own path at that size is ${r.speedupVsNaive}× faster.`);
  lines.push(`The sandbox process's own peak RSS over the whole benchmark: ${r.details.sandboxPeakRssMb} MB (not included above).`, '');

  const c = r.cards;
  lines.push(`## What an admin feels with ${fmt(c.salespeople)} salespeople in view`, '');
  lines.push(`The bot in its own process, driven over HTTP as Teams drives it (the integration tests' helpers), against the sandbox with the latency and limits above. "Set up" to the Part 3 list (the first reading of the whole company): **${ms(c.openMs)}**. "Show the plan" to the plan card, the list read again (observation included), everyone who needs work selected: **${ms(c.planCardMs)}**.`, '');
  lines.push(`Then ${c.admins} admins at once, each in their own conversation with the whole list in view, ${c.rounds} rounds each of: filter by a fragment and clear it, go to a page, select none and all; and "Show the plan" once at the end.`, '');
  lines.push('| action | count | p50 | p95 | p99 | max |', '|---|---:|---:|---:|---:|---:|');
  lines.push(`| filter | ${pct(c.perVerb.filter)} |`, `| page | ${pct(c.perVerb.page)} |`, `| select | ${pct(c.perVerb.select)} |`, `| list actions together | ${pct(c.listActions)} |`, `| show the plan (${c.admins} at once) | ${pct(c.perVerb.plan)} |`, '');
  lines.push(`The bot's peak RSS after that: **${r.botPeakRssMb} MB**.`, '');

  lines.push('## Targets', '');
  lines.push('| target | measured | distance |', '|---|---|---|');
  const pu1 = row(1000, 'perUser');
  const pu5 = row(5000, 'perUser');
  const pu20 = row(20000, 'perUser');
  const g5 = row(5000, 'group');
  const g20 = row(20000, 'group');
  lines.push(target('per user: wall ≤ 1.3 × bound at N = 1,000', pu1?.ratio ?? NaN, 1.3, '×'));
  lines.push(target('per user: wall ≤ 1.1 × bound at N = 5,000', pu5?.ratio ?? NaN, 1.1, '×'));
  for (const p of r.provisioning.filter((x) => x.mode === 'perUser')) lines.push(target(`per user: requests ≤ 1.1 × minimum at N = ${fmt(p.n)}`, p.requests / p.minRequests, 1.1, '×'));
  if (g5 && pu5) lines.push(target(`group: wall at N = 5,000 ≤ 0.5 × the per-user bound (group licence delay ${fmt(s.groupLicenseDelayMs)} ms)`, g5.wallMs / pu5.lowerBoundMs, 0.5, '×'));
  for (const p of r.provisioning.filter((x) => x.mode === 'group')) lines.push(target(`group: requests ≤ 1.1 × its minimum at N = ${fmt(p.n)}`, p.requests / p.minRequests, 1.1, '×'));
  for (const [mode, p] of [['perUser', pu20], ['group', g20]] as const) lines.push(target(`${MODE_NAMES[mode]}: N = 20,000 completes, wall ≤ 1.2 × bound`, p?.ratio ?? NaN, 1.2, '×'));
  for (const p of [pu5, g5]) if (p) lines.push(target(`${MODE_NAMES[p.mode]}: peak RSS ≤ 250 MB at N = 5,000`, p.peakRssMb, 250, 'MB'));
  for (const [mode, p] of [['perUser', pu20], ['group', g20]] as const) lines.push(target(`${MODE_NAMES[mode]}: peak RSS ≤ 400 MB at N = 20,000`, p?.peakRssMb ?? NaN, 400, 'MB'));
  lines.push(target(`plan card ≤ 5 s after the click at N = ${fmt(c.salespeople)}`, c.planCardMs, 5000, 'ms'));
  lines.push(target(`card actions p95 ≤ 300 ms with ${fmt(c.salespeople)} in view, ${c.admins} admins`, c.listActions.p95Ms, 300, 'ms'));
  lines.push(target(`≥ 20 × the naive baseline at N = ${r.naive.n}`, r.speedupVsNaive, 20, '×', true));
  lines.push('');

  lines.push('## Side note: bot turns beside a bare echo bot', '');
  lines.push(`autocannon, ${run.autocannon.connections} connections, ${run.autocannon.duration} s each, POST /api/messages with the same card action (an \`adaptiveCard/action\` invoke: the admin picks English on the language card). The echo bot does nothing a user needs; the figure says what the product's layers cost per turn.`, '');
  lines.push('| | requests/s | p50 | p99 |', '|---|---:|---:|---:|');
  lines.push(`| this bot (teams-ai, gate, state, templates) | ${r.bot.rps} | ${r.bot.p50Ms} ms | ${r.bot.p99Ms} ms |`);
  lines.push(`| bare botbuilder echo bot (CloudAdapter + restify, bench/echo.ts) | ${r.echo.rps} | ${r.echo.p50Ms} ms | ${r.echo.p99Ms} ms |`, '');
  lines.push(`Ratio: ${r.botVsEcho}×.`, '');

  const g = s.limits.graph!;
  lines.push('## Sandbox settings and the limits they stand for', '');
  lines.push(`Latency ${s.latencyMs} ms on every request; background sync ${s.syncDelayMs} ms after a licence; addUser answers userNotLicensed for ${s.licensePropagationMs} ms; a group's new members are licensed ${s.groupLicenseDelayMs} ms after joining. The sandbox keeps its state in memory for the benchmark (\`stateFile: null\`, bench/sandbox.ts): with a state file it rewrites the whole tenant after every change, which at thousands of users makes the sandbox the bottleneck.`, '');
  lines.push('| service | sandbox limit | documented limit (source) |', '|---|---|---|');
  lines.push(`| Microsoft Graph (directory) | writes ${fmt(g.requests)} per ${g.windowMs / 1000} s; reads ${fmt(g.reads?.requests ?? 0)} per ${(g.reads?.windowMs ?? 0) / 1000} s; each \`$batch\` item counted by its method | write quota 3,000 per 2 min 30 s per app and tenant; resource-unit quota 3,500 / 5,000 / 8,000 per 10 s for a small / medium / large tenant (learn.microsoft.com/graph/throttling-limits, "Identity and access service limits"). The bench tenant is large (over 500 users); the client paces reads to the small band, since it cannot know the size. |`);
  lines.push(`| Dataverse | ${fmt(s.limits.dataverse!.requests)} per ${s.limits.dataverse!.windowMs / 1000} s, ${s.limits.dataverse!.concurrent} concurrent; a \`$batch\` counts as one request | 6,000 requests per 5 min and 52 concurrent per user per web server; a batch "will avoid the number of requests limit", its execution time still counts (learn.microsoft.com/power-apps/developer/data-platform/api-limits); DOMAIN.md §5 uses 20 concurrent, kept here |`);
  lines.push(`| Power Platform admin (BAP) | none | no published per-caller limit for \`addUser\`; the run should not need it |`);
  lines.push(`| Business Central | ${fmt(s.limits.bc!.requests)} per ${s.limits.bc!.windowMs / 1000} s, ${s.limits.bc!.concurrent} concurrent | 6,000 requests per 5-minute sliding window per user, 100 simultaneous (learn.microsoft.com/dynamics365/business-central/dev-itpro/administration/operational-limits-online) |`, '');
  lines.push('The client paces itself to the same windows (src/provisioning/clients/index.ts, `GRAPH_WRITE_RATE`, `GRAPH_READ_RATE`, `SERVICE_RATE`) and caps concurrency per service (`SERVICE_CONCURRENCY`: Graph 8, Dataverse 16, BAP 4, BC 5).', '');

  lines.push('## The model: lower bound and minimum requests', '');
  lines.push('With L the sandbox latency, c_G = 8 and c_D = 16 the concurrency caps, and sizes 20 per Graph `$batch`, 15 values per Graph `in` filter, 20 members per group `PATCH`, 1,000 operations per Dataverse `$batch`:', '');
  lines.push('- **Minimum requests**, per user = Graph ⌈⌈N/15⌉/20⌉ (one bulk read of the accounts) + 2⌈N/20⌉ (creates, licences); through a group = Graph ⌈⌈N/15⌉/20⌉ + ⌈N/20⌉ (creates) + 4 (the group found by name, created, its licences read, licensed) + ⌈N/20⌉ (member PATCHes) + ⌈⌈N/15⌉/20⌉ (one read of the licence states that finds everyone licensed); both + Dataverse 2 (role list, one bulk read of the synced users with their roles) + ⌈N/1000⌉ (role assignments) + BAP 0 (everyone arrives by background sync) + BC 0. Requests are HTTP requests as the sandbox counts them (`/_sandbox/stats`, reset after the plan was made), retries included.');
  lines.push('- **Lower bound** = T_Graph + groupDelay (group only) + syncDelay + T_Dataverse, where');
  lines.push('  - T_Graph = max(chain, rate): chain = (reads + 2 rounds of ⌈⌈N/20⌉/c_G⌉) × L (a licence or a membership needs its account; the group adds the licence-state read); rate = ⌊(U_G − 1)/3,000⌋ × 150 s + L with U_G the writes: 2N per user, N + ⌈N/20⌉ + 3 through a group (the last write cannot leave the sliding window earlier); reads go against the resource units and do not bind here;');
  lines.push('  - groupDelay: the last member is licensed that long after joining; syncDelay: the last licence reaches Dataverse that long after it was assigned;');
  lines.push('  - T_Dataverse = max(L + ⌈⌈N/1000⌉/c_D⌉ × L, ⌊(U_D − 1)/6,000⌋ × 300 s) with U_D = 1 + ⌈N/24⌉ + ⌈N/1000⌉ requests (one poll that sees the last user, with roles; then the assignments, each `$batch` one request).');
  lines.push('- Wall time is measured from approval (runner start) to the run\'s end, journal saves and progress reports included; the reads that made the plan are not part of it.', '');
  lines.push('| licensing | N | chain | Graph rate | group delay | sync | Dataverse | bound |', '|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const d of r.details.sizes) {
    const b = d.bound;
    lines.push(`| ${MODE_NAMES[d.mode]} | ${fmt(d.n)} | ${b.graphChainMs} ms | ${fmt(b.graphRateMs)} ms (${fmt(b.graphUnits)} writes) | ${fmt(b.licenceMs)} ms | ${b.syncMs} ms | ${fmt(Math.max(b.dataverseMs, b.dataverseRateMs))} ms (${fmt(b.dataverseUnits)} requests) | ${fmt(b.totalMs)} ms |`);
  }
  lines.push('');
  lines.push('Per-size details (sandbox stats per service, batch items, throttled answers, progress reports):', '');
  lines.push('```json', JSON.stringify(r.details.sizes.map((d) => ({ mode: d.mode, n: d.n, perService: d.perService, minPerService: d.minPerService, batchItems: d.batchItems, throttled: d.throttled, progressReports: d.progressReports })), null, 1), '```', '');
  return `${lines.join('\n')}\n`;
}
