/**
 * Reading what the sandbox recorded (src/sandbox/recorder.ts) and reporting what the Graph
 * checker found: one entry per distinct request, with every test that sent it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RecordedRequest } from '../../src/sandbox';
import { GRAPH_PREFIX } from '../../src/sandbox/graphQuery';
import type { GraphChecker, GraphRequest, Violation } from './graphCheck';

export function readRecordings(dir: string): RecordedRequest[] {
  if (!fs.existsSync(dir)) return [];
  const out: RecordedRequest[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
    for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      if (line.trim()) out.push(JSON.parse(line) as RecordedRequest);
    }
  }
  return out;
}

/** A recorded Graph request as the checker takes it: URL relative to the version root. */
export function toGraphRequest(recorded: RecordedRequest): GraphRequest | null {
  if (recorded.service !== 'graph' || !recorded.path.startsWith(GRAPH_PREFIX)) return null;
  const relative = recorded.path.slice(GRAPH_PREFIX.length) || '/';
  return {
    method: recorded.method,
    url: recorded.query ? `${relative}?${recorded.query}` : relative,
    body: recorded.body || undefined,
    headers: recorded.headers,
    root: recorded.origin ? `${recorded.origin}${GRAPH_PREFIX}` : undefined,
  };
}

export interface DistinctRequest {
  request: GraphRequest;
  labels: Set<string>;
  count: number;
}

export function distinct(records: RecordedRequest[]): DistinctRequest[] {
  const byKey = new Map<string, DistinctRequest>();
  for (const recorded of records) {
    const request = toGraphRequest(recorded);
    if (!request) continue;
    const key = `${request.method} ${request.url}\n${String(request.body ?? '')}`;
    const entry = byKey.get(key) ?? { request, labels: new Set<string>(), count: 0 };
    entry.count++;
    if (recorded.label) entry.labels.add(recorded.label);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

/** `GET /users/{id}/licenseDetails`: ids, UPNs and keys replaced, for the coverage list. */
export function shape(request: GraphRequest): string[] {
  const generalise = (url: string) =>
    url
      .split('?')[0]
      .split('/')
      .map((s) => (/^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(s) ? '{id}' : s.includes('%40') || s.includes('@') ? '{upn}' : s))
      .join('/')
      .replace(/\(('[^']*'|[^)]*)\)$/, '({key})');
  const own = `${request.method} ${generalise(request.url)}`;
  if (!/\/\$batch$/.test(request.url.split('?')[0])) return [own];
  try {
    const items = (JSON.parse(String(request.body)) as { requests?: { method?: string; url?: string }[] }).requests ?? [];
    return [own, ...items.map((i) => `$batch: ${String(i.method)} ${generalise(String(i.url))}`)];
  } catch {
    return [own];
  }
}

export function checkAll(checker: GraphChecker, requests: DistinctRequest[]): { entry: DistinctRequest; violations: Violation[] }[] {
  return requests.map((entry) => ({ entry, violations: checker.check(entry.request) })).filter((r) => r.violations.length > 0);
}

/** The URL with its query decoded, as a person reads it. */
export function readable(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return safeDecode(url);
  const params = [...new URLSearchParams(url.slice(q + 1))].map(([k, v]) => `${k}=${v}`).join('&');
  return `${safeDecode(url.slice(0, q))}?${params}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function clip(text: string, max = 400): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

export function formatViolations(found: { entry: DistinctRequest; violations: Violation[] }[]): string {
  const lines: string[] = [];
  for (const { entry, violations } of found) {
    lines.push(`✗ ${entry.request.method} ${readable(entry.request.url)}`);
    if (entry.request.body) lines.push(`    body: ${clip(String(entry.request.body))}`);
    const labels = [...entry.labels];
    if (labels.length > 0) lines.push(`    sent by: ${labels.slice(0, 3).join(' | ')}${labels.length > 3 ? ` (+${labels.length - 3} more)` : ''}`);
    for (const v of violations) lines.push(`    - ${v.request === `${entry.request.method} ${entry.request.url}` ? '' : `${v.request.split(' → ').slice(1).join(' → ')}: `}${v.message}`);
  }
  return lines.join('\n');
}
