import { setTimeout as delay } from 'node:timers/promises';

export interface RateLimit {
  requests: number;
  windowMs: number;
}

/**
 * Client-side pacing against a service's sliding rate window: a request waits until its units fit
 * in the window, so a large run is spread over the window instead of being answered 429. Takers
 * are served in order; each unit is counted until `windowMs` (plus a small margin for the
 * service's own clock) after it was sent.
 */
export class RateWindow {
  private readonly sent: { at: number; units: number }[] = [];
  private used = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly limit: RateLimit,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => delay(ms),
    private readonly now: () => number = Date.now,
  ) {}

  take(units: number): Promise<void> {
    const wanted = Math.max(1, Math.min(units, this.limit.requests));
    const turn = this.queue.then(() => this.admit(wanted));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async admit(units: number): Promise<void> {
    const margin = Math.max(100, Math.ceil(this.limit.windowMs / 100));
    for (;;) {
      const now = this.now();
      while (this.sent.length > 0 && this.sent[0].at + this.limit.windowMs + margin <= now) this.used -= this.sent.shift()!.units;
      if (this.used + units <= this.limit.requests) {
        this.sent.push({ at: now, units });
        this.used += units;
        return;
      }
      // Wait until enough of the oldest units have left the window.
      let freed = this.limit.requests - this.used;
      let until = now;
      for (const entry of this.sent) {
        freed += entry.units;
        until = entry.at + this.limit.windowMs + margin;
        if (freed >= units) break;
      }
      await this.sleep(Math.max(1, until - now));
    }
  }
}
