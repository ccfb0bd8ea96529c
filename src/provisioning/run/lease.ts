import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../../log';
import type { RecordStore } from '../../storage/records';
import { leaseKey } from '../../storage/keys';

/**
 * Run leases, for several bot instances on shared storage. Only the holder of a run's lease
 * executes it; the holder renews the lease while it works, and once a lease has expired (its
 * holder died or stalled) any instance may take it over. Acquiring and renewing are eTag-guarded
 * updates of one record per run, so two instances never both win.
 */


export interface LeaseRecord {
  planId: string;
  holder: string;
  acquiredAt: string;
  expiresAt: string;
  /** Set when the holder let go (the run ended there). */
  releasedAt?: string;
  /** The holder whose expired lease this one replaced. */
  takenOverFrom?: string;
}

export interface LeaseOptions {
  records: RecordStore;
  /** How long a lease lasts without renewal. It is renewed every third of this. */
  durationMs: number;
  logger?: Logger;
  holder?: string;
  now?: () => number;
}

/**
 * A lease this instance holds. `lost` turns true, and `signal` aborts, when another instance has
 * taken it over, or when renewals have failed for so long that the lease could lapse before the
 * next one: the holder stops working before anybody else may start.
 */
export interface HeldLease {
  readonly planId: string;
  readonly lost: boolean;
  readonly signal: AbortSignal;
  release(): Promise<void>;
}

/** Why a held lease stopped the work. */
export class LeaseLostError extends Error {
  constructor(
    readonly planId: string,
    readonly why: 'taken over' | 'not renewed',
  ) {
    super(`The run lease for ${planId} was ${why === 'taken over' ? 'taken over by another instance' : 'not renewed in time'}.`);
    this.name = 'LeaseLostError';
  }
}

export class Leases {
  readonly holder: string;
  readonly durationMs: number;
  private watchTimer?: NodeJS.Timeout;

  constructor(private readonly options: LeaseOptions) {
    this.holder = options.holder ?? `${hostname()}#${process.pid}#${randomUUID().slice(0, 8)}`;
    this.durationMs = options.durationMs;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Takes the run's lease when nobody holds it, it has expired, or this instance holds it already. */
  async acquire(planId: string): Promise<HeldLease | undefined> {
    const now = this.now();
    const { changed } = await this.options.records.update<LeaseRecord>(leaseKey(planId), (current) => {
      const free = !current || current.holder === this.holder || Date.parse(current.expiresAt) <= now;
      if (!free) return undefined;
      return {
        planId,
        holder: this.holder,
        acquiredAt: new Date(now).toISOString(),
        expiresAt: new Date(now + this.durationMs).toISOString(),
        takenOverFrom: current && current.holder !== this.holder && !current.releasedAt ? current.holder : undefined,
      };
    });
    if (!changed) return undefined;
    return this.keep(planId, now + this.durationMs);
  }

  /**
   * Renews every third of the duration until released or lost. The lease is good until the
   * expiry of the last renewal this instance saw written; once less than a third of the duration
   * is left of it (two renewals in a row failed, or one hangs), the work stops: the signal aborts
   * while the lease is still ours, so no other instance can have taken it over yet.
   */
  private keep(planId: string, expiresAt: number): HeldLease {
    const margin = Math.floor(this.durationMs / 3);
    const controller = new AbortController();
    let validUntil = expiresAt;
    let lost = false;
    let released = false;
    let renewing = false;
    const stop = (why: LeaseLostError['why']) => {
      if (lost) return;
      lost = true;
      clearInterval(timer);
      controller.abort(new LeaseLostError(planId, why));
      if (why === 'taken over') this.options.logger?.warn({ planId, holder: this.holder }, 'run lease taken over by another instance');
      else this.options.logger?.error({ planId, holder: this.holder }, 'run lease could not be renewed: the work stops before it lapses');
    };
    const tick = async () => {
      if (lost || released) return;
      if (this.now() >= validUntil - margin) return stop('not renewed');
      if (renewing) return; // the previous renewal has not answered yet
      renewing = true;
      const now = this.now();
      try {
        let takenOver = false;
        const { changed } = await this.options.records.update<LeaseRecord>(leaseKey(planId), (current) => {
          if (!current || current.holder !== this.holder) {
            takenOver = true;
            return undefined;
          }
          return { ...current, expiresAt: new Date(now + this.durationMs).toISOString(), releasedAt: undefined };
        });
        if (takenOver) stop('taken over');
        else if (changed && !released) validUntil = now + this.durationMs;
      } catch (error) {
        // Storage unreachable or the eTag lost every time: try again at the next tick, while time is left.
        this.options.logger?.warn({ err: error, planId }, 'could not renew the run lease');
      } finally {
        renewing = false;
      }
      if (!lost && !released && this.now() >= validUntil - margin) stop('not renewed');
    };
    const timer = setInterval(() => void tick(), Math.max(50, margin));
    timer.unref();
    return {
      planId,
      get lost() {
        return lost;
      },
      signal: controller.signal,
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        if (lost) return;
        await this.options.records.update<LeaseRecord>(leaseKey(planId), (current) =>
          current && current.holder === this.holder ? { ...current, expiresAt: new Date(this.now()).toISOString(), releasedAt: new Date(this.now()).toISOString() } : undefined,
        );
      },
    };
  }

  /**
   * Looks again every half lease for runs whose holder has gone (`relaunch` launches every
   * unfinished run; a run whose lease is still held elsewhere is left alone). Started once.
   */
  watch(relaunch: () => Promise<unknown>): void {
    if (this.watchTimer) return;
    let busy = false;
    this.watchTimer = setInterval(() => {
      if (busy) return;
      busy = true;
      relaunch()
        .catch((error) => this.options.logger?.warn({ err: error }, 'could not look for runs to take over'))
        .finally(() => (busy = false));
    }, Math.max(100, Math.floor(this.durationMs / 2)));
    this.watchTimer.unref();
  }

  close(): void {
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = undefined;
  }
}

/** Runs `work` only while holding the run's lease; without leases (one instance), runs it directly. */
export async function underLease(leases: Leases | undefined, planId: string, work: (lease?: HeldLease) => Promise<void>): Promise<void> {
  if (!leases) return work();
  const lease = await leases.acquire(planId);
  if (!lease) return;
  try {
    await work(lease);
  } finally {
    await lease.release();
  }
}
