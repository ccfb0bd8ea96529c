import { SEED } from '../../src/sandbox';
import { TestTenant, newUser, q, sleep } from './helpers';

let t: TestTenant;
beforeAll(async () => {
  t = await TestTenant.start({ settings: { syncDelayMs: 100, licensePropagationMs: 0 } });
});
afterAll(() => t.close());
beforeEach(() => t.control('POST', '/reset'));

const salesUserOf = async (aadId: string) =>
  (await t.dv('GET', `systemusers${q({ $select: 'systemuserid,internalemailaddress,domainname', $filter: `azureactivedirectoryobjectid eq ${aadId}` })}`)).body.value;

describe("the Sales user's primary e-mail (internalemailaddress) comes from the account's mail", () => {
  it('is empty for an account without mail, and follows mail once it is set', async () => {
    const created = await t.graph('POST', '/users', newUser('nora.berg@contoso.no', { usageLocation: 'NO' }));
    expect(created.status).toBe(201);
    expect(created.body.mail).toBeNull();
    await t.graph('POST', `/users/${created.body.id}/assignLicense`, { addLicenses: [{ skuId: SEED.skus.sales, disabledPlans: [] }], removeLicenses: [] });
    await sleep(150);
    const [before] = await salesUserOf(created.body.id);
    expect(before).toMatchObject({ domainname: 'nora.berg@contoso.no', internalemailaddress: null });

    expect((await t.graph('PATCH', `/users/${created.body.id}`, { mail: 'nora.berg@contoso.no' })).status).toBe(204);
    const [after] = await salesUserOf(created.body.id);
    expect(after.internalemailaddress).toBe('nora.berg@contoso.no');
  });

  it('keeps a primary e-mail set by hand in Dataverse until mail changes again', async () => {
    const [kari] = await salesUserOf(SEED.users.kariHansen.id);
    expect(kari.internalemailaddress).toBe('kari.hansen@contoso.no');
    expect((await t.dv('PATCH', `systemusers(${kari.systemuserid})`, { internalemailaddress: 'kari@contoso.no' })).status).toBe(204);
    expect((await salesUserOf(SEED.users.kariHansen.id))[0].internalemailaddress).toBe('kari@contoso.no');
    await t.graph('PATCH', `/users/${SEED.users.kariHansen.id}`, { mail: 'k.hansen@contoso.no' });
    expect((await salesUserOf(SEED.users.kariHansen.id))[0].internalemailaddress).toBe('k.hansen@contoso.no');
  });

  it('refuses a mail on a domain that is not verified, or one another account already has, and changes nothing', async () => {
    const id = SEED.users.marteNilsen.id;
    const foreign = await t.graph('PATCH', `/users/${id}`, { mail: 'marte@fabrikam.com' });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('Request_BadRequest');
    const taken = await t.graph('PATCH', `/users/${id}`, { mail: SEED.users.kariHansen.upn });
    expect(taken.status).toBe(400);
    expect(taken.body.error.message).toContain('proxyAddresses');
    expect((await t.graph('GET', `/users/${id}?$select=mail`)).body.mail).toBe(SEED.users.marteNilsen.upn);
  });
});
