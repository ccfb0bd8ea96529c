import { createHash } from 'node:crypto';
import { canonicalJson, planDigest, planDigestOf, referenceCanonicalJson, type Action } from '../../src/setup/plan';

/**
 * The digest an approver approves: the same plan gives the same digest, byte for byte as it was
 * computed before canonicalJson was made faster (the value below is pinned), and canonicalJson
 * writes exactly what its reference rules write, for plain data and for anything else.
 */

const environment = { dataverseUrl: 'https://contoso.crm4.dynamics.com', bapEnvironmentId: 'b6f0c2a4-1d3e-4f5a-8b7c-9d0e1f2a3b4c', bcEnvironment: 'Production', bcCompanyId: 'd8976880-678b-457c-adad-7b5b624c6c0f' };
const actions = [
  { key: 'createUser:kari.hansen@contoso.no', type: 'createUser', target: { userPrincipalName: 'kari.hansen@contoso.no', displayName: 'Kari Hansen' }, params: { mailNickname: 'kari.hansen', usageLocation: 'NO', deliverPassword: false, mail: 'kari.hansen@contoso.no', givenName: undefined } },
  { key: 'assignLicense:kari.hansen@contoso.no:1e1a282c', type: 'assignLicense', target: { userPrincipalName: 'kari.hansen@contoso.no', displayName: 'Kari Hansen' }, params: { skuId: '1e1a282c-9c54-43a2-9310-98ef728faace', skuPartNumber: 'DYN365_ENTERPRISE_SALES' } },
  { key: 'assignRole:x', type: 'assignRole', target: { userId: '6fbf6ad6-70a8-4731-a695-1f15fa696fe0', userPrincipalName: 'øystein.bakke@contoso.no', displayName: 'Øystein "Bakke" \u2028 \u0000' }, params: { roleId: '012cd9f7', roleName: 'Salesperson', roleTemplateId: null, n: 12.5, flags: [true, false, null, 0, -0, 1e21] } },
] as unknown as Action[];

/** A small deterministic generator (no Math.random: a failure can be run again). */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
  const KEYS = ['a', 'b', 'Z', '7', '10', 'key', 'type', 'target', 'userPrincipalName', 'displayName', 'ø', 'é', '\u{1F600}', 'a b', '"q"', '', 'aa', 'ab', 'A'];
  const leaf = () => pick<unknown>(['', 'text', 'Øystein "Bakke"', '\u2028\u0000', 0, -0, 1.5, -3, 1e21, 2 ** 53, true, false, null, undefined]);
  const value = (depth: number): unknown => {
    const roll = next();
    if (depth > 3 || roll < 0.4) return leaf();
    if (roll < 0.65) return Array.from({ length: Math.floor(next() * 4) }, () => { const v = value(depth + 1); return v === undefined ? null : v; });
    const object: Record<string, unknown> = {};
    for (let i = Math.floor(next() * 6); i > 0; i--) object[pick(KEYS)] = value(depth + 1);
    return object;
  };
  return value;
}

describe('the plan digest', () => {
  it('is the digest pinned for this plan (same input, same digest)', () => {
    expect(planDigest({ kind: 'salespeople', environment, actions })).toBe('11c202ee108487e2ae354af94ca04412f19452f48a2073e6d253a1e903e54658');
    expect(planDigest({ kind: 'salespeople', environment: { ...environment }, actions: JSON.parse(JSON.stringify(actions)) })).toBe('11c202ee108487e2ae354af94ca04412f19452f48a2073e6d253a1e903e54658');
  });

  it('changes with any change of an action', () => {
    const changed = JSON.parse(JSON.stringify(actions));
    changed[2].params.flags[5] = 1e20;
    expect(planDigest({ kind: 'salespeople', environment, actions: changed })).not.toBe('11c202ee108487e2ae354af94ca04412f19452f48a2073e6d253a1e903e54658');
  });
});

describe('the plan digest, a slice of actions at a time', () => {
  it('is the same digest, for the pinned plan and for a plan of thousands of actions', async () => {
    expect(await planDigestOf({ kind: 'salespeople', environment, actions })).toBe('11c202ee108487e2ae354af94ca04412f19452f48a2073e6d253a1e903e54658');
    const value = generator(7);
    const many = Array.from({ length: 4500 }, (_, i) => (i % 3 === 0 ? { ...actions[i % 3], key: `k${i}`, extra: value(1) } : value(1))) as unknown as Action[];
    let turns = 0;
    const digest = await planDigestOf({ kind: 'salespeople', environment, actions: many }, async () => void turns++);
    expect(digest).toBe(planDigest({ kind: 'salespeople', environment, actions: many }));
    expect(digest).toBe(createHash('sha256').update(referenceCanonicalJson({ kind: 'salespeople', environment, actions: many })).digest('hex'));
    // 4,500 actions: three slices, two turns of the event loop in between.
    expect(turns).toBe(2);
  });

  it('is the same digest for an empty plan and for actions the reference rules write as nothing', async () => {
    for (const list of [[], [undefined, actions[0]], [actions[0], , actions[1]]]) { // eslint-disable-line no-sparse-arrays
      const plan = { kind: 'admin', environment, actions: list as unknown as Action[] } as const;
      expect(await planDigestOf(plan)).toBe(createHash('sha256').update(referenceCanonicalJson(plan)).digest('hex'));
    }
  });
});

describe('canonicalJson', () => {
  it('writes what the reference rules write, for a thousand generated values', () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const value = generator(seed)(0);
      expect([seed, canonicalJson(value)]).toEqual([seed, referenceCanonicalJson(value)]);
    }
  });

  it.each([
    ['keys that are array indexes (JSON.stringify would put them first)', { b: 1, 10: 'ten', 9: 'nine', a: { 2: 1, 1: 2 } }],
    ['an undefined array item and a hole', { list: [1, undefined, 3], sparse: [1, , 3] }], // eslint-disable-line no-sparse-arrays
    ['a Date (toJSON)', { at: new Date('2026-01-15T08:00:00.000Z'), b: 1 }],
    ['a function and a symbol', { f: () => 1, s: Symbol('s'), a: 1 }],
    ['NaN and infinities', { x: NaN, y: Infinity, z: [-Infinity] }],
    ['an own __proto__ key', JSON.parse('{"b":1,"__proto__":{"x":1},"a":2}')],
    ['an object without prototype', Object.assign(Object.create(null), { b: 1, a: 2 })],
    ['a Map and a boxed string', { m: new Map([['a', 1]]), s: new String('x') }],
    ['a string at the top', 'plain'],
    ['undefined at the top', undefined],
  ])('writes what the reference rules write: %s', (_what, value) => {
    expect(canonicalJson(value)).toEqual(referenceCanonicalJson(value));
  });

  it('sorts keys by UTF-16 code units at every level and leaves out undefined values', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: undefined, x: 2 }], c: 'é' }, A: null, 'ø': 1, '\u{1F600}': 2 })).toBe('{"A":null,"a":{"c":"é","d":[{"x":2,"z":1}]},"b":1,"ø":1,"\u{1F600}":2}');
  });
});
