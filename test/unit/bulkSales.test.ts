import type { Clients } from '../../src/provisioning/clients';
import type { DataverseOperation } from '../../src/provisioning/clients/dataverse/sales';
import type { Outcomes } from '../../src/provisioning/run/bulk/phase';
import { addUsersToEnvironment, assignSalesRoles, EarlyRoles, nextPoll } from '../../src/provisioning/run/bulk/sales';
import type { Action } from '../../src/setup/plan';
import { bulkHarness } from '../helpers/bulkState';

/**
 * The wait for salespeople to reach Sales by background sync, with an injected clock (the sleeps
 * move it; nothing waits): when the next poll goes, and that the roles of those who have arrived
 * are assigned while the others are still awaited.
 */

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const BU = '00000000-0000-4000-8000-0000000000b0';
const ROLE = '00000000-0000-4000-8000-0000000000e0';
const aad = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const sys = (i: number) => `11111111-0000-4000-8000-${String(i).padStart(12, '0')}`;
const upn = (i: number) => `sales${i}@contoso.no`;

type AddUser = Extract<Action, { type: 'addUserToEnvironment' }>;
type AssignRole = Extract<Action, { type: 'assignRole' }>;
const addUser = (i: number): AddUser => ({ key: `addUserToEnvironment:${i}`, type: 'addUserToEnvironment', target: { userPrincipalName: upn(i) }, params: { bapEnvironmentId: 'env-1' } });
const assignRole = (i: number): AssignRole => ({ key: `assignRole:${i}`, type: 'assignRole', target: { userPrincipalName: upn(i) }, params: { roleId: ROLE, roleName: 'Salesperson' } });

/**
 * A Sales environment where user i arrives (licensed) at `arrivals[i]` on the clock; every poll
 * and every role `$batch` is recorded with the clock's time.
 */
function harness(arrivals: number[], pollMs = 250) {
  let time = T0;
  const polls: number[] = [];
  const roleBatches: { at: number; users: string[] }[] = [];
  const sales = {
    apiRoot: 'https://contoso.crm4.dynamics.com/api/data/v9.2',
    listRoles: async () => [{ id: ROLE, name: 'Salesperson', businessUnitId: BU, templateId: null, parentRoleId: null, parentRootRoleId: null }],
    batch: async (operations: DataverseOperation[]) => {
      if (operations[0]?.method === 'GET') {
        polls.push(time - T0);
        const present = arrivals.flatMap((at, i) => (T0 + at <= time ? [i] : []));
        const value = present.map((i) => ({
          systemuserid: sys(i),
          azureactivedirectoryobjectid: aad(i),
          isdisabled: false,
          islicensed: true,
          _businessunitid_value: BU,
          systemuserroles_association: [],
        }));
        return operations.map(() => ({ status: 200, body: { value } }));
      }
      roleBatches.push({ at: time - T0, users: operations.map((o) => /systemusers\(([^)]+)\)/.exec(o.url)![1]) });
      return operations.map(() => ({ status: 204, body: null }));
    },
  };
  const { state, saves } = bulkHarness({
    clients: { sales: () => sales } as unknown as Partial<Clients>,
    settings: { addUserRetryMs: 100_000, addUserTimeoutMs: 600_000, pollMs },
    sleep: async (ms: number) => {
      time += ms;
    },
    now: () => time,
    state: { ids: new Map(arrivals.map((_, i) => [upn(i), aad(i)])), licensedAt: new Map() },
  });
  return { state, polls, roleBatches, saves, advance: (ms: number) => (time += ms) };
}

describe('nextPoll', () => {
  it('goes pollMs after the last poll started when nothing says otherwise', () => {
    expect(nextPoll(1_000, 250, undefined)).toBe(1_250);
    // Everyone was due before that poll and was not there: the sync is slower than seen; no early poll.
    expect(nextPoll(1_000, 250, 900)).toBe(1_250);
    // Due after the regular poll: the regular poll.
    expect(nextPoll(1_000, 250, 1_400)).toBe(1_250);
  });

  it('goes when everyone awaited should be there, if that is sooner, but not within half an interval', () => {
    expect(nextPoll(1_000, 250, 1_200)).toBe(1_200);
    expect(nextPoll(1_000, 250, 1_050)).toBe(1_125);
    expect(nextPoll(0, 5_000, 4_000)).toBe(4_000);
  });
});

describe('salespeople into Sales, and their roles', () => {
  it('assigns the roles of those who have arrived while the others are still awaited, each user once', async () => {
    // Users 0–2 are there at once, 3 and 4 arrive 600 ms later.
    const h = harness([0, 0, 0, 600, 600]);
    const users = [0, 1, 2, 3, 4];
    h.state.earlyRoles = new EarlyRoles(h.state, users.map(assignRole));
    await addUsersToEnvironment(h.state, users.map(addUser));
    await assignSalesRoles(h.state, users.map(assignRole));

    // The first three got their roles at the first poll, before the last two arrived.
    expect(h.roleBatches[0].users).toEqual([sys(0), sys(1), sys(2)]);
    expect(h.roleBatches[0].at).toBeLessThan(600);
    expect(h.roleBatches.slice(1).flatMap((b) => b.users).sort()).toEqual([sys(3), sys(4)]);
    expect(h.roleBatches[1].at).toBeGreaterThanOrEqual(600);
    const outcomes = Object.assign({}, ...h.saves) as Outcomes;
    for (const i of users) {
      expect(outcomes[`addUserToEnvironment:${i}`]).toMatchObject({ status: 'done' });
      expect(outcomes[`assignRole:${i}`]).toMatchObject({ status: 'done' });
    }
    // Each role action settled once.
    expect(h.saves.flatMap((s) => Object.keys(s)).filter((k) => k.startsWith('assignRole:'))).toHaveLength(users.length);
  });

  it('polls every pollMs, counted from each poll\'s start', async () => {
    const h = harness([0, 1_000]);
    await addUsersToEnvironment(h.state, [addUser(0), addUser(1)]);
    expect(h.polls).toEqual([0, 250, 500, 750, 1_000]);
  });

  it('polls once early when the sync seen so far says the last licensed should be there', async () => {
    // Licences at 0 and 100 on the clock; the sync takes 900 ms. Polls from 700 on.
    const h = harness([900, 1_000]);
    h.state.licensedAt!.set(upn(0), T0);
    h.state.licensedAt!.set(upn(1), T0 + 100);
    h.advance(700);
    await addUsersToEnvironment(h.state, [addUser(0), addUser(1)]);
    // 700: nobody; 950: user 0, so the sync took at most 950 ms and user 1 is due by 1,050, before
    // the regular poll at 1,200: the next goes then, or half an interval on (1,075), whichever is later.
    expect(h.polls).toEqual([700, 950, 1_075]);
  });
});
