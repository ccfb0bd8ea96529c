/**
 * A shortcut for the filters bulk reads send: `p in ('a', 'b', …)` or `p eq 'a' or p eq 'b' or …`
 * on one property. The rows that can match are found by that property's value instead of testing
 * every row (the real services index these columns; the sandbox would otherwise compare every
 * user with every value). The compiled filter still decides each candidate, so the answer is the
 * same as without the shortcut.
 */
import type { Node } from './odata';
import { DATE_PREFIX } from './odataEval';

/** The property and the lower-cased values a filter asks for, when it is only that; else null. */
export function equalityKeys(ast: Node): { prop: string; values: Set<string> } | null {
  const pairs: { prop: string; value: unknown }[] = [];
  const walk = (n: Node): boolean => {
    if (n.k === 'or') return walk(n.l) && walk(n.r);
    if (n.k === 'cmp' && n.op === 'eq' && n.l.k === 'prop' && n.r.k === 'lit') {
      pairs.push({ prop: n.l.name, value: n.r.v });
      return true;
    }
    if (n.k === 'in' && n.l.k === 'prop') {
      const prop = n.l.name;
      return n.list.every((item) => item.k === 'lit' && pairs.push({ prop, value: item.v }) > 0);
    }
    return false;
  };
  if (!walk(ast) || pairs.length === 0) return null;
  const prop = pairs[0].prop;
  if (prop.includes('/') || pairs.some((p) => p.prop !== prop || typeof p.value !== 'string' || DATE_PREFIX.test(p.value))) return null;
  return { prop, values: new Set(pairs.map((p) => (p.value as string).toLowerCase())) };
}

/** The rows a filter can match: by its equality keys (above), else all of them. */
export function candidates<R extends Record<string, unknown>>(keys: ReturnType<typeof equalityKeys>, rows: R[]): R[] {
  if (!keys) return rows;
  return rows.filter((row) => {
    const v = row[keys.prop];
    return typeof v === 'string' && keys.values.has(v.toLowerCase());
  });
}
