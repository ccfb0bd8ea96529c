import { SEED, SEED_INTEGRATION } from '../../src/sandbox';
import { TestTenant, q } from './helpers';

let t: TestTenant;
beforeAll(async () => {
  t = await TestTenant.start();
});
afterAll(() => t.close());
beforeEach(() => t.control('POST', '/reset'));

const DV = SEED.dataverse;
const BC = `/bc/v2.0/${SEED.tenantId}/${SEED.businessCentral.environment}/api/v2.0`;
const bap = () => t.call('GET', `/bap/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${SEED.environment.bapId}?api-version=2023-06-01`);

describe('sandbox: what the health check reads', () => {
  it('serves Dataverse currencies by ISO code and BC\'s company record with its default owning team', async () => {
    const currencies = await t.dv('GET', `transactioncurrencies${q({ $select: 'isocurrencycode,currencyname' })}`);
    expect(currencies.status).toBe(200);
    expect(currencies.body.value.map((c: any) => c.isocurrencycode).sort()).toEqual(['EUR', 'NOK']);
    const companies = await t.dv('GET', `bcbi_companies${q({ $select: 'bcbi_name,bcbi_externalid,_bcbi_defaultowningteam_value' })}`);
    expect(companies.body.value).toEqual([
      expect.objectContaining({ bcbi_name: SEED.businessCentral.companyName, bcbi_externalid: SEED.businessCentral.companyId, _bcbi_defaultowningteam_value: SEED_INTEGRATION.owningTeamId }),
    ]);
    const team = await t.dv('GET', `teams(${SEED_INTEGRATION.owningTeamId})?$select=name,isdefault&$expand=teamroles_association($select=roleid)`);
    expect(team.body).toMatchObject({ name: 'BCI - Salg Vest', isdefault: false, teamroles_association: [{ roleid: DV.roles.salgVest.bcIntegration }] });
  });

  it('adds team members with AddMembersTeam (twice is once), lists them, and refuses a default business unit team', async () => {
    const add = (team: string, user: string) =>
      t.dv('POST', `teams(${team})/Microsoft.Dynamics.CRM.AddMembersTeam`, { Members: [{ '@odata.type': 'Microsoft.Dynamics.CRM.systemuser', systemuserid: user }] });
    expect((await add(SEED_INTEGRATION.owningTeamId, DV.systemUsers.kariHansen)).status).toBe(204);
    expect((await add(SEED_INTEGRATION.owningTeamId, DV.systemUsers.kariHansen)).status).toBe(204);
    const members = await t.dv('GET', `teams(${SEED_INTEGRATION.owningTeamId})/teammembership_association?$select=systemuserid`);
    expect(members.body.value.map((m: any) => m.systemuserid)).toEqual([DV.systemUsers.kariHansen]);
    const expanded = await t.dv('GET', `systemusers(${DV.systemUsers.kariHansen})?$select=fullname&$expand=teammembership_association($select=teamid)`);
    expect(expanded.body.teammembership_association).toEqual([expect.objectContaining({ teamid: SEED_INTEGRATION.owningTeamId })]);
    expect((await add(DV.teams.root, DV.systemUsers.kariHansen)).status).toBe(400);
    expect((await t.dv('POST', `teams(${SEED_INTEGRATION.owningTeamId})/Microsoft.Dynamics.CRM.AddMembersTeam`, { Members: [] })).status).toBe(400);
  });

  it('serves the company\'s local currency in companyInformation, and the control API breaks it', async () => {
    const read = () => t.call('GET', `${BC}/companies(${SEED.businessCentral.companyId})/companyInformation`);
    expect((await read()).body.value[0].currencyCode).toBe('NOK');
    expect((await t.control('PATCH', '/integration', { bcLocalCurrency: 'SEK' })).status).toBe(200);
    expect((await read()).body.value[0].currencyCode).toBe('SEK');
    expect((await t.control('PATCH', '/integration', { bcLocalCurrency: 'not a code' })).status).toBe(400);
  });

  it('reports administration mode in the environment\'s runtime state; seed option and control API set it', async () => {
    expect((await bap()).body.properties.states.runtime.id).toBe('Enabled');
    await t.control('PATCH', '/integration', { administrationMode: true });
    expect((await bap()).body.properties.states.runtime.id).toBe('AdminMode');
    await t.control('POST', '/reset', { seed: { administrationMode: true, bcLocalCurrency: 'DKK' } });
    expect((await bap()).body.properties.states.runtime.id).toBe('AdminMode');
  });

  it('takes the integration role out of a business unit, with its assignments', async () => {
    await t.control('PATCH', '/integration', { removeIntegrationRoleFrom: [DV.businessUnits.salgVest] });
    const copies = await t.dv('GET', `roles${q({ $select: 'roleid,_businessunitid_value', $filter: `_parentrootroleid_value eq ${'a2b18661-9ff5-e911-a812-000d3a0b9028'}` })}`);
    expect(copies.body.value.map((r: any) => r._businessunitid_value)).toEqual([DV.businessUnits.root]);
    const team = await t.dv('GET', `teams(${SEED_INTEGRATION.owningTeamId})?$select=name&$expand=teamroles_association($select=roleid)`);
    expect(team.body.teamroles_association).toEqual([]);
  });

  it('edits a salesperson as BC\'s page 14 would (e-mail, blocked), and refuses an unknown code or field', async () => {
    expect((await t.control('PATCH', '/bc/salespeople/TM', { email: 'tone.moen@contoso.no', blocked: true })).status).toBe(200);
    const people = await t.call('GET', `${BC}/companies(${SEED.businessCentral.companyId})/salespeoplePurchasers`);
    expect(people.body.value.find((p: any) => p.code === 'TM')).toMatchObject({ email: 'tone.moen@contoso.no', blocked: true });
    expect((await t.control('PATCH', '/bc/salespeople/NOPE', { blocked: true })).status).toBe(404);
    expect((await t.control('PATCH', '/bc/salespeople/TM', { code: 'XX' })).status).toBe(400);
  });
});
