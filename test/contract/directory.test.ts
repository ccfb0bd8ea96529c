import { isAppError } from '../../src/errors';
import { DirectoryClient } from '../../src/provisioning/clients';
import { lookUpUsers } from '../../src/provisioning/observe/directoryReads';
import { FAST, SEED, freshUpn, openTenant, rejection, type Tenant } from './tenant';

let tenant: Tenant;
beforeAll(async () => {
  tenant = await openTenant();
});
afterAll(async () => {
  await tenant.close();
});

const newUser = (upn = freshUpn(), extra: Record<string, unknown> = {}) => ({
  userPrincipalName: upn,
  displayName: `Kontrakt ${upn.split('@')[0]}`,
  mailNickname: upn.split('@')[0].replace(/[^A-Za-z0-9._-]/g, ''),
  password: 'Kontrakt-Passord-2025!',
  ...extra,
});

describe('DirectoryClient reads', () => {
  beforeAll(() => tenant.control.reset({ settings: FAST }));

  it('gets a user by id and by UPN, and null for an unknown one', async () => {
    const { directory } = tenant.clients();
    const byId = await directory.getUser(SEED.admin.id);
    expect(byId).toMatchObject({ id: SEED.admin.id, userPrincipalName: SEED.admin.upn, usageLocation: 'NO', accountEnabled: true });
    expect(byId!.assignedLicenses.map((l) => l.skuId)).toContain(SEED.skus.sales);
    expect((await directory.getUser(SEED.admin.upn))?.id).toBe(SEED.admin.id);
    expect(await directory.getUser(`nobody@${SEED.domains.verified}`)).toBeNull();
  });

  it('finds users in bulk by UPN and mail, matching case-insensitively across chunks of 15', async () => {
    const { directory } = tenant.clients();
    const unknown = Array.from({ length: 16 }, (_, i) => `ukjent${i}@${SEED.domains.verified}`);
    const found = await lookUpUsers(directory, {
      upns: [...unknown, SEED.admin.upn.toUpperCase(), SEED.users.kariHansen.upn],
      mails: ['HEGE.PEDERSEN@contoso.no', 'ingen@contoso.no'],
    });
    expect(found.byUpn.get(SEED.admin.upn)?.id).toBe(SEED.admin.id);
    expect(found.byUpn.get(SEED.users.kariHansen.upn)?.id).toBe(SEED.users.kariHansen.id);
    expect(found.byMail.get('hege.pedersen@contoso.no')?.id).toBe(SEED.users.hegePedersen.id);
    expect(new Set([...found.byUpn.values(), ...found.byMail.values()].map((u) => u.id)).size).toBe(3);
  });

  it('lists every user', async () => {
    const users = await tenant.clients().directory.listUsers();
    expect(users.map((u) => u.id)).toEqual(expect.arrayContaining([SEED.admin.id, SEED.users.reporting.id, SEED.users.perOlsen.id]));
    expect(users.find((u) => u.id === SEED.users.perOlsen.id)?.accountEnabled).toBe(false);
  });

  it('follows @odata.nextLink across pages of users', async () => {
    const clients = tenant.clients();
    const paged = new DirectoryClient({ endpoint: tenant.config.endpoints.graph, policy: clients.policies.graph, pageSize: 4 });
    const users = await paged.listUsers();
    expect(new Set(users.map((u) => u.id)).size).toBe(users.length);
    expect(users.map((u) => u.id)).toEqual(expect.arrayContaining([SEED.admin.id, ...Object.values(SEED.users).map((u) => u.id)]));
    expect(users).toHaveLength(10);
    expect(clients.policies.graph.stats.requests).toBe(3);
  });

  it('lists subscribed SKUs with free seats and the Sales-capable flag', async () => {
    const skus = await tenant.clients().directory.listSubscribedSkus();
    const byId = new Map(skus.map((s) => [s.skuId, s]));
    expect(byId.get(SEED.skus.customerEngagementPlan)).toMatchObject({ skuPartNumber: 'DYN365_ENTERPRISE_PLAN1', freeSeats: 0, salesCapable: true });
    expect(byId.get(SEED.skus.sales)).toMatchObject({ freeSeats: SEED.freeSalesSeats, salesCapable: true });
    expect(byId.get(SEED.skus.salesCustomerService)?.salesCapable).toBe(true);
    expect(byId.get(SEED.skus.office365E3)?.salesCapable).toBe(false);
  });

  it('reads the verified domains from the organisation, never from /domains (which needs Domain.Read.All)', async () => {
    const { directory } = tenant.clients();
    await tenant.control.fault({ kind: '503', service: 'graph', method: 'GET', pathContains: '/domains', count: 50 });
    const verified = await directory.verifiedDomains();
    expect(verified).toEqual(expect.arrayContaining([SEED.domains.verified, SEED.domains.initial]));
    expect(verified).not.toContain(SEED.domains.unverified);
    const org = await directory.getOrganization();
    expect(org).toMatchObject({ id: SEED.tenantId, displayName: SEED.tenantName, countryLetterCode: 'NO' });
    expect(org.verifiedDomains.find((d) => d.name === SEED.domains.verified)).toEqual({
      name: SEED.domains.verified, isDefault: true, isInitial: false, type: 'Managed', capabilities: 'Email, OfficeCommunicationsOnline',
    });
  });

  it('checks group membership', async () => {
    const { directory } = tenant.clients();
    const other = '00000000-0000-4000-8000-000000000001';
    expect(await directory.checkMemberGroups(SEED.admin.id, [SEED.approverGroupId, other])).toEqual([SEED.approverGroupId]);
    expect(await directory.checkMemberGroups(SEED.users.kariHansen.id, [SEED.approverGroupId])).toEqual([]);
  });

  it('lists licence details', async () => {
    const details = await tenant.clients().directory.listLicenseDetails(SEED.users.kariHansen.id);
    const sales = details.find((d) => d.skuId === SEED.skus.sales);
    expect(sales?.skuPartNumber).toBe('DYN365_ENTERPRISE_SALES');
    expect(sales?.servicePlans.map((p) => p.servicePlanName)).toContain('DYN365_ENTERPRISE_SALES');
  });
});

describe('DirectoryClient writes', () => {
  beforeEach(() => tenant.control.reset({ settings: FAST }));

  it('creates, updates and licenses a user whose UPN has an apostrophe', async () => {
    const { directory } = tenant.clients();
    const upn = "ola.o'brien@contoso.no";
    const created = await directory.createUser(newUser(upn, { givenName: 'Ola', surname: "O'Brien", usageLocation: 'NO' }));
    expect(created.userPrincipalName).toBe(upn);
    expect((await directory.getUser(upn))?.id).toBe(created.id);
    const found = await lookUpUsers(directory, { upns: ["OLA.O'BRIEN@contoso.no"] });
    expect(found.byUpn.get(upn)?.id).toBe(created.id);
    await directory.updateUser(created.id, { jobTitle: 'Selger', displayName: "Ola O'Brien" });
    expect(await directory.getUser(created.id)).toMatchObject({ jobTitle: 'Selger', displayName: "Ola O'Brien" });
    expect(created).toMatchObject({ usageLocation: 'NO', accountEnabled: true, mailNickname: "ola.obrien" });
    await directory.assignLicense(upn, SEED.skus.sales);
    expect((await directory.getUser(upn))?.assignedLicenses.map((l) => l.skuId)).toEqual([SEED.skus.sales]);
    expect((await directory.listLicenseDetails(created.id)).map((d) => d.skuId)).toEqual([SEED.skus.sales]);
  });

  it('maps a duplicate UPN to upn_exists', async () => {
    const error = await rejection(tenant.clients().directory.createUser(newUser(SEED.users.kariHansen.upn)));
    expect(error.code).toBe('upn_exists');
    expect(error.message).toContain(SEED.users.kariHansen.upn);
    expect(error.message).not.toMatch(/Another object/);
  });

  it('maps an unverified domain to domain_not_verified', async () => {
    const error = await rejection(tenant.clients().directory.createUser(newUser(`ny.bruker@${SEED.domains.unverified}`)));
    expect(error.code).toBe('domain_not_verified');
    expect(error.message).toContain(SEED.domains.unverified);
  });

  it('maps a licence without usage location to usage_location_missing', async () => {
    const error = await rejection(tenant.clients().directory.assignLicense(SEED.users.marteNilsen.id, SEED.skus.sales));
    expect(error.code).toBe('usage_location_missing');
  });

  it('maps a SKU without free seats to license_no_free_seats, naming the SKU', async () => {
    const error = await rejection(tenant.clients().directory.assignLicense(SEED.users.oysteinBakke.id, SEED.skus.customerEngagementPlan));
    expect(error.code).toBe('license_no_free_seats');
    expect(error.message).toContain('Dynamics 365 Plan 1 Enterprise Edition');
  });

  it('maps an unknown SKU to license_unknown_sku', async () => {
    const error = await rejection(tenant.clients().directory.assignLicense(SEED.users.oysteinBakke.id, '11111111-2222-4333-8444-555555555555'));
    expect(error.code).toBe('license_unknown_sku');
  });

  it('surfaces upn_exists after a lost createUser reply, and exactly one user exists', async () => {
    const { directory, policies } = tenant.clients();
    const upn = freshUpn('tapt');
    await tenant.control.fault({ kind: 'lost', service: 'graph', method: 'POST', pathContains: '/users' });
    const error = await rejection(directory.createUser(newUser(upn)));
    expect(error.code).toBe('upn_exists');
    expect(policies.graph.stats.retries).toBeGreaterThanOrEqual(1);
    const state = await tenant.control.state();
    expect(state.graph.users.filter((u) => u.userPrincipalName.toLowerCase() === upn.toLowerCase())).toHaveLength(1);
  });
});

describe('DirectoryClient $batch', () => {
  beforeEach(() => tenant.control.reset({ settings: FAST }));

  it('returns mixed results in request order, re-sending only the throttled item', async () => {
    const { directory } = tenant.clients();
    const upnA = freshUpn('batch-a');
    await tenant.control.fault({ kind: '429', service: 'graph', method: 'PATCH', pathContains: SEED.users.larsJohansen.id, retryAfterSeconds: 0 });
    const results = await directory.batch([
      DirectoryClient.createUserItem('dup', newUser(SEED.users.kariHansen.upn)),
      DirectoryClient.createUserItem('create', newUser(upnA, { usageLocation: 'NO' })),
      DirectoryClient.updateUserItem('throttled', SEED.users.larsJohansen.id, { jobTitle: 'Seniorselger' }),
      DirectoryClient.assignLicenseItem('license', upnA, SEED.skus.sales, { dependsOn: ['create'] }),
      { id: 'blocked', method: 'PATCH', url: `/users/${encodeURIComponent(SEED.users.kariHansen.upn)}`, body: { jobTitle: 'x' }, dependsOn: ['dup'] },
    ]);
    expect(results.map((r) => r.id)).toEqual(['dup', 'create', 'throttled', 'license', 'blocked']);
    expect(results.map((r) => r.status)).toEqual([400, 201, 204, 200, 424]);
    expect(results[0].error?.code).toBe('upn_exists');
    expect(results[1].error).toBeUndefined();
    expect(results[2]).toMatchObject({ attempts: 2 });
    expect(results[1].attempts).toBe(1);
    expect(results[4].error?.code).toBe('batch_dependency_failed');
    expect(isAppError(results[4].error)).toBe(true);
    expect((await directory.getUser(SEED.users.larsJohansen.id))?.jobTitle).toBe('Seniorselger');
    expect((await directory.getUser(upnA))?.assignedLicenses.map((l) => l.skuId)).toEqual([SEED.skus.sales]);
  });

  it('splits more than 20 requests into envelopes and keeps request order', async () => {
    const { directory, policies } = tenant.clients();
    const ids = [SEED.admin.id, ...Object.values(SEED.users).map((u) => u.id)];
    const items = Array.from({ length: 45 }, (_, i) => ({ id: `r${i}`, method: 'GET' as const, url: `/users/${ids[i % ids.length]}?$select=id` }));
    const results = await directory.batch(items);
    expect(results.map((r) => r.id)).toEqual(items.map((i) => i.id));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.map((r) => (r.body as { id: string }).id)).toEqual(items.map((_, i) => ids[i % ids.length]));
    expect(policies.graph.stats.requests).toBe(3);
  });
});
