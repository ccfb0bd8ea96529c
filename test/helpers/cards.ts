/** Reading cards as a user would: inputs by id, Action.Execute buttons by verb. */

export function findById(card: unknown, id: string): Record<string, any> | undefined {
  let found: Record<string, any> | undefined;
  const walk = (node: any) => {
    if (found || !node || typeof node !== 'object') return;
    if (!Array.isArray(node) && node.id === id) found = node;
    else Object.values(node).forEach(walk);
  };
  walk(card);
  return found;
}

export function actionsOf(card: any): { verb: string; title: string; data: Record<string, unknown> }[] {
  return (card?.actions ?? []).filter((a: any) => a.type === 'Action.Execute').map((a: any) => ({ verb: a.verb, title: a.title, data: a.data ?? {} }));
}

export function action(card: any, verb: string) {
  const found = actionsOf(card).find((a) => a.verb === verb);
  if (!found) throw new Error(`card has no ${verb} action; it has: ${actionsOf(card).map((a) => a.verb).join(', ') || 'none'}`);
  return found;
}

/** The values a user would submit unchanged: every input's current value. */
export function inputValues(card: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  const walk = (node: any) => {
    if (!node || typeof node !== 'object') return;
    if (!Array.isArray(node) && typeof node.type === 'string' && node.type.startsWith('Input.') && node.id) values[node.id] = node.value ?? '';
    Object.values(node).forEach(walk);
  };
  walk(card);
  return values;
}
