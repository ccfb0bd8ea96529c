import { createLogger } from '../../src/log';
import type { Clients } from '../../src/provisioning/clients';
import type { GraphBatchItem, GraphBatchResult } from '../../src/provisioning/clients/graph/batch';
import type { ActionContext } from '../../src/provisioning/run/actions';
import { joinLicenceGroups, PollBackoff } from '../../src/provisioning/run/bulk/licenceGroup';
import type { BulkState, Outcomes } from '../../src/provisioning/run/bulk/phase';
import { actionKey, type Action } from '../../src/setup/plan';

/**
 * Waiting for Entra to license a group's members, with an injected clock (sleeping moves it):
 * the wait between reads backs off while nobody's licence changes and is back to pollMs once it
 * does; each round reads only the members still waiting; each member records how long it waited.
 */

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const GROUP = '11111111-1111-4111-8111-111111111111';
const SKU = '1e1a282c-9c54-43a2-9310-98ef728faace';

type Join = Extract<Action, { type: 'joinLicenceGroup' }>;

/** A directory whose members get the group's licence at the time `licensedAt` says (ms after T0), or an error. */
function harness(licensedAt: (i: number) => number | 'CountViolation', n: number, settings: Partial<ActionContext['settings']> = {}) {
  let time = T0;
  const slept: number[] = [];
  const reads: number[] = [];
  const upn = (i: number) => `seller${i}@contoso.no`;
  const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const directory = {
    directMemberIds: async () => new Set<string>(),
    addGroupMembers: async () => undefined,
    batch: async (items: GraphBatchItem[]): Promise<GraphBatchResult[]> => {
      let users = 0;
      const results = items.map((item) => {
        const wanted = [...decodeURIComponent(item.url).matchAll(/'(seller\d+@contoso\.no)'/g)].map((m) => m[1]);
        users += wanted.length;
        const value = wanted.map((u) => {
          const i = Number(/\d+/.exec(u)![0]);
          const at = licensedAt(i);
          const states =
            at === 'CountViolation'
              ? [{ skuId: SKU, assignedByGroup: GROUP, state: 'Error', error: 'CountViolation' }]
              : time - T0 >= at
                ? [{ skuId: SKU, assignedByGroup: GROUP, state: 'Active', error: null }]
                : [];
          return { id: id(i), userPrincipalName: u, displayName: u, accountEnabled: true, assignedLicenses: [], licenseAssignmentStates: states };
        });
        return { id: item.id, status: 200, headers: {}, body: { value }, attempts: 1 };
      });
      reads.push(users);
      return results;
    },
  };
  const saved: Outcomes = {};
  const context = {
    clients: { directory } as unknown as Clients,
    environment: { dataverseUrl: 'https://contoso.crm4.dynamics.com', bapEnvironmentId: 'env-1', bcEnvironment: 'Production' },
    settings: { addUserRetryMs: 1, addUserTimeoutMs: 600_000, pollMs: 250, ...settings },
    logger: createLogger({ level: 'silent' }),
    sleep: async (ms: number) => {
      slept.push(ms);
      time += ms;
    },
    now: () => time,
  } satisfies ActionContext;
  const state: BulkState = {
    context,
    save: async (outcomes) => void Object.assign(saved, outcomes),
    stopped: () => false,
    ids: new Map(Array.from({ length: n }, (_, i) => [upn(i), id(i)])),
    blocked: new Map(),
    created: new Map(),
    salesUsers: new Map(),
  };
  const actions: Join[] = Array.from({ length: n }, (_, i) => ({
    key: actionKey.joinLicenceGroup('Sales licence', id(i)),
    type: 'joinLicenceGroup',
    target: { userId: id(i), userPrincipalName: upn(i) },
    params: { groupName: 'Sales licence', groupId: GROUP, skuId: SKU, skuPartNumber: 'DYN365_ENTERPRISE_SALES' },
  }));
  return { state, actions, saved, slept, reads, run: () => joinLicenceGroups(state, actions) };
}

describe('PollBackoff', () => {
  it('starts at the minimum, doubles while nothing changes up to the cap, and is back at the minimum after progress', () => {
    const b = new PollBackoff(250, 2000);
    expect([false, false, false, false, false, true, false].map((p) => b.next(p))).toEqual([250, 500, 1000, 2000, 2000, 250, 500]);
  });
});

describe('waiting for the group members’ licences', () => {
  it('backs off while Entra has licensed nobody, polls at pollMs again once it does, and reads only who is still waiting', async () => {
    // Members 0–599 licensed 3.6 s after they joined, 600–899 at 3.9 s.
    const h = harness((i) => (i < 600 ? 3600 : 3900), 900);
    await h.run();
    // 0 → 250 → 750 → 1,750 → 3,750 (the first 600) → 4,000 (the rest).
    expect(h.slept).toEqual([250, 500, 1000, 2000, 250]);
    expect(h.reads).toEqual([900, 900, 900, 900, 900, 300]);
    const outcomes = Object.values(h.saved);
    expect(outcomes).toHaveLength(900);
    expect(outcomes.every((o) => o.status === 'done')).toBe(true);
    const waited = outcomes.map((o) => (o.status === 'done' ? o.waitedMs : undefined));
    expect(waited.slice(0, 600).every((ms) => ms === 3750)).toBe(true);
    expect(waited.slice(600).every((ms) => ms === 4000)).toBe(true);
  });

  it('never waits longer than pollMaxMs between reads, and reads once more at the deadline before giving up', async () => {
    const h = harness((i) => (i === 0 ? 0 : 100_000_000), 2, { pollMaxMs: 1000, addUserTimeoutMs: 5000 });
    await h.run();
    expect(h.slept).toEqual([250, 500, 1000, 1000, 1000, 1000, 250]);
    const [first, second] = h.actions.map((a) => h.saved[a.key]);
    expect(first).toMatchObject({ status: 'done' });
    expect(second).toMatchObject({ status: 'failed', code: 'service_timeout', text: { key: 'errGroupLicenceTimeout' } });
  });

  it('fails a member Entra records a licence error for at once, without waiting for the others', async () => {
    const h = harness((i) => (i === 1 ? 'CountViolation' : 600), 3);
    await h.run();
    const [a, b, c] = h.actions.map((x) => h.saved[x.key]);
    expect(b).toMatchObject({ status: 'failed', code: 'license_no_free_seats' });
    expect([a, c]).toEqual([expect.objectContaining({ status: 'done', waitedMs: 750 }), expect.objectContaining({ status: 'done', waitedMs: 750 })]);
    expect(h.reads).toEqual([3, 2, 2]);
  });
});
