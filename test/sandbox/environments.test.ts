import { SEED } from '../../src/sandbox';
import { TestTenant } from './helpers';

/** The lists an admin chooses the environments from: BC's admin center API and the Power Platform admin API. */
let t: TestTenant;
beforeAll(async () => {
  t = await TestTenant.start();
});
afterAll(() => t.close());
beforeEach(() => t.control('POST', '/reset'));

const ADMIN_ENVIRONMENTS = '/bc/admin/v2.24/applications/BusinessCentral/environments';
const BAP_ENVIRONMENTS = '/bap/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?api-version=2023-06-01';

describe('Business Central admin center API: environments', () => {
  it("lists the tenant's environments with the fields Learn documents, and the linked Power Platform environment", async () => {
    const r = await t.call('GET', ADMIN_ENVIRONMENTS);
    expect(r.status).toBe(200);
    const names = r.body.value.map((e: { name: string }) => e.name);
    expect(names).toEqual([SEED.businessCentral.environment, SEED.otherEnvironments.bcSandbox.name]);
    const [production, sandbox] = r.body.value;
    for (const field of ['friendlyName', 'type', 'name', 'countryCode', 'applicationFamily', 'aadTenantId', 'applicationVersion', 'status', 'webClientLoginUrl', 'webServiceUrl', 'locationName', 'platformVersion', 'ringName']) {
      expect(production).toHaveProperty(field);
    }
    expect(production).toMatchObject({ type: 'Production', applicationFamily: 'BusinessCentral', aadTenantId: SEED.tenantId, status: 'Active', linkedPowerPlatformEnvironmentId: SEED.environment.bapId });
    expect(sandbox).toMatchObject({ type: 'Sandbox', linkedPowerPlatformEnvironmentId: null });
    // Without a family, every family's environments (only Business Central here).
    expect((await t.call('GET', '/bc/admin/v2.24/applications/environments')).body.value).toHaveLength(2);
  });

  it('answers an unknown application family with applicationTypeDoesNotExist, in the admin center error format', async () => {
    const r = await t.call('GET', '/bc/admin/v2.24/applications/Financials/environments');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ code: 'applicationTypeDoesNotExist' });
    expect(r.body.error).toBeUndefined();
  });

  it('refuses an app without AdminCenter.ReadWrite.All, or not authorised in the admin center, while the BC API still answers it', async () => {
    await t.control('PATCH', '/app', { businessCentralRoles: ['API.ReadWrite.All'] });
    expect((await t.call('GET', ADMIN_ENVIRONMENTS)).status).toBe(401);
    const companies = await t.call('GET', `/bc/v2.0/${SEED.tenantId}/${SEED.businessCentral.environment}/api/v2.0/companies`);
    expect(companies.status).toBe(200);

    await t.control('POST', '/reset');
    await t.control('PATCH', '/app', { businessCentralAdminCenterApp: false });
    expect((await t.call('GET', ADMIN_ENVIRONMENTS)).status).toBe(401);
  });
});

describe('Power Platform admin API: the environment list', () => {
  it('lists every environment with its region and Dataverse URL; the default environment has no Dataverse', async () => {
    const r = await t.call('GET', BAP_ENVIRONMENTS);
    expect(r.status).toBe(200);
    const byId = new Map<string, any>(r.body.value.map((e: { name: string }) => [e.name, e]));
    const O = SEED.otherEnvironments;
    expect([...byId.keys()]).toEqual([SEED.environment.bapId, O.salesUs.bapId, O.salesTest.bapId, O.default.bapId]);
    expect(byId.get(SEED.environment.bapId).properties.linkedEnvironmentMetadata.instanceUrl).toBe(`${t.url}/dataverse/`);
    expect(byId.get(O.salesUs.bapId)).toMatchObject({
      location: 'unitedstates',
      properties: { azureRegion: 'eastus', linkedEnvironmentMetadata: { instanceUrl: 'https://contososalesus.crm.dynamics.com/' } },
    });
    expect(byId.get(O.default.bapId).properties).toMatchObject({ databaseType: 'None', linkedEnvironmentMetadata: null, isDefault: true });
  });

  it('finds the default environment by its id in any case', async () => {
    const id = SEED.otherEnvironments.default.bapId;
    const r = await t.call('GET', `/bap/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${id.toLowerCase()}?api-version=2023-06-01`);
    expect(r.status).toBe(200);
    expect(r.body.name).toBe(id);
  });
});
