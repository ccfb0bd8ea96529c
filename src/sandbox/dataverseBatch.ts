/**
 * Dataverse `$batch`: multipart/mixed requests with change sets. A change set is atomic: when one
 * of its operations fails, its changes are rolled back and its response is that one error.
 *
 * Errors (Learn "Execute batch operations using the Web API", "Handling errors"): without
 * `Prefer: odata.continue-on-error`, the first failing request (or change set) ends the batch and
 * the batch answers `HTTP/1.1 400 BadRequest` whose multipart body holds that request's error
 * part; with it, the batch answers 200 and every request's result, errors included, is in the body.
 * A failed change set's part is one `application/http` error in place of the nested multipart
 * (OData 4.0 Part 1 §11.7.4); Learn shows only the failure outside a change set, so the change-set
 * form follows the OData specification.
 */
import { STATUS_CODES } from 'node:http';
import { type Ctx, state } from './context';
import { HttpError, splitUrl, type SbReply, type SbRequest, uuid } from './http';
import { DV_PREFIX, dvOk } from './dataverseQuery';
import type { Target } from './faults';

export const MAX_BATCH_OPERATIONS = 1000;

export interface BatchOp {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  contentId: string | null;
}

export type BatchPart = { kind: 'op'; op: BatchOp } | { kind: 'changeset'; ops: BatchOp[] };

const bad = (message: string) => new HttpError(400, '0x80060888', message);

export function boundaryOf(contentType: string | undefined): string | null {
  if (!contentType || !/^\s*multipart\/mixed/i.test(contentType)) return null;
  const m = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

function splitParts(text: string, boundary: string): string[] {
  const delim = `--${boundary}`;
  let idx = text.startsWith(delim) ? 0 : text.indexOf(`\n${delim}`) + 1;
  if (idx <= 0 && !text.startsWith(delim)) throw bad(`The batch body does not contain the boundary '${boundary}'.`);
  const parts: string[] = [];
  for (;;) {
    const start = idx + delim.length;
    if (text.startsWith('--', start)) return parts;
    const next = text.indexOf(`\n${delim}`, start);
    if (next < 0) throw bad(`The batch body is missing the closing boundary '--${boundary}--'.`);
    parts.push(text.slice(start, next).replace(/^[ \t]*\n/, ''));
    idx = next + 1;
  }
}

function splitHead(text: string): { headers: Record<string, string>; rest: string; first: string | null } {
  const end = text.indexOf('\n\n');
  const head = end >= 0 ? text.slice(0, end) : text;
  const rest = end >= 0 ? text.slice(end + 2) : '';
  const headers: Record<string, string> = {};
  let first: string | null = null;
  for (const line of head.split('\n')) {
    const c = line.indexOf(':');
    if (c > 0 && !/^[A-Z]+ \S+/.test(line)) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
    else if (first === null && line.trim()) first = line.trim();
  }
  return { headers, rest, first };
}

function parseOp(part: string): BatchOp {
  const outer = splitHead(part);
  if (!/^application\/http/i.test(outer.headers['content-type'] ?? '')) {
    throw bad("Each batch part must have 'Content-Type: application/http' or be a change set.");
  }
  const inner = splitHead(outer.rest);
  const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/1\.[01])?$/.exec(inner.first ?? '');
  if (!m) throw bad(`The request line '${inner.first ?? ''}' of a batch operation is not valid.`);
  return {
    method: m[1],
    url: m[2],
    headers: inner.headers,
    body: inner.rest.trim(),
    contentId: outer.headers['content-id'] ?? inner.headers['content-id'] ?? null,
  };
}

/** Parses a $batch body into plain operations and change sets. */
export function parseBatch(req: SbRequest): BatchPart[] {
  const boundary = boundaryOf(req.headers['content-type']);
  if (!boundary) throw bad("The $batch request must have 'Content-Type: multipart/mixed' with a boundary.");
  const text = req.body.toString('utf8').replace(/\r\n/g, '\n');
  const parts: BatchPart[] = [];
  for (const raw of splitParts(text, boundary)) {
    const { headers, rest } = splitHead(raw);
    const inner = boundaryOf(headers['content-type']);
    if (inner) parts.push({ kind: 'changeset', ops: splitParts(rest, inner).map(parseOp) });
    else parts.push({ kind: 'op', op: parseOp(raw) });
  }
  const count = parts.reduce((n, p) => n + (p.kind === 'op' ? 1 : p.ops.length), 0);
  if (count > MAX_BATCH_OPERATIONS) throw bad(`The number of operations in the batch (${count}) exceeds the maximum of ${MAX_BATCH_OPERATIONS}.`);
  return parts;
}

/** The operations of a batch as fault-rule targets (none when it does not parse). */
export function batchTargets(req: SbRequest): Target[] {
  try {
    return parseBatch(req).flatMap((p) => (p.kind === 'op' ? [p.op] : p.ops)).map((op) => ({ method: op.method, path: opPath(op.url) }));
  } catch {
    return [];
  }
}

function opPath(url: string): string {
  const abs = /^https?:\/\/[^/]+(\/.*)?$/i.exec(url);
  const rel = abs ? abs[1] ?? '/' : url;
  const i = rel.indexOf('api/data/v9.2/');
  const tail = i >= 0 ? rel.slice(i + 'api/data/v9.2/'.length) : rel.replace(/^\/+/, '');
  return `${DV_PREFIX}/${tail}`;
}

function toRequest(env: SbRequest, op: BatchOp): SbRequest {
  const { path, query } = splitUrl(op.url);
  return {
    method: op.method,
    path: opPath(path),
    query,
    headers: { authorization: env.headers.authorization ?? '', ...op.headers },
    body: Buffer.from(op.body, 'utf8'),
    origin: env.origin,
  };
}

function httpPart(reply: SbReply, contentId: string | null): string {
  const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (contentId !== null) lines.push(`Content-ID: ${contentId}`);
  lines.push('', `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? ''}`.trimEnd());
  for (const [k, v] of Object.entries(reply.headers ?? {})) if (k.toLowerCase() !== 'content-length') lines.push(`${k}: ${v}`);
  lines.push('');
  if (reply.body !== undefined) lines.push(JSON.stringify(reply.body));
  return lines.join('\r\n');
}

/** Resolves a `$<Content-ID>` reference to the entity an earlier operation addressed (null: unknown). */
function resolveContentId(op: BatchOp, entities: Map<string, string>): BatchOp | null {
  const m = /^\$([^/?]+)(.*)$/s.exec(op.url);
  if (!m) return op;
  const base = entities.get(m[1]);
  return base === undefined ? null : { ...op, url: `${base}${m[2]}` };
}

export type OpRunner = (req: SbRequest) => SbReply;

/** Executes a parsed batch; `run` handles one operation. */
export function executeBatch(ctx: Ctx, env: SbRequest, parts: BatchPart[], run: OpRunner): SbReply {
  const continueOnError = /odata\.continue-on-error/i.test(env.headers.prefer ?? '');
  const boundary = `batchresponse_${uuid()}`;
  const chunks: string[] = [];
  let stopped = false;
  const exec = (op: BatchOp): SbReply => {
    ctx.guard.stats.batchItems.dataverse++;
    return run(toRequest(env, op));
  };
  for (const part of parts) {
    let failed = false;
    if (part.kind === 'op') {
      const reply = exec(part.op);
      chunks.push(httpPart(reply, part.op.contentId));
      failed = reply.status >= 400;
    } else {
      const s = state(ctx);
      const snapshot = structuredClone(s.dataverse);
      const replies: { reply: SbReply; op: BatchOp }[] = [];
      let error: { reply: SbReply; op: BatchOp } | null = null;
      const entities = new Map<string, string>();
      for (const raw of part.ops) {
        const op = resolveContentId(raw, entities);
        const reply = op === null
          ? dvOk(400, { error: { code: '0x80060888', message: `The Content-ID reference in '${raw.url}' does not name an earlier operation of the change set.` } })
          : op.method === 'GET'
            ? dvOk(400, { error: { code: '0x80060888', message: 'GET requests are not allowed inside a change set.' } })
            : exec(op);
        const entityId = reply.headers?.['OData-EntityId'] ?? reply.headers?.Location;
        if (raw.contentId !== null && entityId) entities.set(raw.contentId, entityId);
        if (reply.status >= 400) {
          error = { reply, op: raw };
          break;
        }
        replies.push({ reply, op: raw });
      }
      if (error) {
        s.dataverse = snapshot;
        ctx.store.touch();
        chunks.push(httpPart(error.reply, error.op.contentId));
        failed = true;
      } else {
        const cs = `changesetresponse_${uuid()}`;
        const inner = replies.map((r) => `--${cs}\r\n${httpPart(r.reply, r.op.contentId)}\r\n`).join('');
        chunks.push(`Content-Type: multipart/mixed; boundary=${cs}\r\n\r\n${inner}--${cs}--`);
      }
    }
    if (failed && !continueOnError) {
      stopped = true;
      break;
    }
  }
  const raw = chunks.map((c) => `--${boundary}\r\n${c}\r\n`).join('') + `--${boundary}--\r\n`;
  return {
    status: stopped ? 400 : 200,
    headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}`, 'OData-Version': '4.0' },
    raw,
  };
}
