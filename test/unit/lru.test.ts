import { LruMap } from '../../src/lru';
import { Authorizer, type AccessPolicy } from '../../src/approvals/policy';

describe('LruMap', () => {
  it('keeps at most its capacity, forgetting the least recently used first', () => {
    const evicted: string[] = [];
    const map = new LruMap<string, number>(3, (key) => evicted.push(key));
    map.set('a', 1).set('b', 2).set('c', 3);
    expect(map.get('a')).toBe(1); // a is now the most recent
    map.set('d', 4);
    expect([map.has('a'), map.has('b'), map.has('c'), map.has('d')]).toEqual([true, false, true, true]);
    expect(evicted).toEqual(['b']);
    for (let i = 0; i < 10_000; i++) map.set(`k${i}`, i);
    expect(map.size).toBe(3);
  });
});

describe('the group membership cache', () => {
  it('stays bounded however many people write', async () => {
    let calls = 0;
    const groupId = '878d9152-aae7-44c0-9181-bbff88bcf925';
    const policy = { adminIds: [], approverIds: [], approverGroupId: groupId } as unknown as AccessPolicy;
    const access = new Authorizer(policy, { checkMemberGroups: async () => (calls++, []) }, 60_000, () => 0);
    const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    for (let i = 0; i < 6_000; i++) await access.isApprover(id(i));
    expect(calls).toBe(6_000);
    await access.isApprover(id(5_999)); // recent: cached
    expect(calls).toBe(6_000);
    await access.isApprover(id(0)); // among the first: forgotten, asked again
    expect(calls).toBe(6_001);
  });
});
