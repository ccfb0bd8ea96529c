import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import pLimit, { type Limit } from 'p-limit';
import { AppError, SERVICE_NAMES } from '../../errors';
import type { Logger } from '../../log';
import type { TokenProvider } from './auth';
import { redactQuery } from './errors';
import { RateWindow, type RateLimit } from './rateWindow';
import type { HttpRequest, HttpResponse } from './types';
import { DEFAULT_RETRY, nextDelay, type Outcome, type RetryOptions } from './retry';
import type { Service } from '../../permissions';

/**
 * The one HTTP policy every tenant client goes through: bearer token, per-request timeout,
 * bounded concurrency owned by the client instance, and the retry strategies of retry.ts.
 * Callers never retry by hand; a response that is not retried is returned as is, and the
 * client turns a non-2xx into a coded AppError with `toServiceError`.
 */

/** A rate window and what a request counts against it. */
export interface PacedLimit {
  limit: RateLimit;
  unitsOf?: (request: HttpRequest) => number;
}

export interface HttpPolicyOptions {
  service: Service;
  tokens: TokenProvider;
  /** OAuth scope for this service, e.g. https://graph.microsoft.com/.default */
  scope: string;
  maxConcurrent?: number;
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  /**
   * The service's documented rate windows; requests are paced to stay inside each. A request counts
   * `request.units` when the caller said, else what the window's `unitsOf` says (default 1; 0: the
   * window does not apply, e.g. a read against a write quota).
   */
  rates?: PacedLimit[];
  logger?: Logger;
  /** Injected for tests: time and randomness are owned by the caller. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  fetch?: typeof fetch;
}

export interface HttpStats {
  requests: number;
  retries: number;
  throttled: number;
}

export class HttpPolicy {
  readonly service: Service;
  readonly stats: HttpStats = { requests: 0, retries: 0, throttled: 0 };
  private readonly options: Required<Omit<HttpPolicyOptions, 'logger' | 'retry' | 'rates'>> & { retry: RetryOptions; logger?: Logger };
  /** At most maxConcurrent requests of this client in flight, the rest queued in order. */
  private readonly gate: Limit;
  /** Pacing against the service's rate windows (none: none known). */
  private readonly windows: { window: RateWindow; unitsOf?: (request: HttpRequest) => number }[];

  constructor(options: HttpPolicyOptions) {
    this.service = options.service;
    this.options = {
      service: options.service,
      tokens: options.tokens,
      scope: options.scope,
      maxConcurrent: options.maxConcurrent ?? 8,
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      logger: options.logger,
      sleep: options.sleep ?? ((ms, signal) => setTimeout(ms, undefined, { signal })),
      random: options.random ?? Math.random,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    };
    this.gate = pLimit(this.options.maxConcurrent);
    this.windows = (options.rates ?? []).map((paced) => ({ window: new RateWindow(paced.limit), unitsOf: paced.unitsOf }));
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const { retry, sleep, random, logger } = this.options;
    const clientRequestId = randomUUID();
    const units = this.windows.map(({ unitsOf }) => request.units ?? unitsOf?.(request) ?? 1);
    let renewedToken = false;
    for (let attempt = 1; ; attempt++) {
      const result = await this.gate(async () => {
        await Promise.all(this.windows.flatMap(({ window }, i) => (units[i] > 0 ? [window.take(units[i])] : [])));
        return this.attempt(request, clientRequestId);
      });
      // A refused token (revoked, or signed with a key the authority has since rotated) is
      // renewed once; a second 401 is the service's answer.
      if ('status' in result && result.status === 401 && !renewedToken && this.options.tokens.invalidate) {
        renewedToken = true;
        this.options.tokens.invalidate(this.options.scope);
        continue;
      }
      const outcome: Outcome = 'status' in result ? { kind: 'response', ...result } : { kind: 'network', timeout: result.timeout };
      if ('status' in result && result.status === 429) this.stats.throttled++;
      const delay = nextDelay(outcome, attempt, retry, random);
      if (delay === undefined) {
        if ('status' in result) return { ...result, attempts: attempt };
        throw new AppError(
          result.timeout ? 'service_timeout' : 'service_unreachable',
          result.timeout
            ? `${SERVICE_NAMES[this.service]} did not answer in time (${attempt} attempts). Try again in a few minutes.`
            : `${SERVICE_NAMES[this.service]} could not be reached (${attempt} attempts). Check the network and try again.`,
          { service: this.service, cause: result.error },
        );
      }
      this.stats.retries++;
      logger?.debug(
        { service: this.service, method: request.method, url: redactQuery(request.url), attempt, delayMs: delay, status: 'status' in result ? result.status : 'network' },
        'retrying request',
      );
      // A wait cut short by the caller's signal ends with the signal's reason, as a cut request does.
      await sleep(delay, request.signal).catch((error: unknown) => {
        throw request.signal?.aborted ? request.signal.reason : error;
      });
    }
  }

  private async attempt(
    request: HttpRequest,
    clientRequestId: string,
  ): Promise<Omit<HttpResponse, 'attempts'> | { error: unknown; timeout: boolean }> {
    this.stats.requests++;
    const token = await this.options.tokens.getToken(this.options.scope);
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${token}`,
      'client-request-id': clientRequestId,
      ...request.headers,
    };
    let body = request.body;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers['content-type'] ??= 'application/json';
    }
    try {
      const response = await this.options.fetch(request.url, { method: request.method, headers, body, signal });
      const text = await response.text();
      return {
        service: this.service,
        status: response.status,
        headers: response.headers,
        text,
        request: { method: request.method, url: request.url },
        json<T>() {
          return (text === '' ? undefined : JSON.parse(text)) as T;
        },
      };
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      return { error, timeout: timeout.aborted };
    }
  }
}
