import { AccessMode, DEFAULT_NON_INTERACTIVE_LIMIT, SalesClient } from '../../src/provisioning/clients';
import { findSalesUsers } from '../../src/provisioning/observe/salesReads';
import { FAST, SEED, freshUpn, openTenant, rejection, type Tenant } from './tenant';

let tenant: Tenant;
beforeAll(async () => {
  tenant = await openTenant();
});
afterAll(async () => {
  await tenant.close();
});

const S = SEED.dataverse.systemUsers;
const ROOT = SEED.dataverse.roles.root;
const VEST = SEED.dataverse.roles.salgVest;
const BU = SEED.dataverse.businessUnits;

describe('SalesClient reads', () => {
  beforeAll(() => tenant.control.reset({ settings: FAST }));

  it('answers WhoAmI', async () => {
    const who = await tenant.clients().sales().whoAmI();
    expect(who).toEqual({ userId: S.assistantApp, businessUnitId: BU.root, organizationId: SEED.dataverse.organizationId });
  });

  it('reads a user with and without roles', async () => {
    const sales = tenant.clients().sales();
    const admin = await sales.getSystemUser(S.admin, { withRoles: true });
    expect(admin).toMatchObject({ id: S.admin, domainName: SEED.admin.upn, aadObjectId: SEED.admin.id, isDisabled: false, isLicensed: true, accessMode: 0, businessUnitId: BU.root });
    expect(admin!.roles!.map((r) => r.templateId)).toContain(SEED.roleTemplates.systemAdministrator);
    expect((await sales.getSystemUser(S.kariHansen))?.roles).toBeUndefined();
    expect(await sales.getSystemUser('00000000-0000-4000-8000-00000000abcd')).toBeNull();
  });

  it('finds users by Entra object id, by domain name (with an apostrophe) and by application id', async () => {
    const sales = tenant.clients().sales();
    expect((await sales.findSystemUserByAadObjectId(SEED.users.kariHansen.id))?.id).toBe(S.kariHansen);
    expect(await sales.findSystemUserByAadObjectId('00000000-0000-4000-8000-00000000abcd')).toBeNull();
    expect((await sales.findSystemUserByDomainName(SEED.users.larsJohansen.upn.toUpperCase()))?.id).toBe(S.larsJohansen);
    expect(await sales.findSystemUserByDomainName("ola.o'brien@contoso.no")).toBeNull();
    const apps = await sales.findApplicationUsers(SEED.bcAppId);
    expect(apps.map((u) => u.id)).toEqual([S.bcIntegrationApp]);
    expect(apps[0]).toMatchObject({ applicationId: SEED.bcAppId, accessMode: AccessMode.NonInteractive });
  });

  it('finds users in bulk, chunking long or-chains below the URL limit', async () => {
    const sales = tenant.clients().sales();
    const filler = Array.from({ length: 80 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const byOid = await sales.findSystemUsersByAadObjectIds([...filler, SEED.admin.id, SEED.users.kariHansen.id]);
    expect(byOid.map((u) => u.id).sort()).toEqual([S.admin, S.kariHansen].sort());
    const names = Array.from({ length: 60 }, (_, i) => `ingen.${i}@contoso.no`);
    const byName = await sales.findSystemUsersByDomainNames([...names, SEED.users.larsJohansen.upn, "ola.o'brien@contoso.no"]);
    expect(byName.map((u) => u.id)).toEqual([S.larsJohansen]);
  });

  it('lists users, business units and roles', async () => {
    const sales = tenant.clients().sales();
    const users = await sales.listSystemUsers();
    expect(users.map((u) => u.id)).toEqual(expect.arrayContaining(Object.values(S)));
    const units = await sales.listBusinessUnits();
    expect(units.find((u) => u.id === BU.root)).toMatchObject({ isRoot: true, parentId: null });
    expect(units.find((u) => u.id === BU.salgVest)).toMatchObject({ isRoot: false, parentId: BU.root });
    const all = await sales.listRoles();
    expect(all.length).toBe(10);
    const adminCopies = await sales.listRoles({ templateId: SEED.roleTemplates.systemAdministrator });
    expect(adminCopies.map((r) => r.id).sort()).toEqual([ROOT.systemAdministrator, VEST.systemAdministrator].sort());
    const vest = await sales.listRoles({ businessUnitId: BU.salgVest, rootRoleId: ROOT.salesperson });
    expect(vest).toEqual([expect.objectContaining({ id: VEST.salesperson, businessUnitId: BU.salgVest, templateId: SEED.roleTemplates.salesperson })]);
    expect((await sales.userRoles(S.kariHansen)).map((r) => r.id)).toEqual([ROOT.salesperson]);
  });

  it('reads every business unit\'s copy of a role by its root role (_parentrootroleid_value), three levels deep', async () => {
    await tenant.control.reset({ seed: { nestedBusinessUnit: true }, settings: FAST });
    try {
      const sales = tenant.clients().sales();
      const copies = await sales.listRoles({ rootRoleId: ROOT.salesperson });
      expect(copies.map((r) => [r.id, r.businessUnitId, r.parentRootRoleId]).sort()).toEqual([
        [ROOT.salesperson, BU.root, ROOT.salesperson],
        [VEST.salesperson, BU.salgVest, ROOT.salesperson],
        [SEED.dataverse.roles.salgBergen.salesperson, BU.salgBergen, ROOT.salesperson],
      ].sort());
      // parentroleid is only the immediate parent: Salg Bergen's copy names Salg Vest's.
      expect(copies.find((r) => r.businessUnitId === BU.salgBergen)?.parentRoleId).toBe(VEST.salesperson);
      const integration = await sales.listRoles({ rootRoleId: 'a2b18661-9ff5-e911-a812-000d3a0b9028' });
      expect(integration).toHaveLength(3);
    } finally {
      await tenant.control.reset({ settings: FAST });
    }
  });

  it('counts non-interactive users, leaving application users out', async () => {
    const count = await tenant.clients().sales().countNonInteractiveUsers();
    const state = await tenant.control.state<{ dataverse: { systemUsers: { accessmode: number; applicationid: string | null; isdisabled: boolean }[] } }>();
    const expected = state.dataverse.systemUsers.filter((u) => u.accessmode === 4 && !u.applicationid && !u.isdisabled).length;
    expect(count).toBe(expected);
  });
});

describe('SalesClient non-interactive limit (RetrieveOrganizationResources)', () => {
  afterAll(() => tenant.control.reset({ settings: FAST }));

  it("reads the environment's published MaxNumberOfNonInteractiveUsers", async () => {
    await tenant.control.reset({ settings: FAST, seed: { maxNonInteractiveUsers: 3 } });
    expect(await tenant.clients().sales().nonInteractiveLimit()).toEqual({ limit: 3, published: true });
  });

  it('falls back to 7, marked as not published, when the value is absent or the call fails', async () => {
    await tenant.control.reset({ settings: FAST, seed: { maxNonInteractiveUsers: null } });
    expect(await tenant.clients().sales().nonInteractiveLimit()).toEqual({ limit: 7, published: false });
    await tenant.control.reset({ settings: FAST });
    await tenant.control.fault({ kind: 'reset', service: 'dataverse', pathContains: 'RetrieveOrganizationResources', count: 20 });
    expect(await tenant.clients().sales().nonInteractiveLimit()).toEqual({ limit: 7, published: false });
    await tenant.control.clearFaults();
  });
});

describe('SalesClient reads after writes (Dataverse caches expanded collections)', () => {
  afterAll(() => tenant.control.reset({ settings: FAST }));

  it('sees a role it has just assigned, in an expanded read and in a bulk read', async () => {
    await tenant.control.reset({ settings: { ...FAST, expandCacheMs: 600_000 } });
    const sales = tenant.clients().sales();
    expect((await sales.getSystemUser(S.admin, { withRoles: true }))!.roles!.map((r) => r.id)).toEqual([ROOT.systemAdministrator]);
    await sales.assignRole(S.admin, ROOT.systemCustomizer);
    expect((await sales.getSystemUser(S.admin, { withRoles: true }))!.roles!.map((r) => r.id).sort()).toEqual([ROOT.systemAdministrator, ROOT.systemCustomizer].sort());
    const bulk = await findSalesUsers(sales, [SEED.admin.id]);
    expect(bulk.get(SEED.admin.id)!.roleIds.sort()).toEqual([ROOT.systemAdministrator, ROOT.systemCustomizer].sort());
  });
});

describe('SalesClient writes', () => {
  beforeEach(() => tenant.control.reset({ settings: FAST }));

  it('assigns and removes a role', async () => {
    const sales = tenant.clients().sales();
    await sales.assignRole(S.kariHansen, ROOT.salesManager);
    expect((await sales.userRoles(S.kariHansen)).map((r) => r.id).sort()).toEqual([ROOT.salesManager, ROOT.salesperson].sort());
    await sales.assignRole(S.kariHansen, ROOT.salesManager); // again: already held is success
    await sales.removeRole(S.kariHansen, ROOT.salesManager);
    expect((await sales.userRoles(S.kariHansen)).map((r) => r.id)).toEqual([ROOT.salesperson]);
  });

  it('maps a role of the other business unit to role_not_in_business_unit', async () => {
    const error = await rejection(tenant.clients().sales().assignRole(S.kariHansen, VEST.salesManager));
    expect(error.code).toBe('role_not_in_business_unit');
    expect(error.serviceCode).toBe('0x80060888');
  });

  it('maps role assignment to a disabled user to user_disabled', async () => {
    await tenant.control.patchSystemUser(S.kariHansen, { isdisabled: true });
    const error = await rejection(tenant.clients().sales().assignRole(S.kariHansen, ROOT.salesManager));
    expect(error.code).toBe('user_disabled');
  });

  it("gives each operation of a failed change set the failing operation's own error (HTTP 400 batch)", async () => {
    await tenant.control.patchSystemUser(S.kariHansen, { isdisabled: true });
    const sales = tenant.clients().sales();
    const ref = (roleId: string) => ({ '@odata.id': `${sales.apiRoot}/roles(${roleId})` });
    const results = await sales.batch(
      [
        { method: 'POST', url: `systemusers(${S.admin})/systemuserroles_association/$ref`, body: ref(ROOT.salesManager) },
        { method: 'POST', url: `systemusers(${S.kariHansen})/systemuserroles_association/$ref`, body: ref(ROOT.salesManager) },
      ],
      { changeSet: true },
    );
    for (const r of results) {
      expect(r.status).toBe(400);
      expect(r.error).toMatchObject({ code: 'user_disabled', serviceCode: '0x80040225' });
      expect(r.error!.message).toContain(`The user ${S.kariHansen} is disabled in Dynamics 365 Sales`);
    }
    expect((await sales.userRoles(S.admin)).map((r) => r.id)).toEqual([ROOT.systemAdministrator]); // rolled back
  });

  it('sets the access mode and confirms it; the 8th non-interactive user fails with non_interactive_limit', async () => {
    const { directory, sales: salesFor } = tenant.clients();
    const sales = salesFor();
    // Licensed directory users reach Sales by sync (no delay in these tests).
    for (let i = 0; i < 6; i++) {
      const upn = freshUpn('ikke-interaktiv');
      const user = await directory.createUser({ userPrincipalName: upn, displayName: upn, mailNickname: upn.split('@')[0], password: 'Kontrakt-Passord-2025!', usageLocation: 'NO' });
      await directory.assignLicense(user.id, SEED.skus.sales);
    }
    const candidates = (await sales.listSystemUsers()).filter((u) => !u.applicationId && !u.isDisabled && u.accessMode === AccessMode.ReadWrite && u.domainName);
    let count = await sales.countNonInteractiveUsers();
    const { limit } = await sales.nonInteractiveLimit();
    expect(limit).toBe(DEFAULT_NON_INTERACTIVE_LIMIT);
    expect(candidates.length).toBeGreaterThan(limit - count);
    while (count < limit) {
      const user = candidates.shift()!;
      const updated = await sales.setAccessMode(user.id, AccessMode.NonInteractive);
      expect(updated.accessMode).toBe(AccessMode.NonInteractive);
      count = await sales.countNonInteractiveUsers();
    }
    const eighth = candidates.shift()!;
    const error = await rejection(sales.setAccessMode(eighth.id, AccessMode.NonInteractive));
    expect(error.code).toBe('non_interactive_limit');
    expect((await sales.getSystemUser(eighth.id))?.accessMode).toBe(AccessMode.ReadWrite);
    // Back to Read-Write is always allowed.
    expect((await sales.setAccessMode(S.reporting, AccessMode.ReadWrite)).accessMode).toBe(AccessMode.ReadWrite);
  });

  it('runs a $batch with a change set (all or nothing) and independent operations', async () => {
    const sales = tenant.clients().sales();
    const ref = (roleId: string) => ({ '@odata.id': `${sales.apiRoot}/roles(${roleId})` });
    const url = `systemusers(${S.kariHansen})/systemuserroles_association/$ref`;

    const applied = await sales.batch(
      [
        { method: 'POST', url, body: ref(ROOT.salesManager) },
        { method: 'POST', url, body: ref(ROOT.systemCustomizer) },
      ],
      { changeSet: true },
    );
    expect(applied.map((r) => r.status)).toEqual([204, 204]);
    expect((await sales.userRoles(S.kariHansen)).map((r) => r.id).sort()).toEqual([ROOT.salesManager, ROOT.salesperson, ROOT.systemCustomizer].sort());

    const failed = await sales.batch(
      [
        { method: 'POST', url: `systemusers(${S.admin})/systemuserroles_association/$ref`, body: ref(ROOT.salesManager) },
        { method: 'POST', url: `systemusers(${S.admin})/systemuserroles_association/$ref`, body: ref(VEST.salesManager) },
      ],
      { changeSet: true },
    );
    expect(failed.every((r) => r.error?.code === 'role_not_in_business_unit')).toBe(true);
    expect(failed[0].error).toBe(failed[1].error);
    expect((await sales.userRoles(S.admin)).map((r) => r.id)).toEqual([ROOT.systemAdministrator]);

    const independent = await sales.batch([
      { method: 'GET', url: 'WhoAmI' },
      { method: 'POST', url: `systemusers(${S.admin})/systemuserroles_association/$ref`, body: ref(VEST.salesManager) },
      { method: 'GET', url: `systemusers(${S.admin})?$select=domainname` },
    ]);
    expect(independent.map((r) => r.status)).toEqual([200, expect.any(Number), 200]);
    expect(independent[1].error?.code).toBe('role_not_in_business_unit');
    expect((independent[0].body as { UserId: string }).UserId.toLowerCase()).toBe(S.assistantApp);
    expect((independent[2].body as { domainname: string }).domainname).toBe(SEED.admin.upn);
  });
});

describe('createClients().sales', () => {
  it('refuses a URL outside the sandbox, and in tenant mode anything but a Dynamics host', () => {
    const clients = tenant.clients();
    expect(() => clients.sales('https://example.com')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(clients.sales(`${tenant.url}/dataverse/`)).toBe(clients.sales(`${tenant.url}/dataverse`));
  });
});

describe('SalesClient paging', () => {
  it('follows @odata.nextLink when the environment pages (Prefer: odata.maxpagesize)', async () => {
    await tenant.control.reset({ settings: FAST });
    const clients = tenant.clients();
    const orgUrl = clients.sales().orgUrl;
    const paged = new SalesClient({ orgUrl, policy: clients.policies.dataverse.get(orgUrl)!, pageSize: 3 });
    const users = await paged.listSystemUsers();
    expect(users.map((u) => u.id).sort()).toEqual(Object.values(S).sort());
    expect(clients.stats().dataverse.requests).toBe(Math.ceil(Object.values(S).length / 3));
  });
});
