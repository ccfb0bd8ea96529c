/** HTTP plumbing shared by the service emulations: requests, replies, errors, a tiny router. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** A request as the service handlers see it (also used for $batch sub-requests). */
export interface SbRequest {
  method: string;
  /** path without the query string, still percent-encoded */
  path: string;
  query: URLSearchParams;
  /** lower-case header names */
  headers: Record<string, string>;
  body: Buffer;
  /** scheme://host of the sandbox as the client addressed it */
  origin: string;
}

/** A reply: `body` is serialised as JSON unless `raw` is given. */
export interface SbReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  raw?: string | Buffer;
}

/** An error a handler raises; each service turns it into its own error format. */
export class HttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLargeError(`The request body is larger than ${limit} bytes.`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}

export function toSbRequest(req: IncomingMessage, body: Buffer, fallbackHost: string): SbRequest {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: q >= 0 ? rawUrl.slice(0, q) : rawUrl,
    query: new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : ''),
    headers,
    body,
    // Behind a proxy the client addressed the proxy's host: that is the URL it sees (and Dataverse's audience).
    origin: `http://${headers['x-forwarded-host'] ?? headers.host ?? fallbackHost}`,
  };
}

/** Splits "a/b?c=d" into path and query; used for $batch sub-requests. */
export function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const q = url.indexOf('?');
  return {
    path: q >= 0 ? url.slice(0, q) : url,
    query: new URLSearchParams(q >= 0 ? url.slice(q + 1) : ''),
  };
}

export function writeReply(res: ServerResponse, reply: SbReply): void {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload: string | Buffer | undefined = reply.raw;
  if (payload === undefined && reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json; charset=utf-8';
    }
  }
  if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
  else headers['Content-Length'] = '0';
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** Parses a JSON body; `undefined` for an empty one. Throws HttpError(400) on malformed JSON. */
export function jsonBody(req: SbRequest, code: string, message: string): unknown {
  const text = req.body.toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, code, message);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Builds a query string, keeping `$` in OData option names readable. */
export function buildQuery(params: URLSearchParams): string {
  const parts: string[] = [];
  params.forEach((v, k) => {
    parts.push(`${encodeURIComponent(k).replace(/^%24/, '$')}=${encodeURIComponent(v)}`);
  });
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Opaque paging token carrying an offset. */
export function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

export function decodeSkipToken(token: string | null): number | null {
  if (token === null) return 0;
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
    return typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0 ? v.o : null;
  } catch {
    return null;
  }
}

/** The link to the next page: the same URL with $skiptoken replaced. */
export function nextLink(origin: string, path: string, query: URLSearchParams, offset: number): string {
  const q = new URLSearchParams(query);
  q.delete('$skiptoken');
  q.set('$skiptoken', encodeSkipToken(offset));
  return `${origin}${path}${buildQuery(q)}`;
}

export function uuid(): string {
  return randomUUID();
}

export const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isGuid(s: unknown): s is string {
  return typeof s === 'string' && GUID_RE.test(s);
}

/** Decodes one path segment; malformed percent-encoding is kept as is. */
export function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A minimal route table: method + regular expression over the path → handler. */
export type RouteHandler<C> = (ctx: C, req: SbRequest, params: string[]) => SbReply | Promise<SbReply>;

export class Router<C> {
  private readonly routes: { method: string; re: RegExp; handler: RouteHandler<C> }[] = [];

  on(method: string, re: RegExp, handler: RouteHandler<C>): this {
    this.routes.push({ method, re, handler });
    return this;
  }

  /** The matching route, 'method' when the path exists for another method, or null. */
  match(method: string, path: string): { handler: RouteHandler<C>; params: string[] } | 'method' | null {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method === method) return { handler: r.handler, params: m.slice(1).map((p) => p ?? '') };
    }
    return pathMatched ? 'method' : null;
  }
}
