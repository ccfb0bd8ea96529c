import { SEED_INTEGRATION } from '../../src/sandbox';
import { checkHealth } from '../../src/provisioning/observe/health';
import { FAST, SEED, openTenant, type Tenant } from './tenant';

/** The reads and writes behind the health check, by the real clients over HTTP. */

let tenant: Tenant;
beforeAll(async () => {
  tenant = await openTenant();
});
afterAll(async () => {
  await tenant.close();
});
beforeEach(() => tenant.control.reset({ settings: FAST }));

const DV = SEED.dataverse;
const patch = (body: unknown) => fetch(`${tenant.url}/_sandbox/integration`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('SalesClient: teams, currencies, Business Central\'s company records', () => {
  it('reads BC\'s owning team and its role, gives the role (twice is once) and adds members with AddMembersTeam', async () => {
    const sales = tenant.clients().sales(`${tenant.url}/dataverse`);
    const teams = await sales.listTeams();
    expect(teams).toContainEqual({ id: SEED_INTEGRATION.owningTeamId, name: 'BCI - Salg Vest', businessUnitId: DV.businessUnits.salgVest, isDefault: false });
    expect((await sales.teamRoles(SEED_INTEGRATION.owningTeamId)).map((r) => r.id)).toEqual([DV.roles.salgVest.bcIntegration]);
    await sales.assignTeamRole(SEED_INTEGRATION.owningTeamId, DV.roles.salgVest.salesperson);
    await sales.assignTeamRole(SEED_INTEGRATION.owningTeamId, DV.roles.salgVest.salesperson);
    expect((await sales.teamRoles(SEED_INTEGRATION.owningTeamId)).map((r) => r.id).sort()).toEqual([DV.roles.salgVest.bcIntegration, DV.roles.salgVest.salesperson].sort());
    expect(await sales.teamMemberIds(SEED_INTEGRATION.owningTeamId)).toEqual([]);
    await sales.addTeamMembers(SEED_INTEGRATION.owningTeamId, [DV.systemUsers.kariHansen]);
    expect(await sales.teamMemberIds(SEED_INTEGRATION.owningTeamId)).toEqual([DV.systemUsers.kariHansen]);
  });

  it('lists currency ISO codes and BC\'s company record with its default owning team', async () => {
    const sales = tenant.clients().sales(`${tenant.url}/dataverse`);
    expect((await sales.listCurrencyCodes()).sort()).toEqual(['EUR', 'NOK']);
    expect(await sales.listBcCompanies()).toEqual([
      { id: SEED_INTEGRATION.bcCompanyRecordId, name: SEED.businessCentral.companyName, externalId: SEED.businessCentral.companyId, defaultOwningTeamId: SEED_INTEGRATION.owningTeamId },
    ]);
  });
});

describe('BusinessCentralClient and PowerPlatformClient for the health check', () => {
  it('reads the company\'s local currency, null when it is empty', async () => {
    const bc = tenant.clients().businessCentral(SEED.businessCentral.environment);
    expect(await bc.localCurrency(SEED.businessCentral.companyId)).toBe('NOK');
    await patch({ bcLocalCurrency: null });
    expect(await bc.localCurrency(SEED.businessCentral.companyId)).toBeNull();
  });

  it('reads the environment\'s runtime state: Enabled, AdminMode in administration mode', async () => {
    const { powerPlatform } = tenant.clients();
    expect((await powerPlatform.getEnvironment(SEED.environment.bapId))?.runtimeState).toBe('Enabled');
    await patch({ administrationMode: true });
    expect((await powerPlatform.getEnvironment(SEED.environment.bapId))?.runtimeState).toBe('AdminMode');
  });
});

describe('checkHealth: the report the status card and the watch read', () => {
  it('has every row in order, says when there is no admin to check, and is dated by the clock it is given', async () => {
    const report = await checkHealth(tenant.clients(), {
      environment: { dataverseUrl: `${tenant.url}/dataverse`, bapEnvironmentId: SEED.environment.bapId, bcEnvironment: SEED.businessCentral.environment, bcCompanyId: SEED.businessCentral.companyId, deployment: 'online' },
      bcAppId: SEED.bcAppId,
      salespeople: { tenantId: SEED.tenantId, couplingUrl: `${tenant.url}/bc/v2.0/{tenantId}/{environment}/api/contoso/crm/v1.0` },
      businessCentralPage: (page) => `https://bc.example/?page=${page}`,
      now: () => new Date('2026-01-15T08:00:00Z'),
    });
    expect(report.at).toBe('2026-01-15T08:00:00.000Z');
    expect(report.rows.map((r) => [r.id, r.state])).toEqual([
      ['adminRoles', 'unknown'],
      ['integrationUser', 'pass'],
      ['salespeople', 'fail'],
      ['securityGroup', 'pass'],
      ['nonInteractiveLimit', 'pass'],
      ['integrationRole', 'pass'],
      ['currency', 'pass'],
      ['administrationMode', 'pass'],
      ['owningTeam', 'pass'],
    ]);
    expect(report.rows[0]).toMatchObject({ key: 'checkNoEntraId' });
    expect(report.rows[2]).toMatchObject({ fix: { kind: 'plan', verb: 'setup.goto', data: { part: 'salespeople' } }, findings: expect.arrayContaining(['noAccount:OO', 'notCoupled:KH']) });
  });
});
