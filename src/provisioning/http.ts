import { randomUUID } from 'node:crypto';
import { AppError, coded, SERVICE_NAMES, type ErrorCode, type Service } from '../errors';
import type { StringKey } from '../i18n';
import type { Logger } from '../log';
import type { TokenProvider } from './auth';
import { grantFor, grantSentence } from './permissions';
import { DEFAULT_RETRY, nextDelay, retryAfterMs, type Outcome, type RetryOptions } from './retry';

/**
 * The one HTTP policy every tenant client goes through: bearer token, per-request timeout,
 * bounded concurrency owned by the client instance, and the retry strategies of retry.ts.
 * Callers never retry by hand; a response that is not retried is returned as is, and the
 * client turns a non-2xx into a coded AppError with `toServiceError`.
 */

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Absolute URL. */
  url: string;
  headers?: Record<string, string>;
  /** JSON-serialisable body (sent as application/json) or a prepared string body. */
  json?: unknown;
  body?: string;
  signal?: AbortSignal;
  /** What the request counts as against the service's rate window (a Graph $batch: its items). Default 1. */
  units?: number;
}

export interface HttpResponse {
  service: Service;
  status: number;
  headers: Headers;
  text: string;
  /** Number of attempts this response took (1 = no retry). */
  attempts: number;
  /** The request this answers (for a Graph `$batch` item: the item). */
  request?: { method: string; url: string };
  json<T = unknown>(): T;
}

export interface HttpPolicyOptions {
  service: Service;
  tokens: TokenProvider;
  /** OAuth scope for this service, e.g. https://graph.microsoft.com/.default */
  scope: string;
  maxConcurrent?: number;
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  /** The service's documented rate window; requests are paced to stay inside it. */
  rate?: RateLimit | null;
  /** Units of a request when the caller did not say (e.g. the items of a Graph `$batch`). */
  unitsOf?: (request: HttpRequest) => number;
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

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A counting semaphore: at most `limit` holders at once, FIFO. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

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
    private readonly sleep: (ms: number) => Promise<void> = (ms) => abortableSleep(ms),
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
      while (this.sent.length > 0 && this.sent[0]!.at + this.limit.windowMs + margin <= now) this.used -= this.sent.shift()!.units;
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

export class HttpPolicy {
  readonly service: Service;
  readonly stats: HttpStats = { requests: 0, retries: 0, throttled: 0 };
  private readonly options: Required<Omit<HttpPolicyOptions, 'logger' | 'retry' | 'rate' | 'unitsOf'>> & { retry: RetryOptions; logger?: Logger; unitsOf?: (request: HttpRequest) => number };
  private readonly gate: Semaphore;
  /** Pacing against the service's rate window (absent: none known). */
  readonly rate?: RateWindow;

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
      sleep: options.sleep ?? abortableSleep,
      random: options.random ?? Math.random,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      unitsOf: options.unitsOf,
    };
    this.gate = new Semaphore(this.options.maxConcurrent);
    if (options.rate) this.rate = new RateWindow(options.rate);
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const { retry, sleep, random, logger } = this.options;
    const clientRequestId = randomUUID();
    const units = request.units ?? this.options.unitsOf?.(request) ?? 1;
    let renewedToken = false;
    for (let attempt = 1; ; attempt++) {
      const result = await this.gate.run(async () => {
        await this.rate?.take(units);
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
      await sleep(delay, request.signal);
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

/** Query strings can carry user data; logs keep only the path. */
export function redactQuery(url: string): string {
  const index = url.indexOf('?');
  return index < 0 ? url : `${url.slice(0, index)}?…`;
}

/** The `{ error: { code, message } }` shape all four services use for errors. */
export function readServiceError(response: HttpResponse): { code?: string; message?: string } {
  try {
    const parsed = response.json<{ error?: { code?: unknown; message?: unknown } }>();
    const code = typeof parsed?.error?.code === 'string' ? parsed.error.code : undefined;
    const message = typeof parsed?.error?.message === 'string' ? parsed.error.message : undefined;
    return { code, message };
  } catch {
    return {};
  }
}

/**
 * The generic mapping from a failed response to a coded error with a message an admin can act
 * on. Clients check their service-specific cases first and fall back to this. The service's own
 * text stays in `cause` (for the log), never in the message.
 */
/** A service-specific case: its code and either an English message or a catalogue key with its variables. */
export type SpecificError = { code: ErrorCode; message: string } | { code: ErrorCode; key: StringKey; vars?: Record<string, string> };

export function toServiceError(response: HttpResponse, what: string, specific?: SpecificError): AppError {
  const service = response.service;
  const { code: serviceCode, message: serviceMessage } = readServiceError(response);
  const name = SERVICE_NAMES[service];
  const options = {
    service,
    status: response.status,
    serviceCode,
    cause: new Error(`${response.status} ${serviceCode ?? ''} ${serviceMessage ?? ''}`.trim()),
    retryAfterSeconds: (() => {
      const ms = retryAfterMs(response.headers);
      return ms === undefined ? undefined : Math.ceil(ms / 1000);
    })(),
  };
  if (specific && 'key' in specific) return coded(specific.code, specific.key, specific.vars ?? {}, options);
  if (specific) return new AppError(specific.code, specific.message, options);
  switch (response.status) {
    case 401: {
      // Business Central answers 401 (Authentication_InvalidCredentials) to a valid token of an app
      // it does not admit: no API.ReadWrite.All, or not on its "Microsoft Entra Applications" page.
      if (service === 'bc') return new AppError('forbidden', `${name} refused to ${what}: ${grantSentence('bc:s2s')}.`, { ...options, grant: 'bc:s2s' });
      return new AppError('auth_failed', `${name} did not accept the app's credentials while trying to ${what}. Check the app registration's secret or certificate.`, options);
    }
    case 403: {
      const grant = grantFor(service, response.request);
      return new AppError(
        'forbidden',
        grant ? `${name} refused to ${what}: ${grantSentence(grant)}.` : `${name} refused to ${what}: the app registration lacks a permission. See the README's permission list.`,
        { ...options, grant },
      );
    }
    case 404:
      return new AppError('not_found', `${name} could not find what was needed to ${what}.`, options);
    case 409:
      return new AppError('conflict', `${name} reported a conflict while trying to ${what}.`, options);
    case 429:
      return new AppError('service_throttled', `${name} is throttling requests; could not ${what}. Try again in a few minutes.`, options);
    case 503:
      return new AppError('service_unavailable', `${name} is temporarily unavailable; could not ${what}. Try again in a few minutes.`, options);
    default:
      if (response.status >= 500) return new AppError('service_error', `${name} failed while trying to ${what} (HTTP ${response.status}). Try again later.`, options);
      return new AppError('bad_request', `${name} rejected the request to ${what} (HTTP ${response.status}).`, options);
  }
}
