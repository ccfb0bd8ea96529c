import { AppError } from '../../errors';

/**
 * OData query building shared by the Graph, Dataverse and Business Central clients. Every string
 * literal that reaches a $filter goes through `quote`; every GUID through `guid`; every query string
 * through `query`, which percent-encodes each value. No client concatenates user data into a URL
 * by hand.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An OData string literal: single quotes around, a single quote inside doubled. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function isGuid(value: unknown): boolean {
  return typeof value === 'string' && GUID.test(value);
}

/**
 * A validated GUID in canonical lower case, for places where the API wants it unquoted
 * (`azureactivedirectoryobjectid eq 6f2c…`, `roles(6f2c…)`). Anything else is refused before a
 * request is made, so a GUID position can never carry an injected expression.
 */
export function guid(value: string, what = 'identifier'): string {
  if (!isGuid(value)) {
    throw new AppError('invalid_input', `The ${what} "${String(value).slice(0, 60)}" is not a GUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).`);
  }
  return value.toLowerCase();
}

/** `property in ('a','b')` (Graph). */
export function inList(property: string, values: readonly string[]): string {
  return `${property} in (${values.map(quote).join(',')})`;
}

/** `property eq 'a' or property eq 'b'` (Dataverse has no `in` operator in $filter). */
export function orChain(property: string, values: readonly string[], literal: (value: string) => string = quote): string {
  return values.map((value) => `${property} eq ${literal(value)}`).join(' or ');
}

/** encodeURIComponent, plus the sub-delimiters it leaves alone (`! ' ( ) *`). */
export function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** One URL path segment (a UPN as a key, an environment name). */
export function segment(value: string): string {
  return encode(value);
}

export type QueryValue = string | number | boolean | undefined | null;

/**
 * `?$filter=…&$select=…` with every value percent-encoded; undefined and null values are left out.
 * Keys are the query option names the clients use ($filter, api-version) and stay literal.
 */
export function query(params: Record<string, QueryValue>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (!/^[$A-Za-z][A-Za-z0-9_.-]*$/.test(key)) throw new Error(`invalid query option name: ${key}`);
    parts.push(`${key}=${encode(String(value))}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/**
 * Splits values into groups whose filter stays short enough: at most `maxValues` per group and,
 * when `maxLength` is given, a rendered `build(group)` no longer than that many characters.
 */
export function chunkFilter(
  values: readonly string[],
  build: (group: string[]) => string,
  limits: { maxValues?: number; maxLength?: number },
): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  for (const value of values) {
    const candidate = [...current, value];
    const tooMany = limits.maxValues !== undefined && candidate.length > limits.maxValues;
    const tooLong = limits.maxLength !== undefined && build(candidate).length > limits.maxLength;
    if (current.length > 0 && (tooMany || tooLong)) {
      groups.push(current);
      current = [value];
    } else {
      current = candidate;
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Unique values, compared case-insensitively, first spelling kept. */
export function uniqueIgnoringCase(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const value of values) {
    const key = value.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(value);
  }
  return out;
}

/**
 * Resolves an `@odata.nextLink` against the base the client was built for and refuses links to any
 * other origin or path, so a paged response can never send the bearer token somewhere else.
 */
export function sameBaseLink(nextLink: string, base: string): { url: string; relative: string } {
  const next = new URL(nextLink, base.endsWith('/') ? base : `${base}/`);
  const root = new URL(base);
  const rootPath = root.pathname.replace(/\/$/, '');
  if (next.origin !== root.origin || !(next.pathname === rootPath || next.pathname.startsWith(`${rootPath}/`))) {
    throw new AppError('service_error', `A paged response pointed outside ${root.origin}${rootPath}; the listing was stopped.`);
  }
  return { url: next.toString(), relative: `${next.pathname.slice(rootPath.length)}${next.search}` };
}
