import { all } from '../../src/provisioning/clients';
import { FAST, SEED, freshUpn, openTenant, rejection, type Tenant } from './tenant';

let tenant: Tenant;
beforeAll(async () => {
  tenant = await openTenant();
});
afterAll(async () => {
  await tenant.close();
});
beforeEach(() => tenant.control.reset({ settings: FAST }));

describe('PowerPlatformClient', () => {
  it('reads the environment, and null for an unknown one', async () => {
    const { powerPlatform } = tenant.clients();
    const env = await powerPlatform.getEnvironment(SEED.environment.bapId);
    expect(env).toMatchObject({ name: SEED.environment.bapId, displayName: SEED.environment.name });
    expect(await powerPlatform.getEnvironment('00000000-0000-4000-8000-000000000099')).toBeNull();
  });

  it('answers user_not_licensed until the licence has propagated, then adds the user', async () => {
    await tenant.control.settings({ licensePropagationMs: 60_000, syncDelayMs: 60_000 });
    const { directory, powerPlatform, sales } = tenant.clients();
    const upn = freshUpn('bap');
    const user = await directory.createUser({ userPrincipalName: upn, displayName: upn, mailNickname: upn.split('@')[0], password: 'Kontrakt-Passord-2025!', usageLocation: 'NO' });

    const unlicensed = await rejection(powerPlatform.addUser(SEED.environment.bapId, user.id));
    expect(unlicensed.code).toBe('user_not_licensed');

    await directory.assignLicense(user.id, SEED.skus.sales);
    const early = await rejection(powerPlatform.addUser(SEED.environment.bapId, user.id));
    expect(early.code).toBe('user_not_licensed');
    expect(await sales().findSystemUserByAadObjectId(user.id)).toBeNull();

    await tenant.control.settings({ licensePropagationMs: 0 });
    await powerPlatform.addUser(SEED.environment.bapId, user.id);
    const added = await sales().findSystemUserByAadObjectId(user.id);
    expect(added).toMatchObject({ domainName: upn, isDisabled: false });
  });

  it('maps an unknown environment to environment_not_found', async () => {
    const error = await rejection(tenant.clients().powerPlatform.addUser('00000000-0000-4000-8000-000000000099', SEED.users.kariHansen.id));
    expect(error.code).toBe('environment_not_found');
  });
});

describe('BusinessCentralClient', () => {
  it('lists companies', async () => {
    const companies = await tenant.clients().businessCentral().listCompanies();
    expect(companies).toEqual([expect.objectContaining({ id: SEED.businessCentral.companyId, name: SEED.businessCentral.companyName })]);
  });

  it('follows every nextLink and keeps the apostrophe name intact', async () => {
    await tenant.control.settings({ bcPageSize: 5 });
    const { businessCentral, policies } = tenant.clients();
    const bc = businessCentral(SEED.businessCentral.environment);
    expect(businessCentral()).toBe(bc);
    const people = await bc.allSalespeople(SEED.businessCentral.companyId);
    expect(people).toHaveLength(12);
    expect(policies.bc.stats.requests).toBe(3);
    expect(new Set(people.map((p) => p.id)).size).toBe(12);
    const ola = people.find((p) => p.code === 'OO');
    expect(ola).toMatchObject({ displayName: "Ola O'Brien", email: "ola.o'brien@contoso.no", blocked: false, privacyBlocked: false });
    expect(people.filter((p) => p.blocked).map((p) => p.code)).toEqual(['AK']);
    const streamed = await all(bc.listSalespeople(SEED.businessCentral.companyId));
    expect(streamed.map((p) => p.id)).toEqual(people.map((p) => p.id));
  });

  it('maps an unknown environment and an unknown company', async () => {
    const { businessCentral } = tenant.clients();
    expect((await rejection(businessCentral('Sandkasse').listCompanies())).code).toBe('environment_not_found');
    expect((await rejection(businessCentral().allSalespeople('00000000-0000-4000-8000-000000000099'))).code).toBe('not_found');
  });
});

describe('PowerPlatformClient refusals', () => {
  it('maps a user blocked from sign-in to user_disabled and an unknown user to not_found', async () => {
    const { powerPlatform } = tenant.clients();
    expect((await rejection(powerPlatform.addUser(SEED.environment.bapId, SEED.users.perOlsen.id))).code).toBe('user_disabled');
    expect((await rejection(powerPlatform.addUser(SEED.environment.bapId, '00000000-0000-4000-8000-000000000077'))).code).toBe('not_found');
  });

  it('validates ids before sending anything', async () => {
    const { powerPlatform, policies } = tenant.clients();
    expect((await rejection(powerPlatform.addUser('../../other', SEED.users.kariHansen.id))).code).toBe('invalid_input');
    expect((await rejection(powerPlatform.addUser(SEED.environment.bapId, "x' or '1"))).code).toBe('invalid_input');
    expect(policies.bap.stats.requests).toBe(0);
  });
});
