import { FAST, SEED, openTenant, rejection, type Tenant } from './tenant';

/** The clients that read the environment lists, against the sandbox tenant over HTTP. */
let tenant: Tenant;
beforeAll(async () => {
  tenant = await openTenant();
});
afterAll(async () => {
  await tenant.close();
});
beforeEach(() => tenant.control.reset({ settings: FAST }));

const O = SEED.otherEnvironments;

describe('BusinessCentralAdminClient', () => {
  it("lists the tenant's Business Central environments with the Power Platform environment each is linked to", async () => {
    const environments = await tenant.clients().businessCentralAdmin.listEnvironments();
    expect(environments).toEqual([
      { name: SEED.businessCentral.environment, type: 'Production', countryCode: 'NO', status: 'Active', linkedPowerPlatformEnvironmentId: SEED.environment.bapId },
      { name: O.bcSandbox.name, type: 'Sandbox', countryCode: 'NO', status: 'Active', linkedPowerPlatformEnvironmentId: null },
    ]);
  });

  it('names the admin center permission when the app lacks AdminCenter.ReadWrite.All', async () => {
    await tenant.control.app({ businessCentralRoles: ['API.ReadWrite.All'] });
    const error = await rejection(tenant.clients().businessCentralAdmin.listEnvironments());
    expect(error).toMatchObject({ code: 'forbidden', status: 401 });
    expect(error.message).toMatch(/AdminCenter\.ReadWrite\.All/);
    // The BC API itself still answers: only the list needs the admin center.
    expect(await tenant.clients().businessCentral(O.bcSandbox.name).listCompanies()).toEqual([expect.objectContaining({ id: O.bcSandbox.companyId, name: O.bcSandbox.companyName })]);
  });
});

describe('PowerPlatformClient.listEnvironments', () => {
  it('lists every environment with its geography, region and Dataverse URL (none for the default environment)', async () => {
    const environments = await tenant.clients().powerPlatform.listEnvironments();
    expect(environments.map((e) => [e.name, e.location, e.region, e.instanceUrl])).toEqual([
      [SEED.environment.bapId, 'europe', 'norwayeast', `${tenant.url}/dataverse/`],
      [O.salesUs.bapId, 'unitedstates', 'eastus', 'https://contososalesus.crm.dynamics.com/'],
      [O.salesTest.bapId, 'europe', 'norwayeast', 'https://contososalestest.crm4.dynamics.com/'],
      [O.default.bapId, 'europe', 'norwayeast', null],
    ]);
    expect(environments[0]).toMatchObject({ displayName: SEED.environment.name, sku: 'Production' });
  });

  it('names the management app registration when the app is not one', async () => {
    await tenant.control.app({ powerPlatformManagementApp: false });
    const error = await rejection(tenant.clients().powerPlatform.listEnvironments());
    expect(error).toMatchObject({ code: 'forbidden', status: 403 });
    expect(error.message).toMatch(/management app/);
  });
});
