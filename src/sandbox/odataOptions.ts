/** OData $select, $orderby and $expand options, and projection of rows. */
import { ODataError, type Schema } from './odata';
import { compare } from './odataEval';

export function parseSelect(text: string | null, fields: Schema, entity: string): string[] | null {
  if (text === null) return null;
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (!names.length) throw new ODataError(`The $select query option is empty.`);
  for (const n of names) {
    if (n === '*') continue;
    if (!(n in fields)) throw new ODataError(`Could not find a property named '${n}' on type '${entity}'.`);
  }
  return names.includes('*') ? null : [...new Set(names)];
}

export function compileOrderBy(text: string | null, fields: Schema, entity: string): ((a: Record<string, unknown>, b: Record<string, unknown>) => number) | null {
  if (text === null || !text.trim()) return null;
  const keys = text.split(',').map((part) => {
    const [name, dir, extra] = part.trim().split(/\s+/);
    if (!name || extra !== undefined || (dir !== undefined && dir !== 'asc' && dir !== 'desc')) {
      throw new ODataError(`Syntax error in $orderby '${text}'.`);
    }
    if (!(name in fields)) throw new ODataError(`Could not find a property named '${name}' on type '${entity}'.`);
    return { name, sign: dir === 'desc' ? -1 : 1 };
  });
  return (a, b) => {
    for (const k of keys) {
      const va = a[k.name];
      const vb = b[k.name];
      if (va === vb) continue;
      if (va === null || va === undefined) return -k.sign;
      if (vb === null || vb === undefined) return k.sign;
      const c = compare(va, vb) ?? 0;
      if (c !== 0) return c * k.sign;
    }
    return 0;
  };
}

export interface ExpandItem {
  name: string;
  options: Record<string, string>;
}

/** Splits at `sep` outside parentheses and quotes. */
function splitTop(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === sep) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}

export function parseExpand(text: string | null): ExpandItem[] {
  if (text === null) return [];
  return splitTop(text, ',').map((item) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?$/s.exec(item);
    if (!m) throw new ODataError(`Syntax error in $expand '${text}'.`);
    const options: Record<string, string> = {};
    for (const opt of splitTop(m[2] ?? '', ';')) {
      const eq = opt.indexOf('=');
      if (eq <= 0) throw new ODataError(`Syntax error in $expand '${text}'.`);
      options[opt.slice(0, eq).trim()] = opt.slice(eq + 1).trim();
    }
    return { name: m[1], options };
  });
}

/** Keeps `names` of `row` in that order (all of `defaults` when `names` is null). */
export function project(row: Record<string, unknown>, names: readonly string[] | null, defaults: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names ?? defaults) out[n] = row[n] === undefined ? null : row[n];
  return out;
}
