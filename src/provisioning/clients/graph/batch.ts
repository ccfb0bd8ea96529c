import { AppError } from '../../../errors';
import { setTimeout } from 'node:timers/promises';
import { backoffMs, DEFAULT_RETRY, retryAfterMs, type RetryOptions } from '../../http/retry';
import { graphError, type GraphErrorContext } from './errors';
import { HttpResponse } from '../../http/types';

/**
 * Graph JSON `$batch`: at most 20 requests per envelope, answered in any order, each sub-request
 * throttled on its own. The HttpPolicy retries the envelope; it cannot see a 429 inside a 200
 * envelope, so the item-level retry lives here: only the items that came back 429/503 (and the
 * items that failed with 424 because one of those was their dependency) are sent again, after the
 * largest Retry-After any of them asked for, a bounded number of times.
 */

export const GRAPH_BATCH_LIMIT = 20;

export interface GraphBatchItem {
  /** Unique within the call; results are matched to requests by it. */
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Relative to the version root, e.g. `/users` or `/users/{id}/assignLicense`. */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** The one item that must succeed first; a chain is sent as an envelope of its own. */
  dependsOn?: string[];
  /** How to describe this item in an error message (and which UPN or SKU it concerns). */
  context?: GraphErrorContext;
}

export interface GraphBatchResult {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Envelopes this item took (1 = answered the first time). */
  attempts: number;
  /** Set for every non-2xx item: a coded error (424 → batch_dependency_failed). */
  error?: AppError;
}

export interface BatchRetryOptions extends RetryOptions {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const DEFAULT_BATCH_RETRY: BatchRetryOptions = {
  ...DEFAULT_RETRY,
  sleep: (ms) => setTimeout(ms),
  random: Math.random,
};

interface WireItem {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

interface WireResponse {
  id?: string;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

const RETRY_ITEM_STATUSES = new Set([429, 503]);

/**
 * Packs items into envelopes of at most `limit`. Graph takes an envelope that is fully parallel
 * (no `dependsOn`) or fully sequential (one chain, each item depending on the one before it, in
 * that order) and refuses anything else as a whole ("Batch should be either fully sequential or
 * fully parallel", Learn "Combine multiple HTTP requests using JSON batching"). So independent
 * items share envelopes, and each dependency chain travels alone, in chain order.
 */
export function planBatchChunks(items: readonly GraphBatchItem[], limit = GRAPH_BATCH_LIMIT): GraphBatchItem[][] {
  const byId = new Map<string, GraphBatchItem>();
  for (const item of items) {
    if (!item.id) throw new AppError('invalid_input', 'Every batch item needs an id.');
    if (byId.has(item.id)) throw new AppError('invalid_input', `Batch item id "${item.id}" is used twice; ids must be unique.`);
    byId.set(item.id, item);
  }
  const next = new Map<string, GraphBatchItem>();
  for (const item of items) {
    const deps = item.dependsOn ?? [];
    for (const dependency of deps) {
      if (!byId.has(dependency)) throw new AppError('invalid_input', `Batch item "${item.id}" depends on "${dependency}", which is not in the batch.`);
    }
    if (deps.length > 1) throw new AppError('invalid_input', `Batch item "${item.id}" depends on ${deps.length} items; a batch chain lets each item depend on one.`);
    if (deps.length === 1) {
      if (next.has(deps[0])) throw new AppError('invalid_input', `Two batch items depend on "${deps[0]}"; a batch chain lets each item have one follower.`);
      next.set(deps[0], item);
    }
  }
  const parallel: GraphBatchItem[] = [];
  const chains: GraphBatchItem[][] = [];
  let chained = 0;
  for (const item of items) {
    if ((item.dependsOn ?? []).length > 0) continue;
    if (!next.has(item.id)) {
      parallel.push(item);
      continue;
    }
    const chain = [item];
    for (let follower = next.get(item.id); follower; follower = next.get(follower.id)) chain.push(follower);
    if (chain.length > limit) {
      throw new AppError('invalid_input', `A chain of ${chain.length} dependent batch items is longer than the ${limit} one batch can hold.`);
    }
    chained += chain.length;
    chains.push(chain);
  }
  if (parallel.length + chained !== items.length) throw new AppError('invalid_input', 'The dependsOn references of the batch items form a cycle.');
  const chunks: GraphBatchItem[][] = [];
  for (let i = 0; i < parallel.length; i += limit) chunks.push(parallel.slice(i, i + limit));
  return [...chunks, ...chains];
}

function toWire(item: GraphBatchItem, inFlight: Set<string>): WireItem {
  const wire: WireItem = { id: item.id, method: item.method, url: item.url.startsWith('/') ? item.url : `/${item.url}` };
  const headers = { ...(item.headers ?? {}) };
  if (item.body !== undefined) {
    wire.body = item.body;
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  }
  if (Object.keys(headers).length > 0) wire.headers = headers;
  const dependsOn = (item.dependsOn ?? []).filter((id) => inFlight.has(id));
  if (dependsOn.length > 0) wire.dependsOn = dependsOn;
  return wire;
}

function headerGetter(headers: Record<string, string>) {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { get: (name: string) => lower.get(name.toLowerCase()) ?? null };
}

/** An item's answer in the shape of a policy response, so the one error mapping applies to it. */
function itemResponse(wire: WireResponse, attempts: number, item: GraphBatchItem): HttpResponse {
  const headers = new Headers();
  for (const [key, value] of Object.entries(wire.headers ?? {})) headers.set(key, String(value));
  const text = wire.body === undefined || wire.body === null ? '' : typeof wire.body === 'string' ? wire.body : JSON.stringify(wire.body);
  return {
    service: 'graph',
    status: wire.status ?? 0,
    headers,
    text,
    attempts,
    request: { method: item.method, url: item.url },
    json<T>() {
      return (text === '' ? undefined : JSON.parse(text)) as T;
    },
  };
}

function describe(item: GraphBatchItem): GraphErrorContext {
  if (item.context) return item.context;
  return { what: `run the batch step ${item.method} ${item.url.split('?')[0]}` };
}

/**
 * Runs `items` through `send` (which posts one envelope and returns the policy's response) and
 * returns one result per item, in the order of `items`.
 */
export async function runGraphBatch(
  items: readonly GraphBatchItem[],
  send: (body: { requests: WireItem[] }) => Promise<HttpResponse>,
  retry: BatchRetryOptions = DEFAULT_BATCH_RETRY,
): Promise<GraphBatchResult[]> {
  if (items.length === 0) return [];
  const chunks = planBatchChunks(items);
  const results = new Map<string, GraphBatchResult>();
  await Promise.all(chunks.map((chunk) => runChunk(chunk, send, retry, results)));
  return items.map((item) => results.get(item.id)!);
}

async function runChunk(
  chunk: GraphBatchItem[],
  send: (body: { requests: WireItem[] }) => Promise<HttpResponse>,
  retry: BatchRetryOptions,
  results: Map<string, GraphBatchResult>,
): Promise<void> {
  const byId = new Map(chunk.map((item) => [item.id, item]));
  let pending = chunk;
  for (let attempt = 1; ; attempt++) {
    const inFlight = new Set(pending.map((item) => item.id));
    const envelope = await send({ requests: pending.map((item) => toWire(item, inFlight)) });
    if (envelope.status !== 200) throw graphError(envelope, { what: 'send a batch of directory changes' });
    const answered = new Map<string, WireResponse>();
    for (const response of envelope.json<{ responses?: WireResponse[] }>()?.responses ?? []) {
      if (typeof response.id === 'string' && inFlight.has(response.id)) answered.set(response.id, response);
    }
    const transient = new Set<string>();
    let waitMs = 0;
    let waitKnown = false;
    for (const item of pending) {
      const wire = answered.get(item.id) ?? {
        id: item.id,
        status: 500,
        body: { error: { code: 'missingBatchResponse', message: 'The batch response had no entry for this request.' } },
      };
      const status = wire.status ?? 500;
      const response = itemResponse(wire, attempt, item);
      results.set(item.id, {
        id: item.id,
        status,
        headers: Object.fromEntries(Object.entries(wire.headers ?? {}).map(([k, v]) => [k, String(v)])),
        body: wire.body ?? null,
        attempts: attempt,
        error: status >= 200 && status < 300 ? undefined : graphError(response, describe(item)),
      });
      if (RETRY_ITEM_STATUSES.has(status)) {
        transient.add(item.id);
        const asked = retryAfterMs(headerGetter(wire.headers ?? {}));
        if (asked !== undefined) {
          waitKnown = true;
          waitMs = Math.max(waitMs, asked);
        }
      }
    }
    // A 424 whose failed dependency is being sent again goes with it.
    const blockedBy = (item: GraphBatchItem, seen = new Set<string>()): boolean =>
      (item.dependsOn ?? []).some((id) => {
        if (seen.has(id)) return false;
        seen.add(id);
        const dependency = byId.get(id);
        return transient.has(id) || (dependency !== undefined && results.get(id)?.status === 424 && blockedBy(dependency, seen));
      });
    const resend = pending.filter((item) => transient.has(item.id) || (results.get(item.id)?.status === 424 && blockedBy(item)));
    if (resend.length === 0 || attempt >= retry.maxAttempts) return;
    if (!waitKnown) waitMs = backoffMs(attempt, retry, retry.random);
    if (waitMs > retry.maxRetryAfterMs) return;
    await retry.sleep(waitMs);
    pending = resend;
  }
}
