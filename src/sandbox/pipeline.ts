/**
 * The path every service request takes: bearer check, scripted/random faults, throttling limits,
 * latency, then the service handler. Graph $batch items take a shorter path of their own.
 */
import type { Ctx } from './context';
import { concurrencyError, errorReply, throttledError, unauthorizedError, unavailableError } from './errors';
import { type FaultScope, type Target, sleep } from './faults';
import { hasBearer, type SbReply, type SbRequest } from './http';
import type { Service } from './state';

export type Outcome = { kind: 'reply'; reply: SbReply } | { kind: 'destroy' };

export interface ServiceCall {
  service: Service;
  /** which fault kinds apply to the HTTP request as a whole */
  scope: FaultScope;
  /** the request and, for a $batch, its inner requests (for matching fault rules) */
  targets: Target[];
  /** how many requests this counts as against the service's limit (0 = not counted) */
  units: number;
  run(): SbReply | Promise<SbReply>;
}

export async function serve(ctx: Ctx, req: SbRequest, call: ServiceCall): Promise<Outcome> {
  const { service } = call;
  const guard = ctx.guard;
  guard.stats.requests[service]++;
  if (!hasBearer(req)) return { kind: 'reply', reply: errorReply(service, req, unauthorizedError(service)) };
  const fault = guard.pickFault(service, call.targets, call.scope);
  if (fault?.kind === 'reset') return { kind: 'destroy' };
  if (fault?.kind === '429') return { kind: 'reply', reply: errorReply(service, req, throttledError(service, fault.retryAfterSeconds)) };
  if (fault?.kind === '503') return { kind: 'reply', reply: errorReply(service, req, unavailableError(service, fault.retryAfterSeconds)) };
  if (call.units > 0) {
    const retryAfter = guard.takeRate(service, call.units, ctx.now());
    if (retryAfter !== null) {
      const limit = ctx.settings().limits[service] ?? undefined;
      return { kind: 'reply', reply: errorReply(service, req, throttledError(service, retryAfter, limit)) };
    }
  }
  if (!guard.enter(service)) {
    const c = ctx.settings().limits[service]?.concurrent ?? 0;
    return { kind: 'reply', reply: errorReply(service, req, concurrencyError(service, c)) };
  }
  let reply: SbReply;
  try {
    await sleep(ctx.settings().latencyMs);
    reply = await call.run();
  } finally {
    guard.leave(service);
  }
  if (req.method !== 'GET') ctx.store.touch();
  if (fault?.kind === 'lost') return { kind: 'destroy' };
  return { kind: 'reply', reply };
}

/** One item of a Graph $batch: its own faults (429/503) and its own place in the Graph limit. */
export function serveGraphItem(ctx: Ctx, req: SbRequest, run: () => Promise<SbReply>): Promise<SbReply> {
  const guard = ctx.guard;
  guard.stats.batchItems.graph++;
  const fault = guard.pickFault('graph', [{ method: req.method, path: req.path }], 'item');
  if (fault?.kind === '429') return Promise.resolve(errorReply('graph', req, throttledError('graph', fault.retryAfterSeconds)));
  if (fault?.kind === '503') return Promise.resolve(errorReply('graph', req, unavailableError('graph', fault.retryAfterSeconds)));
  const retryAfter = guard.takeRate('graph', 1, ctx.now());
  if (retryAfter !== null) return Promise.resolve(errorReply('graph', req, throttledError('graph', retryAfter)));
  return run();
}
