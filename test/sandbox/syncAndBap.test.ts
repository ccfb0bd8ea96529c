import { SEED } from '../../src/sandbox';
import { TestTenant, newUser, q } from './helpers';

let t: TestTenant;
/** The sandbox's clock: real time plus what a test moves it on by (instead of sleeping). */
let ahead = 0;
const advance = (ms: number) => {
  ahead += ms;
};
beforeAll(async () => {
  t = await TestTenant.start({ now: () => Date.now() + ahead, settings: { syncDelayMs: 400, licensePropagationMs: 200 } });
});
afterAll(() => t.close());
beforeEach(() => t.control('POST', '/reset'));

const ENV = SEED.environment.bapId;
const bapBase = '/bap/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments';
const addUser = (objectId: string, env: string = ENV) => t.call('POST', `${bapBase}/${env}/addUser?api-version=2023-06-01`, { objectId });
const byAad = async (id: string) =>
  (await t.dv('GET', `systemusers${q({ $select: 'systemuserid,domainname,accessmode,islicensed,isdisabled,_businessunitid_value', $filter: `azureactivedirectoryobjectid eq ${id}` })}`)).body.value;
const license = (id: string, skuId: string = SEED.skus.sales) =>
  t.graph('POST', `/users/${id}/assignLicense`, { addLicenses: [{ skuId, disabledPlans: [] }], removeLicenses: [] });

describe('background sync into Dataverse', () => {
  it('brings a licensed, enabled user in after syncDelayMs, as a Read-Write user in the root business unit', async () => {
    const id = SEED.users.oysteinBakke.id;
    expect((await license(id)).status).toBe(200);
    expect(await byAad(id)).toEqual([]);
    advance(450);
    const [su] = await byAad(id);
    expect(su).toMatchObject({
      domainname: SEED.users.oysteinBakke.upn, accessmode: 0, islicensed: true, isdisabled: false,
      _businessunitid_value: SEED.dataverse.businessUnits.root,
    });
    expect((await t.dv('GET', `systemusers(${su.systemuserid})/systemuserroles_association`)).body.value).toEqual([]);
  });

  it('ignores licences without a Dynamics plan and disabled accounts', async () => {
    await t.graph('PATCH', `/users/${SEED.users.perOlsen.id}`, { usageLocation: 'NO' });
    await license(SEED.users.perOlsen.id);
    await license(SEED.users.siljeAndersen.id, SEED.skus.office365E3).catch(() => undefined);
    advance(450);
    expect(await byAad(SEED.users.perOlsen.id)).toEqual([]);
    expect(await byAad(SEED.users.siljeAndersen.id)).toEqual([]);
  });

  it('disables the Sales user when the account is disabled or the licence removed', async () => {
    await t.graph('PATCH', `/users/${SEED.users.larsJohansen.id}`, { accountEnabled: false });
    expect((await byAad(SEED.users.larsJohansen.id))[0]).toMatchObject({ isdisabled: true, islicensed: true });
    await t.graph('POST', `/users/${SEED.users.kariHansen.id}/assignLicense`, { addLicenses: [], removeLicenses: [SEED.skus.sales] });
    expect((await byAad(SEED.users.kariHansen.id))[0]).toMatchObject({ isdisabled: true, islicensed: false });
  });
});

describe('Power Platform admin: addUser', () => {
  it('answers userNotLicensed until the licence has propagated, then adds the user at once', async () => {
    const g = await t.graph('POST', '/users', newUser('eirik.haugen@contoso.no', { usageLocation: 'NO' }));
    const id = g.body.id;
    const unlicensed = await addUser(id);
    expect(unlicensed.status).toBe(400);
    expect(unlicensed.body.error.code).toBe('userNotLicensed');
    await license(id);
    const early = await addUser(id);
    expect(early.status).toBe(400);
    expect(early.body.error.code).toBe('userNotLicensed');
    advance(250);
    const ok = await addUser(id);
    expect(ok.status).toBe(200);
    expect(ok.body.systemUserId).toMatch(/^[0-9a-f-]{36}$/);
    const [su] = await byAad(id);
    expect(su).toMatchObject({ systemuserid: ok.body.systemUserId, isdisabled: false, islicensed: true });
    // idempotent, and background sync later does not duplicate or disable it
    expect((await addUser(id)).body.systemUserId).toBe(ok.body.systemUserId);
    advance(200);
    expect(await byAad(id)).toEqual([su]);
  });

  it('answers UserNotFound, EnvironmentNotFound and a missing api-version in BAP format', async () => {
    const nf = await addUser('00000000-0000-0000-0000-000000000042');
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe('UserNotFound');
    const env = await addUser(SEED.admin.id, '00000000-0000-0000-0000-000000000043');
    expect(env.status).toBe(404);
    expect(env.body.error.code).toBe('EnvironmentNotFound');
    const noVersion = await t.call('POST', `${bapBase}/${ENV}/addUser`, { objectId: SEED.admin.id });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.error.code).toBe('MissingApiVersionParameter');
    const noAuth = await fetch(`${t.url}${bapBase}/${ENV}?api-version=2023-06-01`);
    expect(noAuth.status).toBe(401);
  });

  it('is idempotent for an existing Sales user', async () => {
    const res = await addUser(SEED.admin.id);
    expect(res.status).toBe(200);
    expect(res.body.systemUserId).toBe(SEED.dataverse.systemUsers.admin);
  });

  it('reads the environment with its Dataverse instance URL', async () => {
    const res = await t.call('GET', `${bapBase}/${ENV}?api-version=2023-06-01`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: ENV, properties: { displayName: SEED.environment.name } });
    const instanceUrl = res.body.properties.linkedEnvironmentMetadata.instanceUrl;
    expect(instanceUrl).toBe(`${t.url}/dataverse/`);
    const who = await t.call('GET', `${instanceUrl}api/data/v9.2/WhoAmI`);
    expect(who.status).toBe(200);
  });
});
