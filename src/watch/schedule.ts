/**
 * When a watch runs: every `intervalMs` from the moment it was turned on (a daily watch turned on
 * at 09:14 checks at 09:14 every day). Pure, so every instance computes the same times.
 */

/** The first scheduled time after `now` (a run that was due earlier and missed is not repeated). */
export function nextRunAfter(enabledAt: number, intervalMs: number, now: number): number {
  if (!(intervalMs > 0)) throw new RangeError('the watch interval must be positive');
  if (now < enabledAt) return enabledAt + intervalMs;
  return enabledAt + (Math.floor((now - enabledAt) / intervalMs) + 1) * intervalMs;
}

/**
 * How often an instance looks for due runs: a sixth of the interval, between 5 seconds and a
 * minute, so a run starts at most that late (a minute late for a daily watch).
 */
export function tickMs(intervalMs: number): number {
  return Math.min(60_000, Math.max(5_000, Math.floor(intervalMs / 6)));
}
