/**
 * Retry strategies, as pure functions. The loop in policy.ts only waits and counts; these decide.
 * Order: the throttling strategy (the service said how long to wait) first, then exponential
 * backoff with jitter for timeouts, resets and 5xx. Only the statuses in RETRY_STATUSES are
 * retried: conflicts and bad requests are facts for the caller, not transient failures.
 */

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export interface RetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound for a server-requested wait; a longer Retry-After fails fast instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 6,
  baseDelayMs: 400,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 120_000,
};

/** What happened on one attempt. */
export type Outcome =
  | { kind: 'response'; status: number; headers: { get(name: string): string | null } }
  | { kind: 'network'; timeout: boolean };

/** Milliseconds the service asked for, from Retry-After (seconds or HTTP date) or retry-after-ms. */
export function retryAfterMs(headers: { get(name: string): string | null }, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms') ?? headers.get('x-ms-retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (!Number.isNaN(date)) return Math.max(0, date - now);
  return undefined;
}

/** Exponential backoff with full jitter over [delay/2, delay]: a pure function of the attempt. */
export function backoffMs(attempt: number, options: RetryOptions, random: () => number): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/**
 * The decision after attempt number `attempt` (1-based): wait this many ms and try again,
 * or stop (undefined) and hand the outcome to the caller.
 */
export function nextDelay(
  outcome: Outcome,
  attempt: number,
  options: RetryOptions,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= options.maxAttempts) return undefined;
  if (outcome.kind === 'network') return backoffMs(attempt, options, random);
  if (!RETRY_STATUSES.has(outcome.status)) return undefined;
  if (outcome.status === 429 || outcome.status === 503) {
    const asked = retryAfterMs(outcome.headers);
    if (asked !== undefined) return asked <= options.maxRetryAfterMs ? asked : undefined;
  }
  return backoffMs(attempt, options, random);
}
