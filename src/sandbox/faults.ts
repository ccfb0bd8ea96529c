/**
 * Latency, throttling limits, scripted and random faults, and request statistics, per service.
 */
import { z } from 'zod';
import type { SandboxSettings } from './settings';
import { SERVICES, type Service } from './state';

export type FaultKind = '429' | '503' | 'reset' | 'lost';

export const faultRuleSchema = z
  .object({
    kind: z.enum(['429', '503', 'reset', 'lost']),
    service: z.enum(['graph', 'dataverse', 'bap', 'bc']).optional(),
    method: z.string().min(1).optional(),
    pathContains: z.string().min(1).optional(),
    count: z.number().int().min(1).optional(),
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
  })
  .strict();

export type FaultRule = z.infer<typeof faultRuleSchema>;

interface QueuedRule extends FaultRule {
  remaining: number;
}

/** What a request is, for matching fault rules. */
export interface Target {
  method: string;
  path: string;
}

export type Fault = { kind: '429' | '503'; retryAfterSeconds: number } | { kind: 'reset' | 'lost' };

/** Which fault kinds may apply at a point: a whole HTTP request, or one item of a Graph $batch. */
export type FaultScope = 'request' | 'envelope' | 'item';

/** mulberry32: a small deterministic generator. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Counts = Record<Service, number>;
const zero = (): Counts => ({ graph: 0, dataverse: 0, bap: 0, bc: 0 });

export interface Stats {
  requests: Counts;
  batchItems: { graph: number; dataverse: number };
  throttled: Counts;
  faults: Record<FaultKind, number>;
}

function emptyStats(): Stats {
  return {
    requests: zero(),
    batchItems: { graph: 0, dataverse: 0 },
    throttled: zero(),
    faults: { '429': 0, '503': 0, reset: 0, lost: 0 },
  };
}

export class Guard {
  private rules: QueuedRule[] = [];
  private random: () => number;
  /** Per service; `graphReads` is Graph's resource-unit quota, apart from its write quota. */
  private readonly windows: Record<Service | 'graphReads', number[]> = { graph: [], graphReads: [], dataverse: [], bap: [], bc: [] };
  /** Windows a time was added to out of order (a clock set back): sorted again at the next look. */
  private readonly unordered = new Set<Service | 'graphReads'>();
  private readonly inflight: Counts = zero();
  stats: Stats = emptyStats();

  constructor(private settings: () => SandboxSettings) {
    this.random = mulberry32(settings().faultSeed);
  }

  /** Restarts the generator (after the seed changed, or on reset). */
  reseed(): void {
    this.random = mulberry32(this.settings().faultSeed);
  }

  resetAll(): void {
    this.rules = [];
    this.stats = emptyStats();
    for (const s of SERVICES) this.windows[s] = [];
    this.windows.graphReads = [];
    this.unordered.clear();
    this.reseed();
  }

  addRule(rule: FaultRule): void {
    this.rules.push({ ...rule, remaining: rule.count ?? 1 });
  }

  clearRules(): void {
    this.rules = [];
  }

  listRules(): (FaultRule & { remaining: number })[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /**
   * The fault for a request, if any: a scripted rule first (consuming one count), then the random
   * rates. `targets` are the request itself and, for a $batch, its inner requests.
   */
  pickFault(service: Service, targets: Target[], scope: FaultScope): Fault | null {
    const allowed: FaultKind[] = scope === 'item' ? ['429', '503'] : scope === 'envelope' ? ['reset', 'lost'] : ['429', '503', 'reset', 'lost'];
    const isGet = targets[0]?.method === 'GET';
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || !allowed.includes(rule.kind)) continue;
      if (rule.service && rule.service !== service) continue;
      const hit = targets.some(
        (t) => (!rule.method || rule.method.toUpperCase() === t.method) && (!rule.pathContains || t.path.includes(rule.pathContains)),
      );
      if (!hit) continue;
      rule.remaining--;
      this.rules = this.rules.filter((r) => r.remaining > 0);
      return this.makeFault(rule.kind, rule.retryAfterSeconds, isGet);
    }
    const f = this.settings().faults;
    const total = f.rate429 + f.rate503 + f.rateReset + f.rateLost;
    if (total <= 0) return null;
    const r = this.random();
    const bands: [FaultKind, number][] = [
      ['429', f.rate429],
      ['503', f.rate503],
      ['reset', f.rateReset],
      ['lost', f.rateLost],
    ];
    let acc = 0;
    for (const [kind, p] of bands) {
      acc += p;
      if (r < acc) return allowed.includes(kind) ? this.makeFault(kind, undefined, isGet) : null;
    }
    return null;
  }

  private makeFault(kind: FaultKind, retryAfter: number | undefined, isGet: boolean): Fault {
    const k: FaultKind = kind === 'lost' && isGet ? 'reset' : kind;
    this.stats.faults[k]++;
    if (k === '429' || k === '503') return { kind: k, retryAfterSeconds: retryAfter ?? this.settings().faults.retryAfterSeconds };
    return { kind: k };
  }

  /**
   * Takes `units` requests from the service's window; null when allowed, otherwise the
   * Retry-After seconds. Graph keeps two (Learn "Microsoft Graph service-specific throttling
   * limits", Identity and access): its `requests`/`windowMs` are the write quota, which reads do not
   * count against; reads (`method` GET) count against `reads`, the resource-unit quota, when set.
   */
  takeRate(service: Service, units = 1, now = Date.now(), method = 'POST'): number | null {
    const serviceLimit = this.settings().limits[service];
    const read = service === 'graph' && method === 'GET';
    const limit = read ? serviceLimit?.reads : serviceLimit;
    if (!limit) return null;
    const key = read ? 'graphReads' : service;
    const w = this.expire(key, now - limit.windowMs);
    if (w.length + units > limit.requests) {
      this.stats.throttled[service]++;
      // the window frees once enough of the oldest requests fall out of it
      const needed = Math.min(w.length, w.length + units - limit.requests);
      const frees = needed > 0 ? w[needed - 1] + limit.windowMs : now + limit.windowMs;
      return Math.max(1, Math.ceil((frees - now) / 1000));
    }
    if (w.length > 0 && now < w[w.length - 1]) this.unordered.add(key);
    for (let i = 0; i < units; i++) w.push(now);
    return null;
  }

  /**
   * The window's times after `cutoff`. Times are added in the order the requests came, so the
   * expired ones lead and are cut off the front (not every time looked at for every request); a
   * clock set back (tests) puts them out of order, and they are sorted once.
   */
  private expire(key: Service | 'graphReads', cutoff: number): number[] {
    const w = this.windows[key];
    if (this.unordered.has(key)) {
      this.unordered.delete(key);
      return (this.windows[key] = w.filter((t) => t > cutoff).sort((a, b) => a - b));
    }
    let expired = 0;
    while (expired < w.length && w[expired] <= cutoff) expired++;
    if (expired > 0) w.splice(0, expired);
    return w;
  }

  /** Enters the concurrency gate; false when the service's concurrent limit is reached. */
  enter(service: Service): boolean {
    const c = this.settings().limits[service]?.concurrent;
    if (c !== undefined && this.inflight[service] >= c) {
      this.stats.throttled[service]++;
      return false;
    }
    this.inflight[service]++;
    return true;
  }

  leave(service: Service): void {
    this.inflight[service] = Math.max(0, this.inflight[service] - 1);
  }

  resetStats(): void {
    this.stats = emptyStats();
  }
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}
