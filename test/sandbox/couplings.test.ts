import { SEED } from '../../src/sandbox';
import { guidFrom } from '../../src/sandbox/seed';
import { TestTenant } from './helpers';

/** The sandbox's coupling endpoint: the small contract the README documents. */

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await TestTenant.start();
});
afterAll(() => tenant.close());
beforeEach(() => tenant.control('POST', '/reset', {}));

const ROOT = `/bc/v2.0/${SEED.tenantId}/${SEED.businessCentral.environment}/api/contoso/crm/v1.0`;
const COUPLINGS = `${ROOT}/companies(${SEED.businessCentral.companyId})/crmCouplings`;
const KH = guidFrom('bc-salesperson:KH');
const LJ = guidFrom('bc-salesperson:LJ');
const AK = guidFrom('bc-salesperson:AK');
const S = SEED.dataverse.systemUsers;

describe('coupling endpoint', () => {
  it('couples a salesperson to a Sales user once, lists it, and keeps it in the state', async () => {
    expect((await tenant.call('GET', COUPLINGS)).body.value).toEqual([]);
    const created = await tenant.call('POST', COUPLINGS, { salespersonId: KH, systemUserId: S.kariHansen });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ salespersonId: KH, salespersonCode: 'KH', systemUserId: S.kariHansen });
    const listed = (await tenant.call('GET', COUPLINGS)).body.value;
    expect(listed).toEqual([created.body]);
    const state = (await tenant.control('GET', '/state')).body;
    expect(state.bc.environments[0].couplings).toHaveLength(1);
  });

  it('refuses a second coupling of either side, and what page 5340 would not list', async () => {
    await tenant.call('POST', COUPLINGS, { salespersonId: KH, systemUserId: S.kariHansen });
    expect((await tenant.call('POST', COUPLINGS, { salespersonId: KH, systemUserId: S.kariHansen })).status).toBe(409);
    expect((await tenant.call('POST', COUPLINGS, { salespersonId: LJ, systemUserId: S.kariHansen })).status).toBe(409);
    const integration = await tenant.call('POST', COUPLINGS, { salespersonId: LJ, systemUserId: S.bcIntegrationApp });
    expect(integration.status).toBe(400);
    expect(integration.body.error.message).toMatch(/it is not licensed\. Only licensed, enabled Sales users that are not integration users can be coupled/);
    expect((await tenant.call('POST', COUPLINGS, { salespersonId: AK, systemUserId: S.larsJohansen })).status).toBe(400); // blocked
    expect((await tenant.call('POST', COUPLINGS, { salespersonId: guidFrom('nobody'), systemUserId: S.larsJohansen })).status).toBe(404);
    expect((await tenant.call('POST', COUPLINGS, { salespersonId: 'KH' })).status).toBe(400);
    expect((await tenant.call('GET', `${ROOT}/companies(${guidFrom('other')})/crmCouplings`)).status).toBe(404);
    expect((await tenant.call('DELETE', COUPLINGS)).status).toBe(405);
    expect((await tenant.call('GET', COUPLINGS)).body.value).toHaveLength(1);
  });

  it.each([
    ['disabled', { isdisabled: true }, 'it is disabled'],
    ['unlicensed', { islicensed: false }, 'it is not licensed'],
    ['an integration user', { isintegrationuser: true }, 'it is an integration user'],
  ])('refuses a Sales user that is %s, as pages 5340 and 7209 do not list it', async (_what, fields, reason) => {
    await tenant.control('PATCH', `/dataverse/systemusers/${S.larsJohansen}`, fields);
    const refused = await tenant.call('POST', COUPLINGS, { salespersonId: LJ, systemUserId: S.larsJohansen });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain(reason);
    expect((await tenant.call('GET', COUPLINGS)).body.value).toEqual([]);
  });

  it('asks for a bearer token like the rest of Business Central', async () => {
    const response = await fetch(`${tenant.url}${COUPLINGS}`);
    expect(response.status).toBe(401);
  });
});
