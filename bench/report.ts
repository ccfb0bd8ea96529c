/** bench/results.md from the measured results: the table, each target with its distance, the model and the limits. */
import type { BenchSettings, lowerBound, minRequests } from './model';

export interface Turns {
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

export interface Results {
  provisioning: { n: number; wallMs: number; lowerBoundMs: number; ratio: number; requests: number; minRequests: number; peakRssMb: number }[];
  naive: { n: number; wallMs: number };
  speedupVsNaive: number;
  bot: Turns;
  echo: Turns;
  botVsEcho: number;
  details: {
    settings: BenchSettings;
    sizes: {
      n: number;
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
  };
}

const fmt = (n: number) => n.toLocaleString('en-GB');
const met = (ok: boolean) => (ok ? 'met' : 'missed');

export function renderMarkdown(r: Results, run: { machine: string; autocannon: { connections: number; duration: number } }): string {
  const s = r.details.settings;
  const lines: string[] = [];
  lines.push('# Benchmark results', '');
  lines.push(`Measured by \`npm run bench\` on ${run.machine}, ${new Date().toISOString().slice(0, 10)}. Every figure below comes from one run.`, '');
  lines.push('## Provisioning salespeople (account, licence, Sales user, Salesperson role)', '');
  lines.push('| N | actions | wall time | lower bound | ratio | requests (Graph / Dataverse / BAP / BC) | model minimum | requests ÷ minimum | peak RSS |');
  lines.push('|---:|---:|---:|---:|---:|---|---:|---:|---:|');
  for (const p of r.provisioning) {
    const d = r.details.sizes.find((x) => x.n === p.n)!;
    const per = d.perService;
    lines.push(
      `| ${fmt(p.n)} | ${fmt(d.actions)} | ${(p.wallMs / 1000).toFixed(2)} s | ${(p.lowerBoundMs / 1000).toFixed(2)} s | ${p.ratio.toFixed(2)}× | ${fmt(p.requests)} (${per.graph} / ${per.dataverse} / ${per.bap} / ${per.bc}) | ${fmt(p.minRequests)} | ${(p.requests / p.minRequests).toFixed(2)}× | ${p.peakRssMb} MB |`,
    );
  }
  lines.push('');
  lines.push(`Naive baseline (the runner's one-by-one path: each action reads, then writes; one request at a time per service; no batching) at N = ${r.naive.n}: **${(r.naive.wallMs / 1000).toFixed(1)} s** (requests: ${JSON.stringify(r.details.naive?.perService ?? {})}).`);
  lines.push(`The sandbox process's own peak RSS over the whole benchmark: ${r.details.sandboxPeakRssMb} MB (not included above).`, '');

  lines.push('## Bot turns', '');
  lines.push(`autocannon, ${run.autocannon.connections} connections, ${run.autocannon.duration} s each, POST /api/messages with the same card action (an \`adaptiveCard/action\` invoke: the admin picks English on the language card).`, '');
  lines.push('| | requests/s | p50 | p99 |', '|---|---:|---:|---:|');
  lines.push(`| this bot (teams-ai, gate, state, templates) | ${r.bot.rps} | ${r.bot.p50Ms} ms | ${r.bot.p99Ms} ms |`);
  lines.push(`| bare botbuilder echo bot (CloudAdapter + restify, bench/echo.ts) | ${r.echo.rps} | ${r.echo.p50Ms} ms | ${r.echo.p99Ms} ms |`, '');

  lines.push('## Targets', '');
  lines.push('| target | measured | distance |', '|---|---|---|');
  for (const p of r.provisioning.filter((x) => x.n >= 1000)) {
    lines.push(`| wall time ≤ 1.3 × lower bound at N = ${fmt(p.n)} | ${p.ratio.toFixed(2)}× | ${met(p.ratio <= 1.3)} (${p.ratio <= 1.3 ? `${(1.3 - p.ratio).toFixed(2)} to spare` : `${(p.ratio - 1.3).toFixed(2)} over`}) |`);
  }
  for (const p of r.provisioning) {
    const q = p.requests / p.minRequests;
    lines.push(`| requests ≤ 1.1 × model minimum at N = ${fmt(p.n)} | ${q.toFixed(2)}× | ${met(q <= 1.1)} (${q <= 1.1 ? `${(1.1 - q).toFixed(2)} to spare` : `${(q - 1.1).toFixed(2)} over`}) |`);
  }
  lines.push(`| ≥ 20 × faster than naive at N = ${r.naive.n} | ${r.speedupVsNaive}× | ${met(r.speedupVsNaive >= 20)} (${r.speedupVsNaive >= 20 ? `${(r.speedupVsNaive - 20).toFixed(1)} to spare` : `${(20 - r.speedupVsNaive).toFixed(1)} short`}) |`);
  lines.push(`| bot throughput ≥ 0.7 × echo | ${r.botVsEcho}× | ${met(r.botVsEcho >= 0.7)} (${r.botVsEcho >= 0.7 ? `${(r.botVsEcho - 0.7).toFixed(2)} to spare` : `${(0.7 - r.botVsEcho).toFixed(2)} short`}) |`);
  const big = r.provisioning.find((p) => p.n === 5000);
  if (big) lines.push(`| peak RSS ≤ 250 MB at N = 5,000 | ${big.peakRssMb} MB | ${met(big.peakRssMb <= 250)} (${big.peakRssMb <= 250 ? `${Math.round(250 - big.peakRssMb)} MB to spare` : `${Math.round(big.peakRssMb - 250)} MB over`}) |`);
  lines.push('');

  lines.push('## Sandbox settings and the limits they stand for', '');
  lines.push(`Latency ${s.latencyMs} ms on every request; background sync ${s.syncDelayMs} ms after a licence; addUser answers userNotLicensed for ${s.licensePropagationMs} ms. The sandbox keeps its state in memory for the benchmark (\`stateFile: null\`, bench/sandbox.ts): with a state file it rewrites the whole tenant after every change, which at thousands of users makes the sandbox the bottleneck.`, '');
  lines.push('| service | sandbox limit | documented limit (source) |', '|---|---|---|');
  lines.push(`| Microsoft Graph (directory) | ${fmt(s.limits.graph!.requests)} per ${s.limits.graph!.windowMs / 1000} s, each \`$batch\` item counted | write quota 3,000 per 2 min 30 s per app and tenant; 8,000 resource units per 10 s for a large tenant (learn.microsoft.com/graph/throttling-limits, "Identity and access service limits"). The run is almost all writes, so the write quota binds; the sandbox models one window per service. |`);
  lines.push(`| Dataverse | ${fmt(s.limits.dataverse!.requests)} per ${s.limits.dataverse!.windowMs / 1000} s, ${s.limits.dataverse!.concurrent} concurrent; a \`$batch\` counts as one request | 6,000 requests per 5 min and 52 concurrent per user per web server; a batch "will avoid the number of requests limit", its execution time still counts (learn.microsoft.com/power-apps/developer/data-platform/api-limits); DOMAIN.md §5 uses 20 concurrent, kept here |`);
  lines.push(`| Power Platform admin (BAP) | none | no published per-caller limit for \`addUser\`; the run should not need it |`);
  lines.push(`| Business Central | ${fmt(s.limits.bc!.requests)} per ${s.limits.bc!.windowMs / 1000} s, ${s.limits.bc!.concurrent} concurrent | 6,000 requests per 5-minute sliding window per user, 100 simultaneous (learn.microsoft.com/dynamics365/business-central/dev-itpro/administration/operational-limits-online) |`, '');
  lines.push('The client paces itself to the same windows (src/provisioning/clients/index.ts, `SERVICE_RATE`) and caps concurrency per service (`SERVICE_CONCURRENCY`: Graph 8, Dataverse 16, BAP 4, BC 5).', '');

  lines.push('## The model: lower bound and minimum requests', '');
  lines.push('With L the sandbox latency, c_G = 8 and c_D = 16 the concurrency caps, and sizes 20 per Graph `$batch`, 15 values per Graph `in` filter, 1,000 operations per Dataverse `$batch`:', '');
  lines.push('- **Minimum requests** = Graph ⌈⌈N/15⌉/20⌉ (one bulk read of the accounts) + 2⌈N/20⌉ (creates, licences) + Dataverse 2 (role list, one bulk read of the synced users with their roles) + ⌈N/1000⌉ (role assignments) + BAP 0 (everyone arrives by background sync) + BC 0. Requests are HTTP requests as the sandbox counts them (`/_sandbox/stats`, reset after the plan was made), retries included.');
  lines.push('- **Lower bound** = T_Graph + syncDelay + T_Dataverse, where');
  lines.push('  - T_Graph = max(chain, rate): chain = (⌈reads/c_G⌉ + 2⌈⌈N/20⌉/c_G⌉) × L (a licence needs its account); rate = ⌊(U_G − 1)/3,000⌋ × 150 s + L with U_G = 2N + ⌈N/15⌉ items (the last item cannot leave the sliding window earlier);');
  lines.push('  - syncDelay: the last licence reaches Dataverse that long after it was assigned;');
  lines.push('  - T_Dataverse = max(L + ⌈⌈N/1000⌉/c_D⌉ × L, ⌊(U_D − 1)/6,000⌋ × 300 s) with U_D = 1 + ⌈N/24⌉ + ⌈N/1000⌉ requests (one poll that sees the last user, with roles; then the assignments, each `$batch` one request).');
  lines.push('- Wall time is measured from approval (runner start) to the run\'s end, journal saves and progress reports included; the reads that made the plan are not part of it.', '');
  lines.push('| N | chain | Graph rate | sync | Dataverse | bound |', '|---:|---:|---:|---:|---:|---:|');
  for (const d of r.details.sizes) {
    const b = d.bound;
    lines.push(`| ${fmt(d.n)} | ${b.graphChainMs} ms | ${fmt(b.graphRateMs)} ms (${fmt(b.graphUnits)} items) | ${b.syncMs} ms | ${fmt(Math.max(b.dataverseMs, b.dataverseRateMs))} ms (${fmt(b.dataverseUnits)} ops) | ${fmt(b.totalMs)} ms |`);
  }
  lines.push('');
  lines.push('Per-size details (sandbox stats per service, batch items, throttled answers, progress reports): `details` below.', '');
  lines.push('```json', JSON.stringify(r.details.sizes.map((d) => ({ n: d.n, perService: d.perService, minPerService: d.minPerService, batchItems: d.batchItems, throttled: d.throttled, progressReports: d.progressReports })), null, 1), '```', '');
  return `${lines.join('\n')}\n`;
}
