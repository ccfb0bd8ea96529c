import { SEED } from '../../src/sandbox';
import { TestTenant, newUser, q } from './helpers';

let t: TestTenant;
beforeAll(async () => {
  t = await TestTenant.start();
});
afterAll(() => t.close());
beforeEach(() => t.control('POST', '/reset'));

const users = (filter: string, extra: Record<string, string> = {}) =>
  t.graph('GET', `/users${q({ $filter: filter, $select: 'id,userPrincipalName', ...extra })}`);

describe('Graph: authentication and errors', () => {
  it('rejects a request without a bearer token in Graph error format', async () => {
    const res = await fetch(`${t.url}/graph/v1.0/users`, { headers: { 'client-request-id': 'abc-123' } });
    expect(res.status).toBe(401);
    const body = (await res.json());
    expect(body.error.code).toBe('InvalidAuthenticationToken');
    expect(body.error.innerError['client-request-id']).toBe('abc-123');
    expect(body.error.innerError['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.error.innerError.date).toBeDefined();
  });

  it('answers an unknown segment with 400 BadRequest', async () => {
    const res = await t.graph('GET', '/nonsense');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("Resource not found for the segment 'nonsense'.");
  });
});

describe('Graph: reading users', () => {
  it('returns the default property set without $select, and only selected ones with it', async () => {
    const all = await t.graph('GET', '/users');
    expect(all.status).toBe(200);
    expect(all.body['@odata.context']).toContain('/graph/v1.0/$metadata#users');
    const admin = all.body.value.find((u: any) => u.id === SEED.admin.id);
    expect(Object.keys(admin).sort()).toEqual(
      ['businessPhones', 'displayName', 'givenName', 'id', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName'].sort(),
    );
    const sel = await t.graph('GET', `/users/${SEED.admin.id}?$select=id,usageLocation,accountEnabled,assignedLicenses`);
    expect(sel.body).toMatchObject({ id: SEED.admin.id, usageLocation: 'NO', accountEnabled: true });
    expect(sel.body.assignedLicenses.map((l: any) => l.skuId).sort()).toEqual([SEED.skus.sales, SEED.skus.office365E3].sort());
    const bad = await t.graph('GET', '/users?$select=id,shoeSize');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("Could not find a property named 'shoeSize'");
  });

  it('reads a user by UPN (case-insensitive) and 404s an unknown one', async () => {
    const res = await t.graph('GET', `/users/${encodeURIComponent('INGRID.BERG@contoso.no')}`);
    expect(res.body.id).toBe(SEED.admin.id);
    const missing = await t.graph('GET', '/users/nobody@contoso.no');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
  });

  it('filters with eq, in, startswith, and, or', async () => {
    expect((await users(`userPrincipalName eq '${SEED.admin.upn.toUpperCase()}'`)).body.value).toHaveLength(1);
    expect((await users("mail in ('hege.pedersen@contoso.no','kari.hansen@contoso.no')")).body.value.map((u: any) => u.userPrincipalName).sort()).toEqual([
      'hege@contoso.no',
      'kari.hansen@contoso.no',
    ]);
    expect((await users("startswith(displayName,'Kari') or accountEnabled eq false")).body.value).toHaveLength(2);
    expect((await users("usageLocation eq 'NO' and startswith(userPrincipalName,'lars')")).body.value).toHaveLength(1);
    expect((await users(`id eq '${SEED.users.kariHansen.id}'`)).body.value).toHaveLength(1);
    const licensed = await users(`assignedLicenses/any(x:x/skuId eq ${SEED.skus.sales})`);
    expect(licensed.body.value.map((u: any) => u.userPrincipalName).sort()).toEqual([
      'ingrid.berg@contoso.no', 'kari.hansen@contoso.no', 'lars.johansen@contoso.no', 'rapport.tjeneste@contoso.no',
    ]);
  });

  it("finds a UPN with an apostrophe through a doubled quote; an undoubled one is a 400", async () => {
    const created = await t.graph('POST', '/users', newUser("ola.o'brien@contoso.no"));
    expect(created.status).toBe(201);
    const found = await users("userPrincipalName eq 'ola.o''brien@contoso.no'");
    expect(found.body.value).toEqual([{ id: created.body.id, userPrincipalName: "ola.o'brien@contoso.no" }]);
    const bad = await users("userPrincipalName eq 'ola.o'brien@contoso.no'");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('BadRequest');
    expect((await t.graph('GET', `/users/${encodeURIComponent("ola.o'brien@contoso.no")}`)).body.id).toBe(created.body.id);
  });

  it('needs ConsistencyLevel + $count for ne/not/endswith, limits or-clauses, rejects unsupported properties', async () => {
    const ne = await users('accountEnabled ne true');
    expect(ne.status).toBe(400);
    expect(ne.body.error.code).toBe('Request_UnsupportedQuery');
    const ok = await t.graph('GET', `/users${q({ $filter: 'accountEnabled ne true', $count: 'true' })}`, undefined, { ConsistencyLevel: 'eventual' });
    expect(ok.status).toBe(200);
    expect(ok.body['@odata.count']).toBe(1);
    const many = Array.from({ length: 16 }, (_, i) => `'u${i}@contoso.no'`).join(',');
    const tooMany = await users(`userPrincipalName in (${many})`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toContain('Max allowed: 15');
    const unsupported = await users("passwordProfile eq 'x'");
    expect(unsupported.status).toBe(400);
    expect(unsupported.body.error.code).toBe('Request_UnsupportedQuery');
  });

  it('pages with $top and @odata.nextLink', async () => {
    const seen: string[] = [];
    let url: string | undefined = `${t.url}/graph/v1.0/users?$top=3&$select=id`;
    let pages = 0;
    while (url) {
      const res: any = await t.call('GET', url);
      expect(res.body.value.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.value.map((u: any) => u.id));
      url = res.body['@odata.nextLink'];
      pages++;
    }
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(10);
    expect((await t.graph('GET', '/users?$top=1000')).status).toBe(400);
  });
});

describe('Graph: creating and changing users', () => {
  it('creates a user (201) without ever storing or returning the password', async () => {
    const res = await t.graph('POST', '/users', newUser('eirik.haugen@contoso.no', { usageLocation: 'NO', givenName: 'Eirik' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userPrincipalName: 'eirik.haugen@contoso.no', givenName: 'Eirik' });
    expect(res.text).not.toContain('Xq7!kd93-Lm');
    const state = await t.control('GET', '/state');
    expect(state.text).not.toContain('Xq7!kd93-Lm');
    expect(state.text).toContain('"passwordSet":true');
  });

  it.each([
    ['accountEnabled', "Invalid value specified for property 'accountEnabled' of resource 'User'."],
    ['displayName', "Invalid value specified for property 'displayName' of resource 'User'."],
    ['mailNickname', "Invalid value specified for property 'mailNickname' of resource 'User'."],
    ['userPrincipalName', "Invalid value specified for property 'userPrincipalName' of resource 'User'."],
    ['passwordProfile', 'A password must be specified to create a new user.'],
  ])('requires %s', async (field, message) => {
    const body: Record<string, unknown> = newUser('x.y@contoso.no');
    delete body[field];
    const res = await t.graph('POST', '/users', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'Request_BadRequest', message });
  });

  it('checks the UPN grammar and the verified domains', async () => {
    for (const upn of ['øystein@contoso.no', 'a b@contoso.no', '.dot@contoso.no', 'x@@contoso.no', 'nodomain']) {
      const res = await t.graph('POST', '/users', newUser(upn));
      expect([upn, res.status, res.body.error.message]).toEqual([upn, 400, "Invalid value specified for property 'userPrincipalName' of resource 'User'."]);
    }
    for (const upn of ["o'k!#^~_-.x@contoso.no", 'y@contosonorge.onmicrosoft.com']) {
      expect((await t.graph('POST', '/users', newUser(upn))).status).toBe(201);
    }
    const unverified = await t.graph('POST', '/users', newUser('jonas.dahl@fabrikam-demo.com'));
    expect(unverified.status).toBe(400);
    expect(unverified.body.error.message).toBe(
      'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.',
    );
  });

  it('refuses a duplicate UPN, case-insensitively', async () => {
    const res = await t.graph('POST', '/users', newUser('Kari.Hansen@CONTOSO.no'));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'Request_BadRequest', message: 'Another object with the same value for property userPrincipalName already exists.' });
  });

  it('knows a sign-in name and a mail by what they are now: after a rename, a removal and a create', async () => {
    const taken = 'Another object with the same value for property userPrincipalName already exists.';
    const id = SEED.users.marteNilsen.id;
    const before = (await t.graph('GET', `/users/${id}?$select=userPrincipalName`)).body.userPrincipalName as string;
    expect((await t.graph('PATCH', `/users/${id}`, { userPrincipalName: 'marte.ny@contoso.no', mail: 'marte.ny@contoso.no' })).status).toBe(204);
    // The old name is free, the new one taken, and the user found by it.
    expect((await t.graph('GET', `/users/${encodeURIComponent(before)}`)).status).toBe(404);
    expect((await t.graph('GET', '/users/MARTE.NY@contoso.no?$select=id')).body.id).toBe(id);
    expect((await t.graph('POST', '/users', newUser('marte.ny@contoso.no'))).body.error.message).toBe(taken);
    const other = await t.graph('POST', '/users', newUser('other@contoso.no'));
    expect(other.status).toBe(201);
    expect((await t.graph('PATCH', `/users/${other.body.id}`, { mail: 'Marte.Ny@contoso.no' })).body.error.message).toBe(
      'Another object with the same value for property proxyAddresses already exists.',
    );
    expect((await t.graph('DELETE', `/users/${id}`)).status).toBe(204);
    expect((await t.graph('POST', '/users', newUser('marte.ny@contoso.no'))).status).toBe(201);
    expect((await t.graph('POST', '/users', newUser(before))).status).toBe(201);
    expect((await t.graph('POST', '/users', newUser(before))).body.error.message).toBe(taken);
  });

  it('refuses weak passwords and invalid usage locations', async () => {
    const weak = await t.graph('POST', '/users', newUser('w@contoso.no', { passwordProfile: { password: 'password' } }));
    expect(weak.status).toBe(400);
    expect(weak.body.error.message).toContain('password complexity');
    const loc = await t.graph('POST', '/users', newUser('w@contoso.no', { usageLocation: 'XX' }));
    expect(loc.status).toBe(400);
    expect(loc.body.error.message).toContain("'usageLocation'");
  });

  it('updates with PATCH (204) and deletes with DELETE (204)', async () => {
    const id = SEED.users.marteNilsen.id;
    expect((await t.graph('PATCH', `/users/${id}`, { usageLocation: 'NO', jobTitle: 'Selger Øst' })).status).toBe(204);
    expect((await t.graph('GET', `/users/${id}?$select=usageLocation,jobTitle`)).body).toMatchObject({ usageLocation: 'NO', jobTitle: 'Selger Øst' });
    expect((await t.graph('PATCH', `/users/${id}`, { id: 'x' })).status).toBe(400);
    expect((await t.graph('DELETE', `/users/${id}`)).status).toBe(204);
    expect((await t.graph('GET', `/users/${id}`)).status).toBe(404);
  });
});

describe('Graph: licences', () => {
  const sku = (skus: any[], id: string) => skus.find((s) => s.skuId === id);
  const skus = async () => (await t.graph('GET', '/subscribedSkus')).body.value;
  const assign = (user: string, skuId: string) => t.graph('POST', `/users/${user}/assignLicense`, { addLicenses: [{ skuId, disabledPlans: [] }], removeLicenses: [] });

  it('lists subscribed SKUs with seats and service plans; only $select is supported', async () => {
    const list = await skus();
    const sales = sku(list, SEED.skus.sales);
    expect(sales).toMatchObject({ skuPartNumber: 'DYN365_ENTERPRISE_SALES', capabilityStatus: 'Enabled', prepaidUnits: { enabled: 25, suspended: 0, warning: 0 } });
    expect(sales.prepaidUnits.enabled - sales.consumedUnits).toBe(SEED.freeSalesSeats);
    const plan1 = sku(list, SEED.skus.customerEngagementPlan);
    expect(plan1.prepaidUnits.enabled - plan1.consumedUnits).toBe(0);
    expect(plan1.servicePlans.map((p: any) => p.servicePlanName)).toContain('DYN365_ENTERPRISE_P1');
    const sc = sku(list, SEED.skus.salesCustomerService);
    expect(sc.prepaidUnits.enabled - sc.consumedUnits).toBe(2);
    const sel = await t.graph('GET', '/subscribedSkus?$select=skuId,consumedUnits');
    expect(Object.keys(sel.body.value[0]).sort()).toEqual(['consumedUnits', 'skuId']);
    expect((await t.graph('GET', `/subscribedSkus${q({ $filter: "skuPartNumber eq 'X'" })}`)).status).toBe(400);
  });

  it('requires a usage location', async () => {
    const res = await assign(SEED.users.marteNilsen.id, SEED.skus.sales);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('License assignment cannot be done for user with invalid usage location.');
  });

  it('requires a known SKU and both parameters', async () => {
    const bad = await assign(SEED.users.oysteinBakke.id, '00000000-0000-0000-0000-000000000001');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('License 00000000-0000-0000-0000-000000000001 does not correspond to a valid company License.');
    const missing = await t.graph('POST', `/users/${SEED.users.oysteinBakke.id}/assignLicense`, { addLicenses: [] });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('removeLicenses');
  });

  it('requires a free seat', async () => {
    const res = await assign(SEED.users.oysteinBakke.id, SEED.skus.customerEngagementPlan);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'Request_BadRequest', message: `Subscription with SKU ${SEED.skus.customerEngagementPlan} does not have any available licenses.` });
  });

  it('consumes a seat once (re-assigning is a no-op) and frees it on removal', async () => {
    const before = sku(await skus(), SEED.skus.salesCustomerService).consumedUnits;
    const user = SEED.users.oysteinBakke.upn;
    const first = await assign(user, SEED.skus.salesCustomerService);
    expect(first.status).toBe(200);
    expect(first.body.userPrincipalName).toBe(user);
    expect((await assign(user, SEED.skus.salesCustomerService)).status).toBe(200);
    expect(sku(await skus(), SEED.skus.salesCustomerService).consumedUnits).toBe(before + 1);
    expect((await assign(SEED.users.siljeAndersen.id, SEED.skus.salesCustomerService)).status).toBe(200);
    const full = await assign(SEED.users.hegePedersen.id, SEED.skus.salesCustomerService);
    expect(full.body.error.message).toContain('does not have any available licenses');
    const details = await t.graph('GET', `/users/${SEED.users.oysteinBakke.id}/licenseDetails`);
    expect(details.body.value.map((d: any) => d.skuPartNumber).sort()).toEqual(['DYN365_ENTERPRISE_SALES_CUSTOMERSERVICE', 'ENTERPRISEPACK']);
    expect(details.body.value[0].servicePlans[0]).toMatchObject({ provisioningStatus: 'Success', appliesTo: 'User' });
    const removed = await t.graph('POST', `/users/${user}/assignLicense`, { addLicenses: [], removeLicenses: [SEED.skus.salesCustomerService] });
    expect(removed.status).toBe(200);
    expect(sku(await skus(), SEED.skus.salesCustomerService).consumedUnits).toBe(before + 1);
  });
});

describe('Graph: tenant, domains, groups', () => {
  it('lists domains and the organization with verified domains only', async () => {
    // GET /domains needs Domain.Read.All (Learn: List domains), which the README does not grant.
    const refused = await t.graph('GET', '/domains');
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
    await t.control('PATCH', '/app', { graphRoles: [...SEED.app.graphRoles, 'Domain.Read.All'] });
    const domains = (await t.graph('GET', '/domains')).body.value;
    expect(domains.find((d: any) => d.id === 'contoso.no')).toMatchObject({ isVerified: true, isDefault: true, isInitial: false, authenticationType: 'Managed' });
    expect(domains.find((d: any) => d.id === 'fabrikam-demo.com')).toMatchObject({ isVerified: false });
    const org = (await t.graph('GET', '/organization')).body.value[0];
    expect(org.id).toBe(SEED.tenantId);
    expect(org.verifiedDomains.map((d: any) => d.name).sort()).toEqual(['contoso.no', 'contosonorge.onmicrosoft.com']);
  });

  it('lists group members and checks membership', async () => {
    const members = await t.graph('GET', `/groups/${SEED.approverGroupId}/members?$select=id,userPrincipalName`);
    expect(members.body.value).toEqual([{ '@odata.type': '#microsoft.graph.user', id: SEED.admin.id, userPrincipalName: SEED.admin.upn }]);
    const other = '11111111-1111-1111-1111-111111111111';
    const check = await t.graph('POST', `/users/${SEED.admin.id}/checkMemberGroups`, { groupIds: [SEED.approverGroupId, other] });
    expect(check.body.value).toEqual([SEED.approverGroupId]);
    const no = await t.graph('POST', `/users/${SEED.users.kariHansen.id}/checkMemberGroups`, { groupIds: [SEED.approverGroupId] });
    expect(no.body.value).toEqual([]);
  });
});
