import { planAdmin, type AdminObservation } from '../../src/setup/adminPlanner';
import { planDedicatedUser, type DedicatedObservation } from '../../src/setup/integrationPlanner';
import { planImportedUsers, planSalespeople } from '../../src/setup/salespeoplePlanner';
import { matchSalespeople, type SalespeopleFacts } from '../../src/setup/salespeopleMatch';
import { ROLE_TEMPLATES } from '../../src/setup/roles';
import { actionText } from '../../src/cards/setup';

/** An environment with a security group admits only its members: membership is planned first. */

const GROUP = { id: 'aaaaaaaa-0000-4000-8000-000000000001', displayName: 'Contoso Sales Access' };
const env = { dataverseUrl: 'https://contoso.crm4.dynamics.com', bapEnvironmentId: 'env-1', bcEnvironment: 'Production' };
const skus = [{ skuId: 'sales', skuPartNumber: 'DYN365_ENTERPRISE_SALES', salesCapable: true, freeSeats: 3 }];

describe('Part 1 with an environment security group', () => {
  const roles = [
    { roleid: 'sa', name: 'System Administrator', roletemplateid: ROLE_TEMPLATES.systemAdministrator, businessUnitId: 'root', parentroleid: null },
    { roleid: 'sc', name: 'System Customizer', roletemplateid: ROLE_TEMPLATES.systemCustomizer, businessUnitId: 'root', parentroleid: null },
    { roleid: 'sm', name: 'Sales Manager', roletemplateid: 'tpl-sm', businessUnitId: 'root', parentroleid: null },
  ];
  const observed = (over: Partial<AdminObservation>): AdminObservation => ({
    entra: { id: 'u1', userPrincipalName: 'ingrid@contoso.no', displayName: 'Ingrid', accountEnabled: true, usageLocation: 'NO', salesLicensed: true },
    skus,
    salesUser: { systemuserid: 's1', businessUnitId: 'root', isdisabled: true, roles: [] },
    roles,
    rootBusinessUnitId: 'root',
    ...over,
  });
  const desired = { userPrincipalName: 'ingrid@contoso.no', nonAdminRoleIds: ['sm'] };

  it('plans the membership, then the environment, for a non-member whose Sales user the group disabled', () => {
    const result = planAdmin(desired, observed({ securityGroup: { ...GROUP, nonMembers: ['u1'] } }), env);
    expect(result.ok && result.actions.map((a) => a.key)).toEqual([
      `addGroupMember:${GROUP.id}:u1`, 'addUserToEnvironment:u1:env-1', 'assignRole:u1:sa', 'assignRole:u1:sc', 'assignRole:u1:sm',
    ]);
    expect(result.ok && result.actions[0]).toMatchObject({ type: 'addGroupMember', params: { groupId: GROUP.id, groupName: GROUP.displayName } });
  });

  it('plans no membership for a member, nor without a group (and a disabled member is still refused)', () => {
    expect(planAdmin(desired, observed({ securityGroup: { ...GROUP, nonMembers: [] } }), env)).toMatchObject({ ok: false, refusal: { key: 'refuseSalesUserDisabled' } });
    const none = planAdmin(desired, observed({ securityGroup: null, salesUser: null }), env);
    expect(none.ok && none.actions.some((a) => a.type === 'addGroupMember')).toBe(false);
  });

  it('shows the membership readably on the plan card, in English and Norwegian', () => {
    const result = planAdmin(desired, observed({ securityGroup: { ...GROUP, nonMembers: ['u1'] } }), env);
    const action = result.ok ? result.actions[0] : undefined;
    expect(actionText(action!, 'en')).toBe('Add ingrid@contoso.no to the security group Contoso Sales Access (the Sales environment admits only its members)');
    expect(actionText(action!, 'nb')).toBe('Legg til ingrid@contoso.no i sikkerhetsgruppen Contoso Sales Access (Sales-miljøet slipper bare inn medlemmene)');
  });
});

describe('Part 2, dedicated user, with an environment security group', () => {
  const observed = (over: Partial<DedicatedObservation>): DedicatedObservation => ({
    entra: null, salesUser: null, skus, otherNonInteractive: 0, nonInteractiveLimit: { limit: 7, published: true }, verifiedDomains: ['contoso.no'], ...over,
  });
  const desired = { userPrincipalName: 'bc.integration@contoso.no', displayName: 'BC Integration', usageLocation: 'NO', skuId: 'sales' };

  it('plans the new account into the group before the environment', () => {
    const result = planDedicatedUser(desired, observed({ securityGroup: { ...GROUP, nonMembers: [] } }), [], env);
    expect(result.ok && result.actions.map((a) => a.type)).toEqual(['createUser', 'assignLicense', 'addGroupMember', 'addUserToEnvironment']);
    expect(result.ok && result.actions[2].key).toBe(`addGroupMember:${GROUP.id}:bc.integration@contoso.no`);
  });

  it('plans nothing for a member already in Sales', () => {
    const result = planDedicatedUser(desired, observed({
      entra: { id: 'u9', userPrincipalName: 'bc.integration@contoso.no', displayName: 'BC', accountEnabled: true, salesLicensed: true },
      salesUser: { systemuserid: 's9', fullname: 'BC', businessUnitId: 'root', isdisabled: false, islicensed: true, accessmode: 0, roles: [] },
      securityGroup: { ...GROUP, nonMembers: [] },
    }), [], env);
    expect(result).toEqual({ ok: true, actions: [] });
  });
});

describe('Part 3 with an environment security group', () => {
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const facts: SalespeopleFacts = {
    salespeople: [
      { id: id(1), code: 'NEW', displayName: 'New Person', email: 'new@contoso.no', phoneNo: '', jobTitle: '', blocked: false },
      { id: id(2), code: 'OUT', displayName: 'Outsider', email: 'out@contoso.no', phoneNo: '', jobTitle: '', blocked: false },
      { id: id(3), code: 'IN', displayName: 'Insider', email: 'in@contoso.no', phoneNo: '', jobTitle: '', blocked: false },
    ],
    entraUsers: [
      { id: id(102), userPrincipalName: 'out@contoso.no', mail: null, displayName: 'Outsider', accountEnabled: true, usageLocation: 'NO', salesLicensed: false },
      { id: id(103), userPrincipalName: 'in@contoso.no', mail: null, displayName: 'Insider', accountEnabled: true, usageLocation: 'NO', salesLicensed: false },
    ],
    salesUsers: [],
    couplings: null,
    verifiedDomains: ['contoso.no'],
  };
  const context = {
    environment: env, skus, usageLocation: 'NO',
    salespersonRole: { roleid: 'sp', name: 'Salesperson', roletemplateid: null },
    securityGroup: { ...GROUP, nonMembers: [id(102)] },
  };

  it('plans membership for the new account and the non-member, not for the member, before the environment', () => {
    const result = planSalespeople(matchSalespeople(facts), context);
    const members = result.ok ? result.actions.filter((a) => a.type === 'addGroupMember').map((a) => a.target.userPrincipalName) : [];
    expect(members).toEqual(['new@contoso.no', 'out@contoso.no']);
    const types = result.ok ? result.actions.filter((a) => a.target.userPrincipalName === 'out@contoso.no').map((a) => a.type) : [];
    expect(types).toEqual(['assignLicense', 'addGroupMember', 'addUserToEnvironment', 'assignRole']);
  });

  it('plans no membership when the environment has no group', () => {
    const result = planSalespeople(matchSalespeople(facts), { ...context, securityGroup: null });
    expect(result.ok && result.actions.some((a) => a.type === 'addGroupMember')).toBe(false);
  });

  it('plans every imported (new) account into the group', () => {
    const users = [1, 2].map((n) => ({ line: n + 1, userPrincipalName: `import${n}@contoso.no`, displayName: `Import ${n}`, country: 'Norway', usageLocation: 'NO' }));
    const result = planImportedUsers(users, { ...context, securityGroup: { ...GROUP, nonMembers: [] } });
    const keys = result.ok ? result.actions.filter((a) => a.type === 'addGroupMember').map((a) => a.key) : [];
    expect(keys).toEqual([`addGroupMember:${GROUP.id}:import1@contoso.no`, `addGroupMember:${GROUP.id}:import2@contoso.no`]);
  });
});
