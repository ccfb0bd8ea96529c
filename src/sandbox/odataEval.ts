/** Evaluation of a parsed, type-checked $filter over one row. */
import type { Node } from './odataAst';

type Vars = Record<string, unknown>;

const paths = new Map<string, string[]>();

function resolve(name: string, row: Record<string, unknown>, vars: Vars): unknown {
  let segments = paths.get(name);
  if (!segments) paths.set(name, (segments = name.split('/')));
  const [first, ...rest] = segments as [string, ...string[]];
  let v: unknown = first in vars ? vars[first] : row[first];
  for (const seg of rest) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
  return v ?? null;
}

function value(n: Node, row: Record<string, unknown>, vars: Vars): unknown {
  if (n.k === 'lit') return n.v;
  if (n.k === 'prop') return resolve(n.name, row, vars);
  return evaluate(n, row, vars);
}

function norm(v: unknown): unknown {
  return typeof v === 'string' ? v.toLowerCase() : v;
}

export const DATE_PREFIX = /^\d{4}-\d{2}-\d{2}/;

export function compare(a: unknown, b: unknown): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  const da = Date.parse(sa);
  const db = Date.parse(sb);
  if (DATE_PREFIX.test(sa) && DATE_PREFIX.test(sb) && !Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  const la = sa.toLowerCase();
  const lb = sb.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

function equal(a: unknown, b: unknown): boolean {
  const na = a === undefined ? null : a;
  const nb = b === undefined ? null : b;
  if (na === null || nb === null) return na === nb;
  // Two strings that are not dates are equal when they are equal ignoring case: the common case
  // (ids, names, addresses), decided without compare()'s date parsing.
  if (typeof na === 'string' && typeof nb === 'string' && !(DATE_PREFIX.test(na) && DATE_PREFIX.test(nb))) return na.toLowerCase() === nb.toLowerCase();
  return compare(norm(na), norm(nb)) === 0;
}

function truthy(v: unknown): boolean {
  return v === true;
}

export function evaluate(n: Node, row: Record<string, unknown>, vars: Vars): unknown {
  switch (n.k) {
    case 'or':
      return truthy(evaluate(n.l, row, vars)) || truthy(evaluate(n.r, row, vars));
    case 'and':
      return truthy(evaluate(n.l, row, vars)) && truthy(evaluate(n.r, row, vars));
    case 'not':
      return !truthy(evaluate(n.e, row, vars));
    case 'cmp': {
      const a = value(n.l, row, vars);
      const b = value(n.r, row, vars);
      if (n.op === 'eq') return equal(a, b);
      if (n.op === 'ne') return !equal(a, b);
      const c = compare(a, b);
      if (c === null) return false;
      return n.op === 'gt' ? c > 0 : n.op === 'ge' ? c >= 0 : n.op === 'lt' ? c < 0 : c <= 0;
    }
    case 'in': {
      const a = value(n.l, row, vars);
      return n.list.some((item) => equal(a, value(item, row, vars)));
    }
    case 'lambda': {
      const coll = resolve(n.coll, row, vars);
      const items = Array.isArray(coll) ? coll : [];
      if (!n.body || !n.v) return items.length > 0;
      const test = (el: unknown) => truthy(evaluate(n.body!, row, { ...vars, [n.v!]: el }));
      return n.op === 'any' ? items.some(test) : items.every(test);
    }
    case 'call': {
      if (n.name === 'Microsoft.Dynamics.CRM.In') {
        const prop = String((n.named.PropertyName as { v: unknown }).v);
        const v = resolve(prop, row, vars);
        const list = (n.named.PropertyValues as { items: Node[] }).items;
        return v !== null && list.some((item) => equal(String(v), value(item, row, vars)));
      }
      const a = value(n.args[0], row, vars);
      const b = value(n.args[1], row, vars);
      if (typeof a !== 'string' || typeof b !== 'string') return false;
      const la = a.toLowerCase();
      const lb = b.toLowerCase();
      switch (n.name.toLowerCase()) {
        case 'startswith':
          return la.startsWith(lb);
        case 'endswith':
          return la.endsWith(lb);
        case 'contains':
          return la.includes(lb);
        default:
          return false;
      }
    }
    case 'prop':
      return resolve(n.name, row, vars) === true;
    default:
      return value(n, row, vars);
  }
}
