/**
 * The benchmark's model of the least a salespeople run needs: requests per service and wall time,
 * from the sandbox's own latency and limits, the batch sizes the services allow and the client's
 * concurrency caps. See results.md for the formula in words.
 */
import { SERVICE_CONCURRENCY } from '../src/provisioning/clients';

export interface Limit {
  requests: number;
  windowMs: number;
  concurrent?: number;
  /** Graph: the resource-unit quota reads count against; `requests` is then the write quota. */
  reads?: { requests: number; windowMs: number };
}

/** Per user: each salesperson's licence assigned on the account. Group: the licence and admission through one group. */
export type LicensingMode = 'perUser' | 'group';

export interface BenchSettings {
  latencyMs: number;
  syncDelayMs: number;
  licensePropagationMs: number;
  /** Entra licenses a group's new members this long after they joined (group-based licensing). */
  groupLicenseDelayMs: number;
  limits: { graph: Limit | null; dataverse: Limit | null; bap: Limit | null; bc: Limit | null };
}

/** Graph: 20 requests per `$batch`, 15 values per `in (…)` filter. Dataverse: 1,000 operations per `$batch`. */
export const GRAPH_BATCH = 20;
export const GRAPH_IN_VALUES = 15;
export const DATAVERSE_BATCH = 1000;
/** Entra object ids per Dataverse `or` filter within the client's 1,800-character URL budget. */
export const DATAVERSE_IDS_PER_FILTER = 24;

const ceil = Math.ceil;

export function minRequests(n: number, mode: LicensingMode = 'perUser') {
  const graphRead = ceil(ceil(n / GRAPH_IN_VALUES) / GRAPH_BATCH);
  const envelopes = ceil(n / GRAPH_BATCH);
  const perService = {
    // per user: one bulk read of the accounts, then creates and licences in envelopes of 20;
    // group: the read, the creates, the group (found by name, created, its licences read, licensed),
    // members 20 per PATCH, and one read of the members' licence states that sees them all licensed
    graph: mode === 'perUser' ? graphRead + 2 * envelopes : graphRead + envelopes + 4 + envelopes + graphRead,
    // the role list, one bulk read of the synced users with their roles, the role assignments
    dataverse: 2 + ceil(n / DATAVERSE_BATCH),
    // everyone arrives by background sync: no addUser
    bap: 0,
    // nothing in Business Central without couplings
    bc: 0,
  };
  return { perService, total: perService.graph + perService.dataverse + perService.bap + perService.bc };
}

/** Time to send `units` through a sliding window, the first at 0: the last cannot go before this. */
function windowWaitMs(units: number, limit: Limit | null): number {
  if (!limit || units <= limit.requests) return 0;
  return Math.floor((units - 1) / limit.requests) * limit.windowMs;
}

export function lowerBound(n: number, settings: BenchSettings, mode: LicensingMode = 'perUser') {
  const L = settings.latencyMs;
  const graphCap = Math.min(SERVICE_CONCURRENCY.graph, settings.limits.graph?.concurrent ?? Infinity);
  const dataverseCap = Math.min(SERVICE_CONCURRENCY.dataverse, settings.limits.dataverse?.concurrent ?? Infinity);
  const graphRead = ceil(ceil(n / GRAPH_IN_VALUES) / GRAPH_BATCH);
  const envelopes = ceil(n / GRAPH_BATCH);
  // Per user: the read, the creates, then the licences (a licence needs its account), in rounds of
  // `graphCap` envelopes. Group: the read, the creates, then the members (a member needs its account;
  // the group's own four requests run beside the creates), then one read of the licence states.
  const graphChainMs =
    mode === 'perUser'
      ? (ceil(graphRead / graphCap) + 2 * ceil(envelopes / graphCap)) * L
      : (2 * ceil(graphRead / graphCap) + 2 * ceil(envelopes / graphCap)) * L;
  // Writes against the write quota (each member PATCH is one write); the reads against the resource units.
  const graphUnits = mode === 'perUser' ? 2 * n : n + envelopes + 3;
  const graphReadUnits = (mode === 'perUser' ? 1 : 2) * ceil(n / GRAPH_IN_VALUES);
  const readLimit = settings.limits.graph?.reads;
  const graphRateMs = Math.max(windowWaitMs(graphUnits, settings.limits.graph), readLimit ? windowWaitMs(graphReadUnits, { ...readLimit }) : 0) + L;
  const graphMs = Math.max(graphChainMs, graphRateMs);
  // Group: the last member is licensed groupLicenseDelayMs after joining; then the licence reaches
  // Dataverse syncDelayMs later; one poll sees it (with roles).
  const licenceMs = mode === 'group' ? settings.groupLicenseDelayMs : 0;
  // A Dataverse `$batch` counts as one request toward 6,000 per 5 minutes (api-limits), so the
  // role assignments count as their envelopes, not their operations.
  const dataverseUnits = 1 + ceil(n / DATAVERSE_IDS_PER_FILTER) + ceil(n / DATAVERSE_BATCH);
  const dataverseRateMs = windowWaitMs(dataverseUnits, settings.limits.dataverse);
  const roleBatches = ceil(n / DATAVERSE_BATCH);
  const dataverseMs = L + ceil(roleBatches / dataverseCap) * L;
  const totalMs = Math.round(graphMs + licenceMs + settings.syncDelayMs + Math.max(dataverseMs, dataverseRateMs));
  return { totalMs, graphChainMs, graphRateMs, graphUnits, graphReadUnits, licenceMs, syncMs: settings.syncDelayMs, dataverseMs, dataverseUnits, dataverseRateMs };
}
