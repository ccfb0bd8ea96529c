/**
 * Graph JSON `$batch`: at most 20 requests, unique ids, `dependsOn` ordering (a failed dependency
 * gives 424), each item throttled on its own, responses in an order different from the request.
 * A batch is fully parallel (no `dependsOn`) or fully sequential (one chain in request order, each
 * request depending on the one before it); anything else is refused as a whole with 400 (Learn
 * "Combine multiple HTTP requests using JSON batching": "Batch should be either fully sequential
 * or fully parallel"; microsoftgraph/microsoft-graph-docs issue 16280 shows the 400 for a batch of
 * two chains). The error code `BadRequest` is not documented by Microsoft; it is what Graph's
 * other envelope-level 400s carry.
 */
import { createHash } from 'node:crypto';
import type { Ctx } from './context';
import { graphError } from './errors';
import { HttpError, isObject, splitUrl, type SbReply, type SbRequest } from './http';
import { GRAPH_PREFIX, graphOk } from './graphQuery';
import type { Target } from './faults';

export const MAX_GRAPH_BATCH = 20;
const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

export interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  dependsOn: string[];
}

const bad = (message: string) => new HttpError(400, 'BadRequest', message);

/** Validates the batch payload; throws HttpError(400) for the whole batch. */
export function parseGraphBatch(req: SbRequest): BatchItem[] {
  let payload: unknown;
  try {
    payload = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw bad('Invalid batch payload format.');
  }
  if (!isObject(payload) || !Array.isArray(payload.requests)) throw bad('Invalid batch payload format.');
  if (payload.requests.length > MAX_GRAPH_BATCH) {
    throw bad(`Invalid batch payload format. The batch contains ${payload.requests.length} requests; at most ${MAX_GRAPH_BATCH} are allowed.`);
  }
  const items: BatchItem[] = [];
  const ids = new Set<string>();
  for (const r of payload.requests) {
    if (!isObject(r) || typeof r.id !== 'string' || !r.id || typeof r.method !== 'string' || typeof r.url !== 'string') {
      throw bad('Invalid batch payload format. Each request needs a string id, method and url.');
    }
    const method = r.method.toUpperCase();
    if (!METHODS.has(method)) throw bad(`Invalid batch payload format. Method '${r.method}' of request id : ${r.id} is not supported.`);
    if (ids.has(r.id)) throw bad(`Invalid batch payload format. Request id : ${r.id} is duplicated; ids must be unique.`);
    ids.add(r.id);
    const headers: Record<string, string> = {};
    if (r.headers !== undefined) {
      if (!isObject(r.headers)) throw bad(`Invalid batch payload format. The headers of request id : ${r.id} must be an object.`);
      for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = String(v);
    }
    if ((method === 'POST' || method === 'PATCH' || method === 'PUT') && (r.body === undefined || !headers['content-type'])) {
      throw bad(`Write request id : ${r.id} does not contain Content-Type header or body.`);
    }
    const dependsOn = r.dependsOn ?? [];
    if (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string')) {
      throw bad(`Invalid batch payload format. dependsOn of request id : ${r.id} must be an array of ids.`);
    }
    items.push({ id: r.id, method, url: r.url, headers, body: r.body, dependsOn: dependsOn as string[] });
  }
  for (const it of items) {
    const unknown = it.dependsOn.find((d) => !ids.has(d) || d === it.id);
    if (unknown !== undefined) throw bad(`Invalid batch payload format. Request id : ${it.id} depends on an unknown request id : ${unknown}.`);
  }
  executionOrder(items);
  if (!fullyParallel(items) && !fullySequential(items)) throw bad(MIXED_BATCH);
  return items;
}

export const MIXED_BATCH = 'Batch should be either fully sequential or fully parallel';

const fullyParallel = (items: BatchItem[]) => items.every((it) => it.dependsOn.length === 0);

/** One chain in request order: the first depends on nothing, every other on exactly the one before. */
function fullySequential(items: BatchItem[]): boolean {
  return items.every((it, i) => (i === 0 ? it.dependsOn.length === 0 : it.dependsOn.length === 1 && it.dependsOn[0] === items[i - 1].id));
}

/** Items in an order where each comes after what it depends on; throws on a cycle. */
function executionOrder(items: BatchItem[]): BatchItem[] {
  const done = new Set<string>();
  const order: BatchItem[] = [];
  while (order.length < items.length) {
    const ready = items.filter((it) => !done.has(it.id) && it.dependsOn.every((d) => done.has(d)));
    if (!ready.length) throw bad('Invalid batch payload format. The dependsOn references form a cycle.');
    for (const it of ready) {
      done.add(it.id);
      order.push(it);
    }
  }
  return order;
}

function itemPath(url: string): string {
  let rel = url.replace(/^https?:\/\/[^/]+/i, '').replace(/^\/+/, '');
  if (rel.startsWith('graph/v1.0/')) rel = rel.slice('graph/v1.0/'.length);
  else if (rel.startsWith('v1.0/')) rel = rel.slice('v1.0/'.length);
  return `${GRAPH_PREFIX}/${rel}`;
}

export function graphBatchTargets(req: SbRequest): Target[] {
  try {
    return parseGraphBatch(req).map((it) => ({ method: it.method, path: splitUrl(itemPath(it.url)).path }));
  } catch {
    return [];
  }
}

function toRequest(env: SbRequest, it: BatchItem): SbRequest {
  const { path, query } = splitUrl(itemPath(it.url));
  const body = it.body === undefined ? '' : typeof it.body === 'string' ? it.body : JSON.stringify(it.body);
  return {
    method: it.method,
    path,
    query,
    headers: { authorization: env.headers.authorization ?? '', 'client-request-id': env.headers['client-request-id'] ?? '', ...it.headers },
    body: Buffer.from(body, 'utf8'),
    origin: env.origin,
  };
}

/** A fixed, id-dependent order that differs from the request order whenever there are two or more. */
function responseOrder<T extends { id: string }>(items: T[], requestOrder: string[]): T[] {
  const hashes = new Map(items.map((item) => [item.id, createHash('sha1').update(item.id).digest('hex')]));
  const h = (id: string) => hashes.get(id)!;
  const out = [...items].sort((a, b) => (h(a.id) < h(b.id) ? -1 : h(a.id) > h(b.id) ? 1 : 0));
  if (out.length > 1 && out.every((x, i) => x.id === requestOrder[i])) out.reverse();
  return out;
}

export type ItemRunner = (req: SbRequest) => Promise<SbReply>;

export async function handleGraphBatch(ctx: Ctx, env: SbRequest, runItem: ItemRunner): Promise<SbReply> {
  const items = parseGraphBatch(env);
  const results = new Map<string, { id: string; status: number; headers: Record<string, string>; body?: unknown }>();
  for (const it of executionOrder(items)) {
    const failedDep = it.dependsOn.find((d) => (results.get(d)?.status ?? 0) >= 400);
    let reply: SbReply;
    if (failedDep !== undefined) {
      reply = graphError(env, 424, 'FailedDependency', `The request could not be executed because the request it depends on (id ${failedDep}) failed.`);
    } else {
      reply = await runItem(toRequest(env, it));
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(reply.headers ?? {})) {
      if (k.toLowerCase() !== 'content-length') headers[k] = v;
    }
    results.set(it.id, { id: it.id, status: reply.status, headers, ...(reply.body !== undefined ? { body: reply.body } : {}) });
  }
  const responses = responseOrder([...results.values()], items.map((i) => i.id));
  return graphOk(env, 200, { responses });
}
