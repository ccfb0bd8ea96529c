import { SEED } from '../../src/sandbox';
import { TestTenant, q } from './helpers';

/**
 * Group-based licensing as Entra does it: a security group holds the licence (Entra ID P1 needed),
 * members are licensed in the background after `groupLicenseDelayMs`, and a member Entra cannot
 * license (too few seats) carries a CountViolation in licenseAssignmentStates.
 */

let time = Date.parse('2026-03-02T09:00:00Z');
let t: TestTenant;
beforeAll(async () => {
  t = await TestTenant.start({ now: () => time, settings: { groupLicenseDelayMs: 5000, syncDelayMs: 0 } });
});
afterAll(() => t.close());
beforeEach(() => t.control('POST', '/reset', { seed: { groupBasedLicensing: true } }));

const ref = (id: string) => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`;
const newGroup = (extra: Record<string, unknown> = {}) =>
  t.graph('POST', '/groups', { displayName: 'Sales licence', mailEnabled: false, mailNickname: 'saleslicence', securityEnabled: true, ...extra });
const licenceGroup = (id: string, skuId: string = SEED.skus.sales) => t.graph('POST', `/groups/${id}/assignLicense`, { addLicenses: [{ skuId, disabledPlans: [] }], removeLicenses: [] });
const states = async (id: string) => (await t.graph('GET', `/users/${id}?$select=id,assignedLicenses,licenseAssignmentStates`)).body;
const freeSeats = async (skuId: string) => {
  const sku = (await t.graph('GET', '/subscribedSkus')).body.value.find((s: any) => s.skuId === skuId);
  return sku.prepaidUnits.enabled - sku.consumedUnits;
};

describe('POST /groups', () => {
  it('creates a security group with the four required properties and answers 201 with its default properties', async () => {
    const created = await newGroup({ description: 'Salespeople licensed for Dynamics 365 Sales' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ displayName: 'Sales licence', mailEnabled: false, mailNickname: 'saleslicence', securityEnabled: true, groupTypes: [] });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.assignedLicenses).toBeUndefined(); // returned only on $select
    const read = await t.graph('GET', `/groups/${created.body.id}?$select=id,displayName,securityEnabled`);
    expect(read.body).toMatchObject({ id: created.body.id, securityEnabled: true });
  });

  it('refuses a body without a required property, a bad mailNickname and more than 20 links, creating nothing', async () => {
    const before = (await t.graph('GET', '/groups')).body.value.length;
    for (const body of [
      { displayName: 'x', mailEnabled: false, mailNickname: 'x' },
      { displayName: 'x', mailEnabled: false, mailNickname: 'sales licence', securityEnabled: true },
      { displayName: 'x', mailEnabled: false, mailNickname: 'x', securityEnabled: true, 'members@odata.bind': Array.from({ length: 21 }, () => ref(SEED.users.kariHansen.id)) },
    ]) {
      const refused = await t.graph('POST', '/groups', body);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('Request_BadRequest');
    }
    expect((await t.graph('GET', '/groups')).body.value.length).toBe(before);
  });

  it('needs Group.Create (or Group.ReadWrite.All / Directory.ReadWrite.All)', async () => {
    await t.control('PATCH', '/app', { graphRoles: SEED.app.graphRoles });
    const refused = await newGroup();
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('Authorization_RequestDenied');
  });
});

describe('POST /groups/{id}/assignLicense', () => {
  it('answers 202 with the group, then licenses each member after the delay, consuming a seat each', async () => {
    const group = (await newGroup()).body;
    const member = SEED.users.oysteinBakke.id;
    expect((await t.graph('PATCH', `/groups/${group.id}`, { 'members@odata.bind': [ref(member)] })).status).toBe(204);
    const seats = await freeSeats(SEED.skus.sales);
    const accepted = await licenceGroup(group.id);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ id: group.id, securityEnabled: true });
    expect((await t.graph('GET', `/groups/${group.id}?$select=id,assignedLicenses`)).body.assignedLicenses).toEqual([{ disabledPlans: [], skuId: SEED.skus.sales }]);

    time += 4999;
    expect((await states(member)).licenseAssignmentStates.filter((s: any) => s.assignedByGroup)).toEqual([]);
    time += 1;
    const after = await states(member);
    expect(after.licenseAssignmentStates).toContainEqual(expect.objectContaining({ assignedByGroup: group.id, skuId: SEED.skus.sales, state: 'Active', error: null }));
    expect(after.assignedLicenses.map((l: any) => l.skuId)).toContain(SEED.skus.sales);
    expect(await freeSeats(SEED.skus.sales)).toBe(seats - 1);
    // A licence inherited from a group cannot be removed from the user directly.
    const removed = await t.graph('POST', `/users/${member}/assignLicense`, { addLicenses: [], removeLicenses: [SEED.skus.sales] });
    expect(removed.status).toBe(400);
  });

  it('licenses a member added later after the delay from when they joined', async () => {
    const group = (await newGroup()).body;
    await licenceGroup(group.id);
    time += 60_000;
    const member = SEED.users.marteNilsen.id; // no usage location: group licensing uses the directory's
    await t.graph('POST', `/groups/${group.id}/members/$ref`, { '@odata.id': ref(member) });
    expect((await states(member)).licenseAssignmentStates).toEqual([]);
    time += 5000;
    expect((await states(member)).licenseAssignmentStates).toEqual([expect.objectContaining({ assignedByGroup: group.id, state: 'Active' })]);
  });

  it('licenses each member when their own time comes, also when the delay was shortened in between', async () => {
    const group = (await newGroup()).body;
    await licenceGroup(group.id);
    const early = SEED.users.oysteinBakke.id;
    const late = SEED.users.marteNilsen.id;
    await t.graph('POST', `/groups/${group.id}/members/$ref`, { '@odata.id': ref(late) }); // due in 5 s
    await t.control('PATCH', '/settings', { groupLicenseDelayMs: 1000 });
    try {
      time += 100;
      await t.graph('POST', `/groups/${group.id}/members/$ref`, { '@odata.id': ref(early) }); // due in 1 s, before the other
      time += 1000;
      const fromGroup = async (id: string) => (await states(id)).licenseAssignmentStates.filter((s: any) => s.assignedByGroup === group.id);
      expect(await fromGroup(early)).toEqual([expect.objectContaining({ state: 'Active' })]);
      expect(await fromGroup(late)).toEqual([]);
      time += 3900;
      expect(await fromGroup(late)).toEqual([expect.objectContaining({ state: 'Active' })]);
    } finally {
      await t.control('PATCH', '/settings', { groupLicenseDelayMs: 5000 });
    }
  });

  it('does not license a member deleted before their time came, and still refuses adding someone twice after a deletion', async () => {
    const group = (await newGroup()).body;
    await licenceGroup(group.id);
    const created = (await t.graph('POST', '/users', {
      accountEnabled: true, displayName: 'Temp Seller', mailNickname: 'temp.seller', userPrincipalName: `temp.seller@${SEED.domains.verified}`,
      passwordProfile: { password: 'Xy9!abcdefgh', forceChangePasswordNextSignIn: true },
    })).body;
    const stays = SEED.users.oysteinBakke.id;
    await t.graph('PATCH', `/groups/${group.id}`, { 'members@odata.bind': [ref(created.id), ref(stays)] });
    const seats = await freeSeats(SEED.skus.sales);
    expect((await t.graph('DELETE', `/users/${created.id}`)).status).toBe(204);
    time += 5000;
    expect(await freeSeats(SEED.skus.sales)).toBe(seats - 1); // only the one still there took a seat
    const again = await t.graph('PATCH', `/groups/${group.id}`, { 'members@odata.bind': [ref(stays)] });
    expect(again.status).toBe(400);
    expect((await t.graph('PATCH', `/groups/${group.id}`, { 'members@odata.bind': [ref(created.id)] })).status).toBe(404);
    const members = (await t.graph('GET', `/groups/${group.id}/members?$select=id`)).body.value.map((m: any) => m.id);
    expect(members).toEqual([stays]);
  });

  it('records CountViolation on the users it has no seat for, and licenses the others', async () => {
    const group = (await newGroup()).body;
    const seats = await freeSeats(SEED.skus.customerEngagementPlan);
    expect(seats).toBe(0);
    await t.graph('PATCH', `/groups/${group.id}`, { 'members@odata.bind': [ref(SEED.users.thomasLarsen.id)] });
    await licenceGroup(group.id, SEED.skus.customerEngagementPlan);
    time += 5000;
    const user = await states(SEED.users.thomasLarsen.id);
    expect(user.licenseAssignmentStates).toEqual([expect.objectContaining({ assignedByGroup: group.id, skuId: SEED.skus.customerEngagementPlan, state: 'Error', error: 'CountViolation' })]);
    expect(user.assignedLicenses).toEqual([]);
  });

  it('refuses a tenant without Microsoft Entra ID P1 or P2, and a group that is not a security group', async () => {
    const group = (await newGroup()).body;
    await t.control('POST', '/reset', { seed: {} });
    await t.graph('POST', '/groups', { displayName: 'g', mailEnabled: false, mailNickname: 'g', securityEnabled: true }); // no Group.Create: 403
    const plain = (await t.graph('GET', `/groups${q({ $select: 'id' })}`)).body.value[0].id;
    const refused = await licenceGroup(plain);
    expect(refused.status).toBe(403); // and without LicenseAssignment.ReadWrite.All it is not even authorised
    await t.control('PATCH', '/app', { graphRoles: [...SEED.app.graphRoles, ...SEED.groupLicensingGraphRoles] });
    const noP1 = await licenceGroup(plain);
    expect(noP1.status).toBe(400);
    expect(noP1.body.error.message).toMatch(/Microsoft Entra ID P1/);
    expect(group.id).not.toBe(plain);
    await t.control('POST', '/reset', { seed: { groupBasedLicensing: true } });
    const m365 = (await t.graph('POST', '/groups', { displayName: 'Team', mailEnabled: true, mailNickname: 'team', securityEnabled: false, groupTypes: ['Unified'] })).body;
    const notSecurity = await licenceGroup(m365.id);
    expect(notSecurity.status).toBe(400);
    expect(notSecurity.body.error.message).toMatch(/security/);
  });
});
