import {
  ACCESS_MODE,
  checkApplicationUser,
  checkDedicatedUser,
  planAccessMode,
  planApplicationFixes,
  planDedicatedUser,
  recommendedPath,
  type ApplicationUserObservation,
  type DedicatedObservation,
  type SalesUserFacts,
} from '../../src/setup/integrationPlanner';
import { BC_INTEGRATION_ROLE_ID, ROLE_TEMPLATES } from '../../src/setup/roles';

/** Part 2's planner, pure: Business Central's checks of its integration account, and the plans that fix what an API can. */

const ROOT = 'bu-root';
const CHILD = 'bu-child';
const env = { dataverseUrl: 'https://contoso.crm4.dynamics.com', bapEnvironmentId: 'env-1', bcEnvironment: 'Production', bcCompanyId: 'c1' };
const SYSADMIN = { roleid: 'sa-root', name: 'System Administrator', roletemplateid: ROLE_TEMPLATES.systemAdministrator };
const SYSADMIN_CHILD = { roleid: 'sa-child', name: 'System Administrator', roletemplateid: ROLE_TEMPLATES.systemAdministrator, parentrootroleid: 'sa-root' };
const INTEGRATION_ROOT = { roleid: BC_INTEGRATION_ROLE_ID, name: 'Business Central Dataverse Integration', roletemplateid: null, businessUnitId: ROOT };
const INTEGRATION_CHILD = { roleid: 'bc-int-child', name: 'Business Central Dataverse Integration', roletemplateid: null, businessUnitId: CHILD, parentrootroleid: BC_INTEGRATION_ROLE_ID };

const salesUser = (overrides: Partial<SalesUserFacts> = {}): SalesUserFacts => ({
  systemuserid: 'S-APP',
  fullname: 'Business Central Integration',
  businessUnitId: ROOT,
  isdisabled: false,
  islicensed: false,
  accessmode: ACCESS_MODE.nonInteractive,
  roles: [INTEGRATION_ROOT],
  ...overrides,
});
const app = (users: SalesUserFacts[]): ApplicationUserObservation => ({ users, integrationRoles: [INTEGRATION_ROOT, INTEGRATION_CHILD] });
const passes = (rules: { key: string; pass: boolean }[]) => Object.fromEntries(rules.map((r) => [r.key, r.pass]));

describe('the path', () => {
  it('is the application user online and a dedicated user on premises', () => {
    expect(recommendedPath('online')).toBe('application');
    expect(recommendedPath('onpremises')).toBe('dedicated');
  });
});

describe('the application user: checks', () => {
  it('passes every check for one enabled user with the integration role and without System Administrator', () => {
    expect(passes(checkApplicationUser(app([salesUser()])))).toEqual({
      ruleAppUserExists: true,
      ruleAppUserUnique: true,
      ruleEnabled: true,
      ruleHasIntegrationRole: true,
      ruleNotSystemAdministrator: true,
    });
  });

  it('with none or two, says so and checks nothing else (which one would it be?)', () => {
    const none = checkApplicationUser(app([]));
    expect(passes(none)).toEqual({ ruleAppUserExists: false, ruleAppUserUnique: true });
    expect(none[0].fix).toBe('businessCentral');
    const two = checkApplicationUser(app([salesUser(), salesUser({ systemuserid: 'S-2' })]));
    expect(passes(two)).toEqual({ ruleAppUserExists: true, ruleAppUserUnique: false });
    expect(two[1]).toMatchObject({ vars: { count: 2 }, fix: 'powerPlatform' });
  });

  it('knows the integration role by its root role in any business unit; fails a disabled user and one with System Administrator', () => {
    expect(passes(checkApplicationUser(app([salesUser({ businessUnitId: CHILD, roles: [INTEGRATION_CHILD] })]))).ruleHasIntegrationRole).toBe(true);
    const renamed = { ...INTEGRATION_ROOT, name: 'Integrasjon' };
    expect(passes(checkApplicationUser(app([salesUser({ roles: [renamed] })]))).ruleHasIntegrationRole).toBe(true);
    const broken = checkApplicationUser(app([salesUser({ isdisabled: true, roles: [SYSADMIN] })]));
    expect(passes(broken)).toMatchObject({ ruleEnabled: false, ruleHasIntegrationRole: false, ruleNotSystemAdministrator: false });
    expect(broken.filter((r) => !r.pass).map((r) => r.fix)).toEqual(['powerPlatform', 'plan', 'plan']);
  });
});

describe('the application user: fixes', () => {
  it('gives the integration role by its root id (named as the copy in the user\'s unit) and takes every System Administrator away', () => {
    const user = salesUser({ businessUnitId: CHILD, roles: [SYSADMIN_CHILD, SYSADMIN] });
    expect(planApplicationFixes(app([user]))).toEqual([
      {
        key: `assignRole:s-app:${BC_INTEGRATION_ROLE_ID}`,
        type: 'assignRole',
        target: { systemUserId: 'S-APP', userPrincipalName: 'Business Central Integration' },
        params: { roleId: BC_INTEGRATION_ROLE_ID, roleName: INTEGRATION_CHILD.name, roleTemplateId: null },
      },
      expect.objectContaining({ key: 'removeRole:s-app:sa-child', type: 'removeRole', params: expect.objectContaining({ roleId: 'sa-child' }) }),
      expect.objectContaining({ key: 'removeRole:s-app:sa-root', type: 'removeRole', params: expect.objectContaining({ roleId: 'sa-root' }) }),
    ]);
  });

  it('uses the root copy when the user\'s unit has none, and plans no role when the environment has no integration role', () => {
    const elsewhere = planApplicationFixes({ users: [salesUser({ businessUnitId: 'bu-other', roles: [] })], integrationRoles: [INTEGRATION_CHILD, INTEGRATION_ROOT] });
    expect(elsewhere.map((a) => a.type === 'assignRole' && a.params.roleName)).toEqual([INTEGRATION_ROOT.name]);
    expect(planApplicationFixes({ users: [salesUser({ roles: [SYSADMIN] })], integrationRoles: [] }).map((a) => a.type)).toEqual(['removeRole']);
  });

  it('plans nothing for a healthy user, for none, for two, or for a disabled one (fixed in the admin center)', () => {
    expect(planApplicationFixes(app([salesUser()]))).toEqual([]);
    expect(planApplicationFixes(app([]))).toEqual([]);
    expect(planApplicationFixes(app([salesUser({ roles: [] }), salesUser({ systemuserid: 'S-2', roles: [] })]))).toEqual([]);
    expect(planApplicationFixes(app([salesUser({ isdisabled: true, roles: [SYSADMIN] })]))).toEqual([]);
  });
});

const UPN = 'bc-sync@contoso.no';
const skus = [
  { skuId: 'plan1', skuPartNumber: 'DYN365_ENTERPRISE_PLAN1', salesCapable: true, freeSeats: 0 },
  { skuId: 'sales', skuPartNumber: 'DYN365_ENTERPRISE_SALES', salesCapable: true, freeSeats: 2 },
  { skuId: 'e3', skuPartNumber: 'ENTERPRISEPACK', salesCapable: false, freeSeats: 50 },
];
const nobody = (overrides: Partial<DedicatedObservation> = {}): DedicatedObservation => ({
  entra: null,
  salesUser: null,
  skus,
  otherNonInteractive: 0,
  nonInteractiveLimit: { limit: 7, published: true },
  verifiedDomains: ['contoso.no', 'contoso.onmicrosoft.com'],
  ...overrides,
});
const existing = (overrides: Partial<DedicatedObservation> = {}): DedicatedObservation =>
  nobody({
    entra: { id: 'U-1', userPrincipalName: UPN, displayName: 'BC Sync', accountEnabled: true, salesLicensed: true },
    salesUser: salesUser({ systemuserid: 'S-1', fullname: 'BC Sync', accessmode: ACCESS_MODE.readWrite, islicensed: true, roles: [] }),
    ...overrides,
  });
const desired = { userPrincipalName: UPN, displayName: 'BC Sync', usageLocation: 'no', skuId: 'SALES' };
const ADMINS = ['ingrid.berg@contoso.no'];

describe('the dedicated user: plan', () => {
  it('creates, licenses and adds a new user, in that order, with a nickname from the sign-in name and the password delivered', () => {
    const result = planDedicatedUser({ ...desired, userPrincipalName: 'bc+sync@contoso.no' }, nobody(), ADMINS, env);
    expect(result).toEqual({
      ok: true,
      actions: [
        expect.objectContaining({ type: 'createUser', key: 'createUser:bc+sync@contoso.no', params: { mailNickname: 'bcsync', usageLocation: 'NO', deliverPassword: true } }),
        expect.objectContaining({ type: 'assignLicense', params: { skuId: 'sales', skuPartNumber: 'DYN365_ENTERPRISE_SALES' } }),
        expect.objectContaining({ type: 'addUserToEnvironment', params: { bapEnvironmentId: 'env-1' } }),
      ],
    });
  });

  it('plans nothing for a licensed, enabled Sales user; only what is missing otherwise', () => {
    expect(planDedicatedUser(desired, existing(), ADMINS, env)).toEqual({ ok: true, actions: [] });
    const unlicensed = planDedicatedUser(desired, existing({ entra: { ...existing().entra!, salesLicensed: false } }), ADMINS, env);
    expect(unlicensed.ok && unlicensed.actions.map((a) => a.type)).toEqual(['assignLicense']);
    const disabledInSales = planDedicatedUser(desired, existing({ salesUser: { ...existing().salesUser!, isdisabled: true } }), ADMINS, env);
    expect(disabledInSales.ok && disabledInSales.actions.map((a) => a.type)).toEqual(['addUserToEnvironment']);
  });

  it('joins the environment\'s security group when the user is not a member (a new user always)', () => {
    const group = { id: 'G-1', displayName: 'Sales users', nonMembers: ['u-1'] };
    const fresh = planDedicatedUser(desired, nobody({ securityGroup: group }), ADMINS, env);
    expect(fresh.ok && fresh.actions.map((a) => a.type)).toEqual(['createUser', 'assignLicense', 'addGroupMember', 'addUserToEnvironment']);
    const outside = planDedicatedUser(desired, existing({ securityGroup: group }), ADMINS, env);
    expect(outside.ok && outside.actions.map((a) => a.type)).toEqual(['addGroupMember']);
    const member = planDedicatedUser(desired, existing({ securityGroup: { ...group, nonMembers: [] } }), ADMINS, env);
    expect(member).toEqual({ ok: true, actions: [] });
  });

  it('refuses a domain that is not verified, for an account still to be made', () => {
    expect(planDedicatedUser({ ...desired, userPrincipalName: 'bc@Fabrikam.com' }, nobody(), ADMINS, env)).toEqual({ ok: false, refusal: { key: 'refuseDomainNotVerified', vars: { domain: 'fabrikam.com' } } });
    // An existing account's domain is the tenant's business.
    expect(planDedicatedUser({ ...desired, userPrincipalName: 'bc@fabrikam.com' }, existing(), ADMINS, env).ok).toBe(true);
  });

  it('refuses the administrator\'s own account (any case), a disabled account, and one holding System Administrator', () => {
    expect(planDedicatedUser({ ...desired, userPrincipalName: 'Ingrid.Berg@contoso.no' }, nobody(), ADMINS, env)).toMatchObject({ ok: false, refusal: { key: 'refuseIsAdminAccount' } });
    expect(planDedicatedUser(desired, existing({ entra: { ...existing().entra!, accountEnabled: false } }), ADMINS, env)).toMatchObject({ ok: false, refusal: { key: 'refuseUserDisabled' } });
    expect(planDedicatedUser(desired, existing({ salesUser: { ...existing().salesUser!, roles: [SYSADMIN] } }), ADMINS, env)).toMatchObject({ ok: false, refusal: { key: 'refuseHoldsSystemAdministrator' } });
  });

  it('refuses at the environment\'s non-interactive limit (the published one, or the usual 7), unless the user already counts', () => {
    expect(planDedicatedUser(desired, nobody({ otherNonInteractive: 5, nonInteractiveLimit: { limit: 5, published: true } }), ADMINS, env)).toEqual({
      ok: false,
      refusal: { key: 'refuseNonInteractiveLimit', vars: { count: 5, limit: 5 } },
    });
    expect(planDedicatedUser(desired, nobody({ otherNonInteractive: 7, nonInteractiveLimit: { limit: 7, published: false } }), ADMINS, env)).toMatchObject({ refusal: { key: 'refuseNonInteractiveLimitDefault' } });
    expect(planDedicatedUser(desired, nobody({ otherNonInteractive: 6 }), ADMINS, env).ok).toBe(true);
    const already = existing({ otherNonInteractive: 7, salesUser: { ...existing().salesUser!, accessmode: ACCESS_MODE.nonInteractive } });
    expect(planDedicatedUser(desired, already, ADMINS, env)).toEqual({ ok: true, actions: [] });
  });

  it('refuses a licence without a free seat, naming another way when there is one and every Sales SKU when there is none', () => {
    expect(planDedicatedUser({ ...desired, skuId: 'plan1' }, nobody(), ADMINS, env)).toEqual({ ok: false, refusal: { key: 'refuseSkuNotAvailable', vars: { sku: 'Dynamics 365 Plan 1 Enterprise Edition' } } });
    expect(planDedicatedUser({ ...desired, skuId: 'e3' }, nobody(), ADMINS, env)).toMatchObject({ refusal: { key: 'refuseSkuNotAvailable', vars: { sku: 'Office 365 E3' } } });
    expect(planDedicatedUser({ ...desired, skuId: 'made-up' }, nobody(), ADMINS, env)).toMatchObject({ refusal: { key: 'refuseSkuNotAvailable', vars: { sku: 'made-up' } } });
    const full = skus.map((s) => ({ ...s, freeSeats: 0 }));
    expect(planDedicatedUser(desired, nobody({ skus: full }), ADMINS, env)).toEqual({
      ok: false,
      refusal: { key: 'refuseNoFreeSeats', vars: { skus: 'Dynamics 365 Plan 1 Enterprise Edition (0), Dynamics 365 for Sales Enterprise Edition (0)' } },
    });
  });
});

describe('the dedicated user: access mode, after the connection', () => {
  it('plans Non-interactive for a Read-Write Sales user, and nothing when it already is', () => {
    expect(planAccessMode(UPN, existing(), ADMINS)).toEqual({
      ok: true,
      actions: [
        {
          key: 'setAccessMode:u-1:4',
          type: 'setAccessMode',
          target: { userId: 'U-1', userPrincipalName: UPN },
          params: { accessMode: 4, accessModeName: 'Non-interactive' },
        },
      ],
    });
    expect(planAccessMode(UPN, existing({ salesUser: { ...existing().salesUser!, accessmode: ACCESS_MODE.nonInteractive } }), ADMINS)).toEqual({ ok: true, actions: [] });
  });

  it('refuses an account that is not a Sales user yet, the admin\'s, and one past the limit', () => {
    expect(planAccessMode(UPN, nobody(), ADMINS)).toEqual({ ok: false, refusal: { key: 'refuseNotSalesUser', vars: { user: UPN } } });
    expect(planAccessMode(UPN, existing({ salesUser: null }), ADMINS)).toMatchObject({ refusal: { key: 'refuseNotSalesUser' } });
    expect(planAccessMode(UPN, existing(), [UPN.toUpperCase()])).toMatchObject({ refusal: { key: 'refuseIsAdminAccount' } });
    expect(planAccessMode(UPN, existing({ otherNonInteractive: 7 }), ADMINS)).toMatchObject({ refusal: { key: 'refuseNonInteractiveLimit' } });
  });
});

describe('the dedicated user: checks', () => {
  it('passes every check for an enabled, non-interactive Sales user without System Administrator (licence not needed then)', () => {
    const ready = existing({ salesUser: { ...existing().salesUser!, accessmode: ACCESS_MODE.nonInteractive, islicensed: false } });
    expect(Object.values(passes(checkDedicatedUser(UPN, ready, ADMINS)))).toEqual([true, true, true, true, true, true, true]);
  });

  it('a licensed Read-Write user is one step short: non-interactive', () => {
    expect(passes(checkDedicatedUser(UPN, existing(), ADMINS))).toEqual({
      ruleAccountExists: true,
      ruleNotAdminAccount: true,
      ruleEnabled: true,
      ruleLicensed: true,
      ruleAccessModeAllowed: true,
      ruleNotSystemAdministrator: true,
      ruleNonInteractive: false,
    });
  });

  it('fails what Business Central would refuse: no account, the admin\'s, disabled, unlicensed Read-Write, another access mode, System Administrator', () => {
    expect(passes(checkDedicatedUser(UPN, nobody(), ADMINS))).toMatchObject({ ruleAccountExists: false, ruleEnabled: false, ruleLicensed: false, ruleNotSystemAdministrator: false });
    expect(passes(checkDedicatedUser(UPN, existing(), [UPN])).ruleNotAdminAccount).toBe(false);
    expect(passes(checkDedicatedUser(UPN, existing({ salesUser: { ...existing().salesUser!, isdisabled: true } }), ADMINS)).ruleEnabled).toBe(false);
    expect(passes(checkDedicatedUser(UPN, existing({ salesUser: { ...existing().salesUser!, islicensed: false } }), ADMINS)).ruleLicensed).toBe(false);
    // Access mode 1 is Administrative: neither Read-Write nor Non-interactive.
    expect(passes(checkDedicatedUser(UPN, existing({ salesUser: { ...existing().salesUser!, accessmode: 1 } }), ADMINS)).ruleAccessModeAllowed).toBe(false);
    expect(passes(checkDedicatedUser(UPN, existing({ salesUser: { ...existing().salesUser!, roles: [SYSADMIN_CHILD] } }), ADMINS)).ruleNotSystemAdministrator).toBe(false);
  });
});
