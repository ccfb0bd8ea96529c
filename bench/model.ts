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

export interface BenchSettings {
  latencyMs: number;
  syncDelayMs: number;
  licensePropagationMs: number;
  limits: { graph: Limit | null; dataverse: Limit | null; bap: Limit | null; bc: Limit | null };
}

/** Graph: 20 requests per `$batch`, 15 values per `in (…)` filter. Dataverse: 1,000 operations per `$batch`. */
export const GRAPH_BATCH = 20;
export const GRAPH_IN_VALUES = 15;
export const DATAVERSE_BATCH = 1000;
/** Entra object ids per Dataverse `or` filter within the client's 1,800-character URL budget. */
export const DATAVERSE_IDS_PER_FILTER = 24;

const ceil = Math.ceil;

export function minRequests(n: number) {
  const graphRead = ceil(ceil(n / GRAPH_IN_VALUES) / GRAPH_BATCH);
  const perService = {
    // one bulk read of the accounts, then creates and licences in envelopes of 20
    graph: graphRead + 2 * ceil(n / GRAPH_BATCH),
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

export function lowerBound(n: number, settings: BenchSettings) {
  const L = settings.latencyMs;
  const graphCap = Math.min(SERVICE_CONCURRENCY.graph, settings.limits.graph?.concurrent ?? Infinity);
  const dataverseCap = Math.min(SERVICE_CONCURRENCY.dataverse, settings.limits.dataverse?.concurrent ?? Infinity);
  const graphRead = ceil(ceil(n / GRAPH_IN_VALUES) / GRAPH_BATCH);
  const envelopes = ceil(n / GRAPH_BATCH);
  // The read, the creates, then the licences (a licence needs its account): rounds of `graphCap` envelopes.
  const graphChainMs = (ceil(graphRead / graphCap) + 2 * ceil(envelopes / graphCap)) * L;
  // Writes (creates, licences) against the write quota; the account reads against the resource units.
  const graphUnits = 2 * n;
  const graphReadUnits = ceil(n / GRAPH_IN_VALUES);
  const readLimit = settings.limits.graph?.reads;
  const graphRateMs = Math.max(windowWaitMs(graphUnits, settings.limits.graph), readLimit ? windowWaitMs(graphReadUnits, { ...readLimit }) : 0) + L;
  const graphMs = Math.max(graphChainMs, graphRateMs);
  // The last licence reaches Dataverse syncDelayMs after it was assigned; one poll sees it (with roles).
  // A Dataverse `$batch` counts as one request toward 6,000 per 5 minutes (api-limits), so the
  // role assignments count as their envelopes, not their operations.
  const dataverseUnits = 1 + ceil(n / DATAVERSE_IDS_PER_FILTER) + ceil(n / DATAVERSE_BATCH);
  const dataverseRateMs = windowWaitMs(dataverseUnits, settings.limits.dataverse);
  const roleBatches = ceil(n / DATAVERSE_BATCH);
  const dataverseMs = L + ceil(roleBatches / dataverseCap) * L;
  const totalMs = Math.round(graphMs + settings.syncDelayMs + Math.max(dataverseMs, dataverseRateMs));
  return { totalMs, graphChainMs, graphRateMs, graphUnits, graphReadUnits, syncMs: settings.syncDelayMs, dataverseMs, dataverseUnits, dataverseRateMs };
}
