import { TENANT_ACTION_SETTINGS } from '../../src/provisioning/run/actions';
import { addGroupMembers } from '../../src/provisioning/run/bulk/groups';
import type { BulkState, Outcomes } from '../../src/provisioning/run/bulk/phase';
import { createLogger } from '../../src/log';
import { actionKey, type Action } from '../../src/setup/plan';
import { FAST, SEED, freshUpn, openTenant, rejection, type Tenant } from './tenant';

let tenant: Tenant;
beforeAll(async () => {
  tenant = await openTenant();
});
afterAll(async () => {
  await tenant.close();
});
beforeEach(() => tenant.control.reset({ seed: { environmentSecurityGroup: true }, settings: FAST }));

const GROUP = SEED.environmentGroupId;
const newUser = (upn = freshUpn('sg')) => ({ userPrincipalName: upn, displayName: upn, mailNickname: upn.split('@')[0], password: 'Kontrakt-Passord-2025!', usageLocation: 'NO' });

describe('DirectoryClient: the environment security group', () => {
  it('reads the group and its transitive members', async () => {
    const { directory } = tenant.clients();
    expect(await directory.getGroup(GROUP)).toEqual({ id: GROUP, displayName: 'Contoso Sales Access' });
    expect(await directory.getGroup('00000000-0000-4000-8000-0000000000ab')).toBeNull();
    const members = await directory.groupMemberIds(GROUP);
    expect(members.has(SEED.users.kariHansen.id)).toBe(true);
    expect(members.has(SEED.users.larsJohansen.id)).toBe(true); // through the nested group
    expect(members.has(SEED.admin.id)).toBe(false);
    expect(await directory.checkMemberGroups(SEED.users.larsJohansen.id, [GROUP])).toEqual([GROUP]);
  });

  it('adds a member by reference; "already a member" counts as done', async () => {
    const { directory } = tenant.clients();
    expect(await directory.addGroupMember(GROUP, SEED.admin.id)).toEqual({ already: false });
    expect(await directory.addGroupMember(GROUP, SEED.admin.id)).toEqual({ already: true });
    expect((await directory.groupMemberIds(GROUP)).has(SEED.admin.id)).toBe(true);
    expect((await rejection(directory.addGroupMember(GROUP, '00000000-0000-4000-8000-0000000000ac'))).code).toBe('not_found');
  });

  it('adds up to 20 in one PATCH, all or none', async () => {
    const { directory } = tenant.clients();
    const ids = await Promise.all(Array.from({ length: 3 }, async () => (await directory.createUser(newUser())).id));
    const refused = await rejection(directory.addGroupMembers(GROUP, [ids[0], SEED.users.kariHansen.id]));
    expect(refused.code).toBe('already_member');
    expect((await directory.groupMemberIds(GROUP)).has(ids[0])).toBe(false);
    await directory.addGroupMembers(GROUP, ids);
    const members = await directory.groupMemberIds(GROUP);
    expect(ids.every((id) => members.has(id))).toBe(true);
    expect((await rejection(directory.addGroupMembers(GROUP, Array.from({ length: 21 }, () => ids[0])))).code).toBe('invalid_input');
  });
});

describe('PowerPlatformClient and the security group', () => {
  it('reads securityGroupId from linkedEnvironmentMetadata, and maps addUser for a non-member', async () => {
    const { powerPlatform, directory } = tenant.clients();
    expect((await powerPlatform.getEnvironment(SEED.environment.bapId))?.securityGroupId).toBe(GROUP);
    const user = await directory.createUser(newUser());
    await directory.assignLicense(user.id, SEED.skus.sales);
    const error = await rejection(powerPlatform.addUser(SEED.environment.bapId, user.id));
    expect(error.code).toBe('not_in_security_group');
    await tenant.control.reset({ settings: FAST });
    expect((await tenant.clients().powerPlatform.getEnvironment(SEED.environment.bapId))?.securityGroupId).toBeNull();
  });
});

describe('the bulk membership phase', () => {
  function state(clients: ReturnType<Tenant['clients']>): { state: BulkState; saved: Outcomes } {
    const saved: Outcomes = {};
    return {
      saved,
      state: {
        context: { clients: clients, environment: { dataverseUrl: '', bapEnvironmentId: SEED.environment.bapId, bcEnvironment: 'Production' }, settings: TENANT_ACTION_SETTINGS, logger: createLogger({ level: 'silent' }), sleep: async () => undefined, now: Date.now },
        save: async (o) => void Object.assign(saved, o),
        stopped: () => false,
        ids: new Map(),
        blocked: new Map(),
        created: new Map(),
        salesUsers: new Map(),
      },
    };
  }
  const member = (userId: string | undefined, upn: string): Extract<Action, { type: 'addGroupMember' }> => ({
    key: actionKey.addGroupMember(GROUP, userId ?? upn), type: 'addGroupMember', target: { userId, userPrincipalName: upn }, params: { groupId: GROUP, groupName: 'Contoso Sales Access' },
  });

  it('adds 25 users in two PATCH requests, and one by one when a request is refused because one is already a member', async () => {
    const clients = tenant.clients();
    const { directory } = clients;
    const users = await Promise.all(Array.from({ length: 25 }, () => directory.createUser(newUser())));
    // One of them was added by an earlier, interrupted run; the other is known only by UPN.
    await directory.addGroupMember(GROUP, users[3].id);
    const actions = users.map((u, i) => member(i === 7 ? undefined : u.id, u.userPrincipalName));
    const { state: s, saved } = state(clients);
    const patches = jest.spyOn(directory, 'addGroupMembers');
    const singles = jest.spyOn(directory, 'addGroupMember');
    await addGroupMembers(s, actions);
    expect(patches.mock.calls.map((c) => c[1].length)).toEqual([20, 5]);
    expect(singles).toHaveBeenCalledTimes(20); // the refused request's 20, one by one
    expect(Object.values(saved).map((o) => o.status)).toEqual(Array(25).fill('done'));
    expect(saved[actions[3].key]).toMatchObject({ status: 'done', note: 'already' });
    const members = await directory.groupMemberIds(GROUP);
    expect(users.every((u) => members.has(u.id))).toBe(true);
  });
});
