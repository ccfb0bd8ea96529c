import { SEED } from '../../src/sandbox';
import { TestTenant, q } from './helpers';

let t: TestTenant;
beforeAll(async () => {
  t = await TestTenant.start();
});
afterAll(() => t.close());
beforeEach(() => t.control('POST', '/reset'));

const DV = SEED.dataverse;
const su = (filter: string, select = 'systemuserid,fullname') => t.dv('GET', `systemusers${q({ $select: select, $filter: filter })}`);
const assign = (userId: string, roleId: string) =>
  t.dv('POST', `systemusers(${userId})/systemuserroles_association/$ref`, { '@odata.id': `${t.url}/dataverse/api/data/v9.2/roles(${roleId})` });
const rolesOf = async (userId: string) =>
  (await t.dv('GET', `systemusers(${userId})/systemuserroles_association?$select=roleid,name`)).body.value.map((r: any) => r.roleid).sort();

describe('Dataverse: reads', () => {
  it('answers WhoAmI for the application user', async () => {
    const res = await t.dv('GET', 'WhoAmI');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ BusinessUnitId: DV.businessUnits.root, UserId: DV.systemUsers.assistantApp, OrganizationId: DV.organizationId });
    expect(res.headers.get('odata-version')).toBe('4.0');
  });

  it('rejects a missing bearer token with 401 and the authority challenge, as Dataverse does', async () => {
    const res = await fetch(`${t.url}/dataverse/api/data/v9.2/WhoAmI`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer authorization_uri=https://login.microsoftonline.com/${SEED.tenantId}/oauth2/authorize, resource_id=${t.url}/dataverse/`);
    expect(await res.text()).toBe('');
  });

  it('filters systemusers by unquoted guid, or-chains, parentheses and In()', async () => {
    const byAad = await su(`azureactivedirectoryobjectid eq ${SEED.admin.id}`);
    expect(byAad.body.value).toEqual([expect.objectContaining({ systemuserid: DV.systemUsers.admin, fullname: 'Ingrid Berg' })]);
    expect(byAad.body.value[0]['@odata.etag']).toMatch(/^W\/"\d+"$/);
    const quoted = await su(`azureactivedirectoryobjectid eq '${SEED.admin.id}'`);
    expect(quoted.status).toBe(400);
    expect(quoted.body.error.message).toContain("'Edm.Guid' and 'Edm.String'");
    const chain = await su(`domainname eq 'kari.hansen@contoso.no' or domainname eq 'LARS.JOHANSEN@contoso.no' or domainname eq 'nobody@contoso.no'`);
    expect(chain.body.value.map((u: any) => u.fullname).sort()).toEqual(['Kari Hansen', 'Lars Johansen']);
    const app = await su(`applicationid eq ${SEED.bcAppId}`);
    expect(app.body.value.map((u: any) => u.fullname)).toEqual(['Business Central Integration']);
    const nonInteractive = await su('accessmode eq 4 and applicationid eq null and (isdisabled eq false)');
    expect(nonInteractive.body.value.map((u: any) => u.fullname).sort()).toEqual(['INTEGRATION', 'Rapport Tjeneste (Power BI)']);
    const inFn = await su("Microsoft.Dynamics.CRM.In(PropertyName='domainname',PropertyValues=['ingrid.berg@contoso.no','hege@contoso.no'])");
    expect(inFn.body.value.map((u: any) => u.fullname)).toEqual(['Ingrid Berg']);
    const bu = await su(`_businessunitid_value eq ${DV.businessUnits.salgVest}`);
    expect(bu.body.value.map((u: any) => u.fullname)).toEqual(['Lars Johansen']);
    const syntax = await su("domainname eq 'ola.o'brien@contoso.no'");
    expect(syntax.status).toBe(400);
    expect(syntax.body.error.code).toBe('0x80060888');
  });

  it('expands systemuserroles_association with a nested $select', async () => {
    const res = await t.dv('GET', `systemusers(${DV.systemUsers.admin})?$select=fullname,accessmode,isdisabled,islicensed&$expand=systemuserroles_association($select=roleid,name,_businessunitid_value,roletemplateid)`);
    expect(res.body).toMatchObject({ fullname: 'Ingrid Berg', accessmode: 0, isdisabled: false, islicensed: true, systemuserid: DV.systemUsers.admin });
    expect(res.body.systemuserroles_association).toEqual([
      expect.objectContaining({ roleid: DV.roles.root.systemAdministrator, name: 'System Administrator', _businessunitid_value: DV.businessUnits.root, roletemplateid: SEED.roleTemplates.systemAdministrator }),
    ]);
  });

  it('pages with Prefer: odata.maxpagesize', async () => {
    const ids: string[] = [];
    let url: string | undefined = `${t.url}/dataverse/api/data/v9.2/systemusers?$select=systemuserid`;
    let pages = 0;
    while (url) {
      const res: any = await t.call('GET', url, undefined, { Prefer: 'odata.maxpagesize=3' });
      expect(res.headers.get('preference-applied')).toBe('odata.maxpagesize=3');
      ids.push(...res.body.value.map((u: any) => u.systemuserid));
      url = res.body['@odata.nextLink'];
      pages++;
    }
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(8);
  });

  it('answers 404 0x80040217 for an unknown systemuser and 404 for an unknown entity set', async () => {
    const id = '00000000-0000-0000-0000-0000000000aa';
    const res = await t.dv('GET', `systemusers(${id})`);
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: '0x80040217', message: `systemuser With Id = ${id} Does Not Exist` });
    expect((await t.dv('GET', 'accountz')).status).toBe(404);
  });

  it('lists roles per business unit by template id and business units by parent', async () => {
    const roles = await t.dv('GET', `roles${q({ $select: 'roleid,name,_businessunitid_value,_parentroleid_value', $filter: `_roletemplateid_value eq ${SEED.roleTemplates.salesperson} or roletemplateid eq ${SEED.roleTemplates.salesperson}` })}`);
    expect(roles.body.value.map((r: any) => r.roleid).sort()).toEqual([DV.roles.root.salesperson, DV.roles.salgVest.salesperson].sort());
    const child = roles.body.value.find((r: any) => r.roleid === DV.roles.salgVest.salesperson);
    expect(child._parentroleid_value).toBe(DV.roles.root.salesperson);
    const byName = await t.dv('GET', `roles${q({ $filter: `name eq 'System Customizer' and _businessunitid_value eq ${DV.businessUnits.root}` })}`);
    expect(byName.body.value.map((r: any) => r.roleid)).toEqual([DV.roles.root.systemCustomizer]);
    const root = await t.dv('GET', `businessunits${q({ $select: 'businessunitid,name', $filter: 'parentbusinessunitid eq null' })}`);
    expect(root.body.value).toEqual([expect.objectContaining({ businessunitid: DV.businessUnits.root, name: 'contososales' })]);
    expect((await t.dv('GET', 'businessunits')).body.value).toHaveLength(2);
  });
});

describe('Dataverse: access mode', () => {
  it('sets accessmode with PATCH (204) and is idempotent at 4', async () => {
    const path = `systemusers(${DV.systemUsers.kariHansen})`;
    expect((await t.dv('PATCH', path, { accessmode: 4 })).status).toBe(204);
    expect((await t.dv('PATCH', path, { accessmode: 4 })).status).toBe(204);
    expect((await t.dv('GET', `${path}?$select=accessmode`)).body.accessmode).toBe(4);
    expect((await t.dv('PATCH', path, { accessmode: 9 })).status).toBe(400);
    expect((await t.dv('PATCH', path, { domainname: 'x@contoso.no' })).status).toBe(400);
  });

  it('refuses an 8th non-interactive user (application users do not count)', async () => {
    // seed: INTEGRATION + the reporting account are non-interactive; make 5 more
    const created = [];
    for (const upn of ['a1', 'a2', 'a3', 'a4', 'a5', 'a6']) {
      const res = await t.graph('POST', '/users', {
        accountEnabled: true, displayName: upn, mailNickname: upn, userPrincipalName: `${upn}@contoso.no`, usageLocation: 'NO',
        passwordProfile: { password: 'Xq7!kd93-Lm' },
      });
      await t.graph('POST', `/users/${res.body.id}/assignLicense`, { addLicenses: [{ skuId: SEED.skus.sales, disabledPlans: [] }], removeLicenses: [] });
      created.push(res.body.id);
    }
    const users = (await su(`azureactivedirectoryobjectid eq ${created[0]} or azureactivedirectoryobjectid eq ${created[1]} or azureactivedirectoryobjectid eq ${created[2]} or azureactivedirectoryobjectid eq ${created[3]} or azureactivedirectoryobjectid eq ${created[4]} or azureactivedirectoryobjectid eq ${created[5]}`)).body.value;
    expect(users).toHaveLength(6);
    for (const u of users.slice(0, 5)) expect((await t.dv('PATCH', `systemusers(${u.systemuserid})`, { accessmode: 4 })).status).toBe(204);
    const eighth = await t.dv('PATCH', `systemusers(${users[5].systemuserid})`, { accessmode: 4 });
    expect(eighth.status).toBe(400);
    expect(eighth.body.error.code).toBe('0x80044186');
    expect(eighth.body.error.message).toMatch(/non-interactive users \(7\)/);
    // setting an existing non-interactive user again is fine
    expect((await t.dv('PATCH', `systemusers(${users[0].systemuserid})`, { accessmode: 4 })).status).toBe(204);
  });

  it('counts users made non-interactive through the control API, never application users', async () => {
    for (const id of [DV.systemUsers.admin, DV.systemUsers.larsJohansen, DV.systemUsers.system, DV.systemUsers.kariHansen]) {
      expect((await t.control('PATCH', `/dataverse/systemusers/${id}`, { accessmode: 4 })).status).toBe(200);
    }
    // 6 people now; the two application users are non-interactive too but do not count
    const salesUser = async (nick: string) => {
      const g = await t.graph('POST', '/users', {
        accountEnabled: true, displayName: nick, mailNickname: nick, userPrincipalName: `${nick}@contoso.no`, usageLocation: 'NO',
        passwordProfile: { password: 'Xq7!kd93-Lm' },
      });
      await t.graph('POST', `/users/${g.body.id}/assignLicense`, { addLicenses: [{ skuId: SEED.skus.sales, disabledPlans: [] }], removeLicenses: [] });
      return (await su(`azureactivedirectoryobjectid eq ${g.body.id}`)).body.value[0].systemuserid as string;
    };
    const seventh = await salesUser('b7');
    const eighth = await salesUser('b8');
    expect((await t.dv('PATCH', `systemusers(${seventh})`, { accessmode: 4 })).status).toBe(204);
    expect((await t.dv('PATCH', `systemusers(${eighth})`, { accessmode: 4 })).status).toBe(400);
    expect((await t.dv('PATCH', `systemusers(${DV.systemUsers.reporting})`, { accessmode: 0 })).status).toBe(204);
    expect((await t.dv('PATCH', `systemusers(${eighth})`, { accessmode: 4 })).status).toBe(204);
  });
});

describe('Dataverse: roles', () => {
  it('assigns a role (204), idempotently, and removes it', async () => {
    const admin = DV.systemUsers.admin;
    expect((await assign(admin, DV.roles.root.systemCustomizer)).status).toBe(204);
    expect((await assign(admin, DV.roles.root.systemCustomizer)).status).toBe(204);
    expect(await rolesOf(admin)).toEqual([DV.roles.root.systemAdministrator, DV.roles.root.systemCustomizer].sort());
    const del = await t.dv('DELETE', `systemusers(${admin})/systemuserroles_association/$ref?$id=${encodeURIComponent(`${t.url}/dataverse/api/data/v9.2/roles(${DV.roles.root.systemCustomizer})`)}`);
    expect(del.status).toBe(204);
    expect(await rolesOf(admin)).toEqual([DV.roles.root.systemAdministrator]);
    await assign(admin, DV.roles.root.salesManager);
    expect((await t.dv('DELETE', `systemusers(${admin})/systemuserroles_association(${DV.roles.root.salesManager})/$ref`)).status).toBe(204);
    expect(await rolesOf(admin)).toEqual([DV.roles.root.systemAdministrator]);
  });

  it("refuses a role from another business unit (0x80060888)", async () => {
    const res = await assign(DV.systemUsers.larsJohansen, DV.roles.root.salesperson);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('0x80060888');
    expect(res.body.error.message).toMatch(/different business unit/);
    expect((await assign(DV.systemUsers.larsJohansen, DV.roles.salgVest.salesperson)).status).toBe(204);
  });

  it('refuses roles for a disabled user, and the directory disables users lazily', async () => {
    expect((await t.graph('PATCH', `/users/${SEED.users.kariHansen.id}`, { accountEnabled: false })).status).toBe(204);
    const after = await t.dv('GET', `systemusers(${DV.systemUsers.kariHansen})?$select=isdisabled`);
    expect(after.body.isdisabled).toBe(true);
    const res = await assign(DV.systemUsers.kariHansen, DV.roles.root.salesManager);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('0x80040225');
    expect(res.body.error.message).toMatch(/only be assigned to enabled users/);
  });

  it('answers 404 for an unknown role and 400 for a malformed reference', async () => {
    const res = await assign(DV.systemUsers.admin, '00000000-0000-0000-0000-0000000000bb');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('0x80040217');
    const bad = await t.dv('POST', `systemusers(${DV.systemUsers.admin})/systemuserroles_association/$ref`, { '@odata.id': 'nope' });
    expect(bad.status).toBe(400);
  });

  it('assigns roles to teams from the team\'s business unit only', async () => {
    const team = DV.teams.root;
    const ref = (roleId: string) => ({ '@odata.id': `${t.url}/dataverse/api/data/v9.2/roles(${roleId})` });
    expect((await t.dv('POST', `teams(${team})/teamroles_association/$ref`, ref(DV.roles.root.bcIntegration))).status).toBe(204);
    expect((await t.dv('POST', `teams(${team})/teamroles_association/$ref`, ref(DV.roles.salgVest.bcIntegration))).status).toBe(400);
    const read = await t.dv('GET', `teams(${team})?$select=name&$expand=teamroles_association($select=roleid)`);
    expect(read.body.teamroles_association.map((r: any) => r.roleid)).toEqual([DV.roles.root.bcIntegration]);
  });

  it('moving a user to another business unit removes its roles', async () => {
    const res = await t.dv('PATCH', `systemusers(${DV.systemUsers.kariHansen})`, { 'businessunitid@odata.bind': `/businessunits(${DV.businessUnits.salgVest})` });
    expect(res.status).toBe(204);
    expect(await rolesOf(DV.systemUsers.kariHansen)).toEqual([]);
  });
});
