import { randomUUID } from 'node:crypto';

/**
 * Dataverse `$batch` wire format (OData 4.0 multipart/mixed): building the request body and
 * parsing the response body. Pure functions; sales.ts sends and maps.
 *
 * Request: one `application/http` part per operation, or one nested `multipart/mixed` change set
 * whose parts carry a Content-ID. Response: the same shape; a change set that failed is answered by
 * a single `application/http` part (the error) in place of the nested multipart. A batch that
 * stopped at a failure (no `Prefer: odata.continue-on-error`) answers HTTP 400 with the same
 * multipart body, ending at the failure (Learn "Execute batch operations using the Web API").
 */

const CRLF = '\r\n';

export interface DataverseOperation {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /**
   * Relative to the Web API root (`systemusers(…)`), absolute, or a change-set reference
   * (`$1/systemuserroles_association/$ref`).
   */
  url: string;
  headers?: Record<string, string>;
  /** JSON body. */
  body?: unknown;
  /** Content-ID inside a change set; defaults to the operation's 1-based position. */
  contentId?: string;
}

export interface BatchPartResponse {
  contentId?: string;
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
}

export type BatchResponseEntry = { kind: 'single'; part: BatchPartResponse } | { kind: 'changeset'; parts: BatchPartResponse[] };

export function newBoundary(prefix: 'batch' | 'changeset'): string {
  return `${prefix}_${randomUUID()}`;
}

function resolveUrl(url: string, apiRoot: string): string {
  if (/^https?:\/\//i.test(url) || url.startsWith('$')) return url;
  return `${apiRoot.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}

function operationPart(operation: DataverseOperation, apiRoot: string, contentId?: string): string {
  const mime = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (contentId !== undefined) mime.push(`Content-ID: ${contentId}`);
  const headers: Record<string, string> = { ...(operation.headers ?? {}) };
  const hasBody = operation.body !== undefined;
  if (hasBody && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json; type=entry';
  }
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'accept')) headers.Accept = 'application/json';
  const lines = [
    ...mime,
    '',
    `${operation.method} ${resolveUrl(operation.url, apiRoot)} HTTP/1.1`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    hasBody ? JSON.stringify(operation.body) : '',
  ];
  return lines.join(CRLF);
}

/**
 * The body and Content-Type of one `$batch` request. With `changeSet`, every operation goes into
 * one change set (all succeed or none is applied).
 */
export function buildBatchRequest(
  operations: readonly DataverseOperation[],
  options: { apiRoot: string; changeSet: boolean; boundary?: string; changeSetBoundary?: string },
): { body: string; contentType: string } {
  const boundary = options.boundary ?? newBoundary('batch');
  const parts: string[] = [];
  if (options.changeSet) {
    const changeSetBoundary = options.changeSetBoundary ?? newBoundary('changeset');
    const inner = operations.map((op, index) => `--${changeSetBoundary}${CRLF}${operationPart(op, options.apiRoot, op.contentId ?? String(index + 1))}`);
    parts.push(
      [`Content-Type: multipart/mixed; boundary=${changeSetBoundary}`, '', `${inner.join(CRLF)}${CRLF}--${changeSetBoundary}--`].join(CRLF),
    );
  } else {
    for (const op of operations) parts.push(operationPart(op, options.apiRoot));
  }
  const body = `${parts.map((p) => `--${boundary}${CRLF}${p}`).join(CRLF)}${CRLF}--${boundary}--${CRLF}`;
  return { body, contentType: `multipart/mixed; boundary=${boundary}` };
}

/** The `boundary` parameter of a multipart Content-Type, or undefined. */
export function boundaryOf(contentType: string | null | undefined): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match ? (match[1] ?? match[2]) : undefined;
}

/** Splits a head (header lines) from the rest at the first empty line. */
function splitHead(text: string): { head: Record<string, string>; firstLine?: string; rest: string } {
  const match = /\r?\n\r?\n/.exec(text);
  const headText = match ? text.slice(0, match.index) : text;
  const rest = match ? text.slice(match.index + match[0].length) : '';
  const head: Record<string, string> = {};
  for (const line of headText.split(/\r?\n/)) {
    const index = line.indexOf(':');
    if (index > 0) head[line.slice(0, index).trim().toLowerCase()] = line.slice(index + 1).trim();
  }
  return { head, rest };
}

function splitParts(text: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const pieces = text.split(delimiter);
  const parts: string[] = [];
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i];
    if (piece.startsWith('--')) break; // close delimiter
    parts.push(piece.replace(/^[ \t]*\r?\n/, '').replace(/\r?\n$/, ''));
  }
  return parts;
}

function parseHttpPart(mimeHead: Record<string, string>, content: string): BatchPartResponse {
  const lineEnd = /\r?\n/.exec(content);
  const statusLine = lineEnd ? content.slice(0, lineEnd.index) : content;
  const afterStatus = lineEnd ? content.slice(lineEnd.index + lineEnd[0].length) : '';
  const status = /^HTTP\/\d(?:\.\d)?\s+(\d{3})\s*(.*)$/i.exec(statusLine.trim());
  if (!status) throw new Error(`malformed batch part status line: ${statusLine.slice(0, 80)}`);
  // A part without headers starts its body after an empty line straight away.
  const { head, rest } = /^\r?\n/.test(afterStatus) ? { head: {}, rest: afterStatus.replace(/^\r?\n/, '') } : splitHead(afterStatus);
  return {
    contentId: mimeHead['content-id'],
    status: Number(status[1]),
    statusText: status[2] ?? '',
    headers: head,
    body: rest.replace(/(\r?\n)+$/, ''),
  };
}

/**
 * The boundary of a `$batch` response: from its Content-Type, else from the body's first delimiter
 * line (Learn's examples show a response without its Content-Type header).
 */
export function responseBoundary(text: string, contentType: string | null | undefined): string | undefined {
  return boundaryOf(contentType) ?? /^\s*--(batchresponse_[^\s]+)\r?\n/.exec(text)?.[1];
}

/** Parses a `$batch` response body into its entries, in order. */
export function parseBatchResponse(text: string, contentType: string | null | undefined): BatchResponseEntry[] {
  const boundary = responseBoundary(text, contentType);
  if (!boundary) throw new Error('batch response without a multipart boundary');
  return splitParts(text, boundary).map((part): BatchResponseEntry => {
    const { head, rest } = splitHead(part);
    const type = head['content-type'] ?? '';
    if (/^multipart\/mixed/i.test(type)) {
      const inner = boundaryOf(type);
      if (!inner) throw new Error('change set response without a boundary');
      return {
        kind: 'changeset',
        parts: splitParts(rest, inner).map((p) => {
          const split = splitHead(p);
          return parseHttpPart(split.head, split.rest);
        }),
      };
    }
    return { kind: 'single', part: parseHttpPart(head, rest) };
  });
}
