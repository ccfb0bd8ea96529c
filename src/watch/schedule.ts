/**
 * When a watch runs: every `intervalMs` from the moment it was turned on (a daily watch turned on
 * at 09:14 checks at 09:14 every day). Runs are numbered; run 0 is the turning on itself, whose
 * check is the baseline. Pure, so every instance computes the same number for the same moment.
 */

/** The number of the latest run due at `now` (0 until the first interval has passed). */
export function dueRun(enabledAt: number, intervalMs: number, now: number): number {
  if (!(intervalMs > 0) || now <= enabledAt) return 0;
  return Math.floor((now - enabledAt) / intervalMs);
}

/** When run `n` is due. */
export function runTime(enabledAt: number, intervalMs: number, n: number): number {
  return enabledAt + n * intervalMs;
}

/**
 * How often an instance looks for due runs: a sixth of the interval, between 5 seconds and a
 * minute, so a run starts at most that late (a minute late for a daily watch).
 */
export function tickMs(intervalMs: number): number {
  return Math.min(60_000, Math.max(5_000, Math.floor(intervalMs / 6)));
}
