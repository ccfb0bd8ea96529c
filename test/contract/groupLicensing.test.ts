import { TENANT_ACTION_SETTINGS } from '../../src/provisioning/run/actions';
import { lookUpUsers } from '../../src/provisioning/observe/directoryReads';
import { skuInfo } from '../../src/provisioning/observe/skus';
import { joinLicenceGroups } from '../../src/provisioning/run/bulk/licenceGroup';
import type { BulkState, Outcomes } from '../../src/provisioning/run/bulk/phase';
import { createLogger } from '../../src/log';
import { actionKey, type Action } from '../../src/setup/plan';
import { FAST, SEED, freshUpn, openTenant, rejection, type Tenant } from './tenant';

/**
 * The Graph calls of group-based licensing (Learn "Create group", "group: assignLicense",
 * "Add members", "licenseAssignmentState resource type"), against the sandbox over HTTP.
 */

let tenant: Tenant;
beforeAll(async () => {
  tenant = await openTenant();
});
afterAll(async () => {
  await tenant.close();
});
beforeEach(() => tenant.control.reset({ seed: { groupBasedLicensing: true }, settings: { ...FAST, groupLicenseDelayMs: 50 } }));

const newUser = (upn = freshUpn('gl')) => ({ userPrincipalName: upn, displayName: upn, mailNickname: upn.split('@')[0], password: 'Kontrakt-Passord-2025!', usageLocation: 'NO' });

describe('DirectoryClient: group-based licensing', () => {
  it('recognises Entra ID P1 by its service plan, and only where the tenant has it', async () => {
    const skus = await skuInfo(tenant.clients());
    expect(skus.filter((s) => s.entraPremium).map((s) => s.skuPartNumber)).toEqual(['AAD_PREMIUM']);
    await tenant.control.reset({ settings: FAST });
    expect((await skuInfo(tenant.clients())).some((s) => s.entraPremium)).toBe(false);
  });

  it('creates a security group, finds it by name, gives it a licence and reads it back', async () => {
    const { directory } = tenant.clients();
    expect(await directory.findGroupsByName("Salg's lisens")).toEqual([]);
    const created = await directory.createSecurityGroup({ displayName: "Salg's lisens", mailNickname: 'salgslisens', description: 'test' });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    const found = await directory.findGroupsByName("salg's LISENS");
    expect(found).toEqual([{ id: created.id, displayName: "Salg's lisens", securityEnabled: true, mailEnabled: false, groupTypes: [], skuIds: [] }]);
    await directory.assignGroupLicense(created.id, SEED.skus.sales, { skuName: 'DYN365_ENTERPRISE_SALES' });
    expect(await directory.getGroupLicences(created.id)).toEqual({ id: created.id, skuIds: [SEED.skus.sales] });
    expect(await directory.getGroupLicences('00000000-0000-4000-8000-0000000000ab')).toBeNull();
  });

  it('maps the refusals: a group licence without Entra ID P1, and without the permission', async () => {
    const { directory } = tenant.clients();
    const group = await directory.createSecurityGroup({ displayName: 'G', mailNickname: 'g' });
    await tenant.control.reset({ settings: FAST });
    const forbidden = await rejection(tenant.clients().directory.assignGroupLicense(group.id, SEED.skus.sales));
    expect(forbidden.code).toBe('forbidden');
    expect(forbidden.status).toBe(403);
    await fetch(`${tenant.url}/_sandbox/app`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ graphRoles: [...SEED.app.graphRoles, ...SEED.groupLicensingGraphRoles] }) });
    const fresh = tenant.clients().directory;
    const plain = await fresh.createSecurityGroup({ displayName: 'G', mailNickname: 'g' });
    const noP1 = await rejection(fresh.assignGroupLicense(plain.id, SEED.skus.sales));
    expect(noP1).toMatchObject({ code: 'bad_request', status: 400 });
    expect(noP1.message).toMatch(/give the group/);
  });

  it('reads licenseAssignmentStates in bulk only when asked to', async () => {
    const { directory } = tenant.clients();
    const user = await directory.createUser(newUser());
    await directory.assignLicense(user.id, SEED.skus.sales);
    const plain = await lookUpUsers(directory, { upns: [user.userPrincipalName] });
    expect(plain.byUpn.get(user.userPrincipalName.toLowerCase())?.licenceStates).toBeUndefined();
    const read = await lookUpUsers(directory, { upns: [user.userPrincipalName], licenceStates: true });
    expect(read.byUpn.get(user.userPrincipalName.toLowerCase())?.licenceStates).toEqual([{ skuId: SEED.skus.sales, assignedByGroup: null, state: 'Active', error: null }]);
  });
});

describe('the licence-group phase', () => {
  function state(clients: ReturnType<Tenant['clients']>): { state: BulkState; saved: Outcomes; slept: number[] } {
    const saved: Outcomes = {};
    const slept: number[] = [];
    return {
      saved,
      slept,
      state: {
        context: {
          clients: clients,
          environment: { dataverseUrl: '', bapEnvironmentId: SEED.environment.bapId, bcEnvironment: 'Production' },
          settings: { ...TENANT_ACTION_SETTINGS, pollMs: 20, addUserTimeoutMs: 5000 },
          logger: createLogger({ level: 'silent' }),
          sleep: (ms) => new Promise((r) => { slept.push(ms); setTimeout(r, ms); }),
          now: Date.now,
        },
        save: async (o) => void Object.assign(saved, o),
        stopped: () => false,
        ids: new Map(),
        blocked: new Map(),
        created: new Map(),
        salesUsers: new Map(),
      },
    };
  }
  const join = (userId: string, upn: string, groupName: string): Extract<Action, { type: 'joinLicenceGroup' }> => ({
    key: actionKey.joinLicenceGroup(groupName, userId), type: 'joinLicenceGroup', target: { userId, userPrincipalName: upn }, params: { groupName, skuId: SEED.skus.sales, skuPartNumber: 'DYN365_ENTERPRISE_SALES' },
  });

  it('adds 25 members in two PATCH requests, then waits for each licence and records how long', async () => {
    const clients = tenant.clients();
    const { directory } = clients;
    const group = await directory.createSecurityGroup({ displayName: 'Sales licence', mailNickname: 'saleslicence' });
    await directory.assignGroupLicense(group.id, SEED.skus.sales);
    const users = await Promise.all(Array.from({ length: 25 }, () => directory.createUser(newUser())));
    const patches = jest.spyOn(directory, 'addGroupMembers');
    const { state: s, saved, slept } = state(clients);
    await joinLicenceGroups(s, users.map((u) => join(u.id, u.userPrincipalName, 'Sales licence')));
    expect(patches.mock.calls.map((c) => c[1].length)).toEqual([20, 5]);
    const outcomes = Object.values(saved);
    expect(outcomes).toHaveLength(25);
    // 8 free seats: 8 licensed (each after the sandbox's delay), 17 refused by Entra with CountViolation.
    const done = outcomes.filter((o) => o.status === 'done');
    expect(done).toHaveLength(8);
    for (const o of done) expect(o).toMatchObject({ waitedMs: expect.any(Number) });
    const failed = outcomes.filter((o) => o.status === 'failed');
    expect(failed).toHaveLength(17);
    expect(failed[0]).toMatchObject({ code: 'license_no_free_seats', text: { key: 'errGroupLicenceSeats' } });
    // Between reads: pollMs at first and after progress, twice the last while nothing changed, at most 8 × pollMs.
    expect(slept[0]).toBe(20);
    slept.forEach((ms, i) => expect(i === 0 ? [20] : [20, Math.min(slept[i - 1] * 2, 160)]).toContain(ms));
    const members = await directory.directMemberIds(group.id);
    expect(users.every((u) => members.has(u.id))).toBe(true);
  });

  it('counts a member done only once Entra shows the licence, and gives up after the wait with what it waited for', async () => {
    const clients = tenant.clients();
    const { directory } = clients;
    await tenant.control.reset({ seed: { groupBasedLicensing: true }, settings: { ...FAST, groupLicenseDelayMs: 60_000 } });
    const group = await directory.createSecurityGroup({ displayName: 'Slow licence', mailNickname: 'slowlicence' });
    await directory.assignGroupLicense(group.id, SEED.skus.sales);
    const user = await directory.createUser(newUser());
    const { state: s, saved } = state(clients);
    s.context.settings = { ...s.context.settings, addUserTimeoutMs: 100 };
    await joinLicenceGroups(s, [join(user.id, user.userPrincipalName, 'Slow licence')]);
    expect(Object.values(saved)).toEqual([expect.objectContaining({ status: 'failed', code: 'service_timeout', text: expect.objectContaining({ key: 'errGroupLicenceTimeout' }) })]);
    expect((await directory.directMemberIds(group.id)).has(user.id)).toBe(true);
  });
});
