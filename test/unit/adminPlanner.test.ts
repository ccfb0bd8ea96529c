import { planAdmin, chooseSalesSku, nonAdminChoices, type AdminObservation } from '../../src/setup/adminPlanner';
import { BC_INTEGRATION_ROLE_ID, BC_VIRTUAL_TABLES_ROLE_ID, ROLE_TEMPLATES } from '../../src/setup/roles';
import { planDigest } from '../../src/setup/plan';

const ROOT = 'bu-root';
const CHILD = 'bu-child';
const env = { dataverseUrl: 'https://contoso.crm4.dynamics.com', bapEnvironmentId: 'env-1', bcEnvironment: 'Production' };
const GRANDCHILD = 'bu-grandchild';
// A copy names its root business unit's role in parentrootroleid, however deep the unit is.
const roles = [
  { roleid: 'sa-root', name: 'System Administrator', roletemplateid: ROLE_TEMPLATES.systemAdministrator, businessUnitId: ROOT, parentrootroleid: 'sa-root' },
  { roleid: 'sc-root', name: 'System Customizer', roletemplateid: ROLE_TEMPLATES.systemCustomizer, businessUnitId: ROOT, parentrootroleid: 'sc-root' },
  { roleid: 'sm-root', name: 'Sales Manager', roletemplateid: 'tpl-sm', businessUnitId: ROOT, parentrootroleid: 'sm-root' },
  { roleid: 'sa-child', name: 'System Administrator', roletemplateid: ROLE_TEMPLATES.systemAdministrator, businessUnitId: CHILD, parentrootroleid: 'sa-root' },
  { roleid: 'sm-child', name: 'Sales Manager', roletemplateid: 'tpl-sm', businessUnitId: CHILD, parentrootroleid: 'sm-root' },
  { roleid: 'sm-grandchild', name: 'Sales Manager', roletemplateid: null, businessUnitId: GRANDCHILD, parentrootroleid: 'sm-root' },
];
const skus = [
  { skuId: 'plan1', skuPartNumber: 'DYN365_ENTERPRISE_PLAN1', salesCapable: true, freeSeats: 0 },
  { skuId: 'sales', skuPartNumber: 'DYN365_ENTERPRISE_SALES', salesCapable: true, freeSeats: 3 },
  { skuId: 'e3', skuPartNumber: 'ENTERPRISEPACK', salesCapable: false, freeSeats: 100 },
];
function observed(overrides: Partial<AdminObservation> = {}): AdminObservation {
  return {
    entra: { id: 'u1', userPrincipalName: 'ingrid@contoso.no', displayName: 'Ingrid', accountEnabled: true, usageLocation: 'NO', salesLicensed: true },
    skus,
    salesUser: { systemuserid: 's1', businessUnitId: ROOT, isdisabled: false, roles: [{ roleid: 'sa-root', name: 'System Administrator', roletemplateid: ROLE_TEMPLATES.systemAdministrator }] },
    roles,
    rootBusinessUnitId: ROOT,
    ...overrides,
  };
}
const desired = { userPrincipalName: 'ingrid@contoso.no', nonAdminRoleIds: ['sm-root'] };

describe('Part 1 planner', () => {
  it('plans exactly the missing roles', () => {
    const result = planAdmin(desired, observed(), env);
    expect(result.ok && result.actions.map((a) => a.key)).toEqual(['assignRole:u1:sc-root', 'assignRole:u1:sm-root']);
  });

  it('plans nothing when all is in place, whichever business unit copy is held', () => {
    const result = planAdmin(desired, observed({
      salesUser: { systemuserid: 's1', businessUnitId: CHILD, isdisabled: false, roles: [
        { roleid: 'sa-child', name: 'System Administrator', roletemplateid: ROLE_TEMPLATES.systemAdministrator },
        { roleid: 'sc-child', name: 'System Customizer', roletemplateid: ROLE_TEMPLATES.systemCustomizer },
        { roleid: 'sm-child', name: 'Sales Manager', roletemplateid: 'tpl-sm' },
      ] },
    }), env);
    expect(result).toEqual({ ok: true, actions: [] });
  });

  it('knows a copy in a third-level business unit by its root role, not its immediate parent', () => {
    const result = planAdmin(desired, observed({
      salesUser: { systemuserid: 's1', businessUnitId: GRANDCHILD, isdisabled: false, roles: [
        { roleid: 'sa-root', name: 'System Administrator', roletemplateid: ROLE_TEMPLATES.systemAdministrator },
        { roleid: 'sc-root', name: 'System Customizer', roletemplateid: ROLE_TEMPLATES.systemCustomizer },
        { roleid: 'sm-grandchild', name: 'Sales Manager', roletemplateid: null },
      ] },
    }), env);
    expect(result).toEqual({ ok: true, actions: [] });
  });

  it('finds System Administrator and System Customizer by name in a Norwegian environment without their templates', () => {
    const nb = [
      { roleid: 'sa-nb', name: 'Systemadministrator', roletemplateid: null, businessUnitId: ROOT },
      { roleid: 'sc-nb', name: 'Systemtilpasser', roletemplateid: null, businessUnitId: ROOT },
      { roleid: 'sm-nb', name: 'Salgssjef', roletemplateid: null, businessUnitId: ROOT },
    ];
    const result = planAdmin({ ...desired, nonAdminRoleIds: ['sm-nb'] }, observed({ roles: nb, salesUser: { systemuserid: 's1', businessUnitId: ROOT, isdisabled: false, roles: [] } }), env);
    expect(result.ok && result.actions.map((a) => a.key)).toEqual(['assignRole:u1:sa-nb', 'assignRole:u1:sc-nb', 'assignRole:u1:sm-nb']);
  });

  it('licenses, adds to the environment and assigns all roles for an unlicensed admin', () => {
    const result = planAdmin(desired, observed({
      entra: { id: 'u1', userPrincipalName: 'ingrid@contoso.no', displayName: 'Ingrid', accountEnabled: true, usageLocation: 'NO', salesLicensed: false },
      salesUser: null,
    }), env);
    expect(result.ok && result.actions.map((a) => a.type)).toEqual(['assignLicense', 'addUserToEnvironment', 'assignRole', 'assignRole', 'assignRole']);
    expect(result.ok && result.actions[0].params).toEqual({ skuId: 'sales', skuPartNumber: 'DYN365_ENTERPRISE_SALES' });
  });

  it('refuses, naming the SKUs, when no Sales licence has a free seat', () => {
    const result = planAdmin(desired, observed({
      entra: { id: 'u1', userPrincipalName: 'ingrid@contoso.no', displayName: 'Ingrid', accountEnabled: true, usageLocation: 'NO', salesLicensed: false },
      skus: skus.map((s) => ({ ...s, freeSeats: 0 })),
    }), env);
    expect(result).toEqual({ ok: false, refusal: { key: 'refuseNoFreeSeats', vars: { skus: 'Dynamics 365 Plan 1 Enterprise Edition (0), Dynamics 365 for Sales Enterprise Edition (0)' } } });
  });

  it('refuses an empty non-admin role choice, an unknown role and an administrative role offered as non-admin', () => {
    expect(planAdmin({ ...desired, nonAdminRoleIds: [] }, observed(), env)).toMatchObject({ ok: false, refusal: { key: 'refuseNonAdminRoleRequired' } });
    expect(planAdmin({ ...desired, nonAdminRoleIds: ['made-up'] }, observed(), env)).toMatchObject({ ok: false, refusal: { key: 'refuseUnknownRole' } });
    expect(planAdmin({ ...desired, nonAdminRoleIds: ['sa-root'] }, observed(), env)).toMatchObject({ ok: false, refusal: { key: 'refuseUnknownRole' } });
    expect(planAdmin({ ...desired, nonAdminRoleIds: ['sm-child'] }, observed(), env)).toMatchObject({ ok: false, refusal: { key: 'refuseUnknownRole' } });
  });

  it('refuses a missing or disabled Entra account, and a licence without usage location', () => {
    expect(planAdmin(desired, observed({ entra: null }), env)).toMatchObject({ ok: false, refusal: { key: 'refuseNoEntraUser' } });
    const entra = { id: 'u1', userPrincipalName: 'ingrid@contoso.no', displayName: 'Ingrid', accountEnabled: false, usageLocation: 'NO', salesLicensed: true };
    expect(planAdmin(desired, observed({ entra }), env)).toMatchObject({ ok: false, refusal: { key: 'refuseEntraDisabled' } });
    expect(planAdmin(desired, observed({ entra: { ...entra, accountEnabled: true, salesLicensed: false, usageLocation: null } }), env)).toMatchObject({ ok: false, refusal: { key: 'refuseNoUsageLocation' } });
  });

  it('prefers the Customer Engagement plan when it has seats', () => {
    expect(chooseSalesSku(skus.map((s) => ({ ...s, freeSeats: 5 })))?.skuPartNumber).toBe('DYN365_ENTERPRISE_PLAN1');
    expect(chooseSalesSku(skus, 4)).toBeUndefined();
  });

  it('gives equal plans an equal digest and any change a different one', () => {
    const result = planAdmin(desired, observed(), env);
    if (!result.ok) throw new Error('expected a plan');
    const a = planDigest({ kind: 'admin', environment: env, actions: result.actions });
    const b = planDigest({ kind: 'admin', environment: { ...env }, actions: JSON.parse(JSON.stringify(result.actions)) });
    const c = planDigest({ kind: 'admin', environment: env, actions: result.actions.slice(1) });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});

describe('Part 1 planner: what else it refuses and plans', () => {
  const unlicensed = { id: 'u1', userPrincipalName: 'ingrid@contoso.no', displayName: 'Ingrid', accountEnabled: true, usageLocation: 'NO', salesLicensed: false };

  it('refuses, naming the role and its template, when the environment has no System Administrator or System Customizer', () => {
    const withoutCustomizer = roles.filter((r) => r.roletemplateid !== ROLE_TEMPLATES.systemCustomizer);
    expect(planAdmin(desired, observed({ roles: withoutCustomizer }), env)).toEqual({
      ok: false,
      refusal: { key: 'refuseRoleMissingInEnvironment', vars: expect.objectContaining({ role: 'System Customizer', template: ROLE_TEMPLATES.systemCustomizer }) },
    });
    const withoutAdministrator = roles.filter((r) => r.roletemplateid !== ROLE_TEMPLATES.systemAdministrator);
    expect(planAdmin(desired, observed({ roles: withoutAdministrator }), env)).toMatchObject({ ok: false, refusal: { vars: { template: ROLE_TEMPLATES.systemAdministrator } } });
  });

  it('refuses a licensed admin whose Sales user is disabled (no plan enables it), and re-adds an unlicensed one once licensed', () => {
    const disabled = { systemuserid: 's1', businessUnitId: ROOT, isdisabled: true, roles: [] };
    expect(planAdmin(desired, observed({ salesUser: disabled }), env)).toEqual({ ok: false, refusal: { key: 'refuseSalesUserDisabled', vars: { user: 'ingrid@contoso.no' } } });
    const relicensed = planAdmin(desired, observed({ entra: unlicensed, salesUser: disabled }), env);
    expect(relicensed.ok && relicensed.actions.map((a) => a.type)).toEqual(['assignLicense', 'addUserToEnvironment', 'assignRole', 'assignRole', 'assignRole']);
  });

  it('counts a held role it does not know by id when its template is the wanted one\'s', () => {
    const result = planAdmin(desired, observed({
      salesUser: { systemuserid: 's1', businessUnitId: 'bu-unknown', isdisabled: false, roles: [
        { roleid: 'sa-elsewhere', name: 'System Administrator', roletemplateid: ROLE_TEMPLATES.systemAdministrator },
        { roleid: 'sc-elsewhere', name: 'System Customizer', roletemplateid: ROLE_TEMPLATES.systemCustomizer },
        { roleid: 'sm-elsewhere', name: 'Sales Manager', roletemplateid: 'tpl-sm' },
      ] },
    }), env);
    expect(result).toEqual({ ok: true, actions: [] });
  });

  it('offers as non-administrative choices only the root unit\'s roles, without the administrative ones and Business Central\'s, by name', () => {
    const offered = nonAdminChoices({
      rootBusinessUnitId: ROOT,
      roles: [
        ...roles,
        { roleid: 'bc-int', name: 'Business Central Dataverse Integration', roletemplateid: null, businessUnitId: ROOT, parentrootroleid: BC_INTEGRATION_ROLE_ID },
        { roleid: BC_VIRTUAL_TABLES_ROLE_ID, name: 'BC Virtual Tables', roletemplateid: null, businessUnitId: ROOT, parentrootroleid: null },
        { roleid: 'acc-root', name: 'Accountant', roletemplateid: null, businessUnitId: ROOT, parentrootroleid: 'acc-root' },
      ],
    });
    expect(offered.map((r) => r.roleid)).toEqual(['acc-root', 'sm-root']);
  });

  it('takes the licence with the most free seats among equally preferred ones, and never one that is not Sales-capable', () => {
    const others = [
      { skuId: 'x1', skuPartNumber: 'DYN365_OTHER_A', salesCapable: true, freeSeats: 2 },
      { skuId: 'x2', skuPartNumber: 'DYN365_OTHER_B', salesCapable: true, freeSeats: 9 },
      { skuId: 'e3', skuPartNumber: 'ENTERPRISEPACK', salesCapable: false, freeSeats: 100 },
    ];
    expect(chooseSalesSku(others)?.skuId).toBe('x2');
    expect(chooseSalesSku([others[2]])).toBeUndefined();
  });
});
