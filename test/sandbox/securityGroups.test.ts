import { SEED } from '../../src/sandbox';
import { TestTenant, newUser, q } from './helpers';

/** An environment with a security group admits only its members (Learn "control-user-access"). */

let t: TestTenant;
/** The sandbox's clock: real time plus what a test moves it on by (instead of sleeping). */
let ahead = 0;
const advance = (ms: number) => {
  ahead += ms;
};
beforeAll(async () => {
  t = await TestTenant.start({ now: () => Date.now() + ahead, settings: { syncDelayMs: 100, licensePropagationMs: 0 } });
});
afterAll(() => t.close());
beforeEach(() => t.control('POST', '/reset', { seed: { environmentSecurityGroup: true } }));

const GROUP = SEED.environmentGroupId;
const bap = '/bap/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments';
const addUser = (objectId: string) => t.call('POST', `${bap}/${SEED.environment.bapId}/addUser?api-version=2023-06-01`, { objectId });
const ref = (id: string) => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`;
const byAad = async (id: string) =>
  (await t.dv('GET', `systemusers${q({ $select: 'systemuserid,isdisabled', $filter: `azureactivedirectoryobjectid eq ${id}` })}`)).body.value;
const license = (id: string) => t.graph('POST', `/users/${id}/assignLicense`, { addLicenses: [{ skuId: SEED.skus.sales, disabledPlans: [] }], removeLicenses: [] });
const memberIds = async (path: string) => (await t.graph('GET', `/groups/${GROUP}/${path}?$select=id`)).body.value.map((m: any) => m.id).sort();

describe('the environment names its security group', () => {
  it('in properties.linkedEnvironmentMetadata.securityGroupId, as the admin API does', async () => {
    const env = await t.call('GET', `${bap}/${SEED.environment.bapId}?api-version=2023-06-01`);
    expect(env.body.properties.linkedEnvironmentMetadata.securityGroupId).toBe(GROUP);
    await t.control('POST', '/reset');
    const plain = await t.call('GET', `${bap}/${SEED.environment.bapId}?api-version=2023-06-01`);
    expect(plain.body.properties.linkedEnvironmentMetadata.securityGroupId).toBeUndefined();
  });
});

describe('background sync and addUser', () => {
  it('disables a Sales user who is not a member, and keeps direct and nested members', async () => {
    expect((await byAad(SEED.admin.id))[0].isdisabled).toBe(true);
    expect((await byAad(SEED.users.kariHansen.id))[0].isdisabled).toBe(false);
    expect((await byAad(SEED.users.larsJohansen.id))[0].isdisabled).toBe(false); // through "Salg Vest team"
  });

  it('creates a licensed user only once they are a direct member', async () => {
    const id = SEED.users.oysteinBakke.id;
    await license(id);
    advance(150);
    expect(await byAad(id)).toEqual([]);
    expect((await t.graph('POST', `/groups/${GROUP}/members/$ref`, { '@odata.id': ref(id) })).status).toBe(204);
    expect((await byAad(id))[0].isdisabled).toBe(false);
  });

  it('refuses addUser for a non-member, and adds them once they are a member', async () => {
    const id = SEED.users.oysteinBakke.id;
    await license(id);
    const refused = await addUser(id);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('UserNotMemberOfSecurityGroup');
    expect(refused.body.error.message).toContain(GROUP);
    expect(await byAad(id)).toEqual([]);
    await t.graph('POST', `/groups/${SEED.environmentNestedGroupId}/members/$ref`, { '@odata.id': ref(id) });
    const added = await addUser(id);
    expect(added.status).toBe(200);
    expect((await byAad(id))[0]).toMatchObject({ systemuserid: added.body.systemUserId, isdisabled: false });
  });

  it('re-enables the admin once added to the group', async () => {
    await t.graph('PATCH', `/groups/${GROUP}`, { 'members@odata.bind': [ref(SEED.admin.id)] });
    expect((await byAad(SEED.admin.id))[0].isdisabled).toBe(false);
  });
});

describe('group membership endpoints', () => {
  it('lists direct members and transitive members', async () => {
    expect(await memberIds('members')).toEqual([SEED.users.kariHansen.id, SEED.users.reporting.id, SEED.environmentNestedGroupId].sort());
    expect(await memberIds('transitiveMembers')).toEqual([SEED.users.kariHansen.id, SEED.users.reporting.id, SEED.environmentNestedGroupId, SEED.users.larsJohansen.id].sort());
    const check = await t.graph('POST', `/users/${SEED.users.larsJohansen.id}/checkMemberGroups`, { groupIds: [GROUP] });
    expect(check.body.value).toEqual([GROUP]);
  });

  it('adds a member by reference: 204, then 400 "already exist", 404 for an unknown object', async () => {
    const id = SEED.users.marteNilsen.id;
    const first = await t.graph('POST', `/groups/${GROUP}/members/$ref`, { '@odata.id': ref(id) });
    expect(first.status).toBe(204);
    expect(first.text).toBe('');
    const again = await t.graph('POST', `/groups/${GROUP}/members/$ref`, { '@odata.id': ref(id) });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: 'Request_BadRequest', message: "One or more added object references already exist for the following modified properties: 'members'." });
    const unknown = await t.graph('POST', `/groups/${GROUP}/members/$ref`, { '@odata.id': ref('00000000-0000-4000-8000-0000000000aa') });
    expect(unknown.status).toBe(404);
    expect(await memberIds('members')).toContain(id);
  });

  it('adds up to 20 with members@odata.bind, and none when one of them is wrong or there are more than 20', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 21; i++) ids.push((await t.graph('POST', '/users', newUser(`sg${i}@contoso.no`))).body.id);
    const over = await t.graph('PATCH', `/groups/${GROUP}`, { 'members@odata.bind': ids.map(ref) });
    expect(over.status).toBe(400);
    expect(over.body.error.message).toBe('A resource cannot contain more than 20 link changes');
    const withMember = await t.graph('PATCH', `/groups/${GROUP}`, { 'members@odata.bind': [ref(ids[0]), ref(SEED.users.kariHansen.id)] });
    expect(withMember.status).toBe(400);
    expect(withMember.body.error.message).toContain('already exist');
    expect(await memberIds('members')).not.toContain(ids[0]);
    const ok = await t.graph('PATCH', `/groups/${GROUP}`, { 'members@odata.bind': ids.slice(0, 20).map(ref) });
    expect(ok.status).toBe(204);
    expect(await memberIds('members')).toEqual(expect.arrayContaining(ids.slice(0, 20)));
  });
});
