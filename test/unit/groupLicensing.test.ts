import { groupLicensingAvailability, mailNicknameFor, type GroupLicensingFacts, type ObservedLicenceGroup } from '../../src/setup/groupLicensing';
import { matchSalespeople, type SalespeopleFacts } from '../../src/setup/salespeopleMatch';
import { planSalespeople, type SalespeoplePlanContext } from '../../src/setup/salespeoplePlanner';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const person = (n: number, email: string) => ({ id: id(n), code: `S${n}`, displayName: `Person ${n}`, email, phoneNo: '', jobTitle: '', blocked: false });

const FACTS: SalespeopleFacts = {
  salespeople: [person(1, 'new.one@contoso.no'), person(2, 'new.two@contoso.no'), person(3, 'unlicensed@contoso.no'), person(4, 'norole@contoso.no')],
  entraUsers: [
    { id: id(103), userPrincipalName: 'unlicensed@contoso.no', mail: null, displayName: 'U', accountEnabled: true, usageLocation: null, salesLicensed: false },
    { id: id(104), userPrincipalName: 'norole@contoso.no', mail: null, displayName: 'N', accountEnabled: true, usageLocation: 'NO', salesLicensed: true },
  ],
  salesUsers: [
    { systemuserid: id(204), aadObjectId: id(104), domainName: 'norole@contoso.no', isDisabled: false, isLicensed: true, isIntegrationUser: false, isApplicationUser: false, hasSalespersonRole: false },
  ],
  couplings: null,
  verifiedDomains: ['contoso.no'],
};
const rows = matchSalespeople(FACTS);

const facts = (extra: Partial<GroupLicensingFacts> = {}): GroupLicensingFacts => ({ entraPremium: 'AAD_PREMIUM', name: 'Sales licence', groups: [], ...extra });
const existing = (extra: Partial<ObservedLicenceGroup> = {}): ObservedLicenceGroup => ({
  id: id(500), displayName: 'Sales licence', securityEnabled: true, unified: false, dynamic: false, skuIds: [], memberIds: [], admits: 'no', ...extra,
});
const context = (overrides: Partial<SalespeoplePlanContext> = {}): SalespeoplePlanContext => ({
  environment: { dataverseUrl: 'https://x.crm4.dynamics.com', bapEnvironmentId: id(900), bcEnvironment: 'Production' },
  skus: [{ skuId: id(800), skuPartNumber: 'DYN365_ENTERPRISE_SALES', salesCapable: true, freeSeats: 5 }],
  salespersonRole: { roleid: id(700), name: 'Salesperson', roletemplateid: null },
  usageLocation: 'NO',
  licensing: { mode: 'group', facts: facts() },
  ...overrides,
});
const types = (result: ReturnType<typeof planSalespeople>) => (result.ok ? result.actions.map((a) => `${a.type}:${a.target.userPrincipalName}`) : result.refusal.key);

describe('group mode in the Part 3 plan', () => {
  it('creates the group, gives it the licence and adds each person who needs one; no per-user licence or usage location', () => {
    const result = planSalespeople(rows, context());
    expect(types(result)).toEqual([
      'createGroup:Sales licence',
      'assignGroupLicense:Sales licence',
      'createUser:new.one@contoso.no',
      'joinLicenceGroup:new.one@contoso.no',
      'addUserToEnvironment:new.one@contoso.no',
      'assignRole:new.one@contoso.no',
      'createUser:new.two@contoso.no',
      'joinLicenceGroup:new.two@contoso.no',
      'addUserToEnvironment:new.two@contoso.no',
      'assignRole:new.two@contoso.no',
      'joinLicenceGroup:unlicensed@contoso.no',
      'addUserToEnvironment:unlicensed@contoso.no',
      'assignRole:unlicensed@contoso.no',
      'assignRole:norole@contoso.no',
    ]);
    if (!result.ok) throw new Error('refused');
    expect(result.licensing).toEqual({ mode: 'group', why: { key: 'glModeGroup', vars: { group: 'Sales licence', premium: 'AAD_PREMIUM' } } });
    const create = result.actions[0];
    expect(create.type === 'createGroup' && create.params.mailNickname).toBe('saleslicence');
    const licence = result.actions[1];
    expect(licence.type === 'assignGroupLicense' && licence.params).toMatchObject({ skuId: id(800), members: 3 });
  });

  it('joins the environment security group with the group itself, not person by person', () => {
    const securityGroup = { id: id(600), displayName: 'Contoso Sales Access', nonMembers: [id(103), id(104)] };
    const result = planSalespeople(rows, context({ securityGroup }));
    expect(types(result)).toContain('nestGroup:Sales licence');
    // norole@ is licensed but not a member: it joins the licence group (which admits it), without a seat.
    expect(types(result)).toContain('joinLicenceGroup:norole@contoso.no');
    expect(types(result)).not.toContain('addGroupMember:norole@contoso.no');
    if (!result.ok) throw new Error('refused');
    expect(result.actions.find((a) => a.type === 'assignGroupLicense')?.params).toMatchObject({ members: 3 });
  });

  it('uses a group found by name as it is: no create, no licence it already holds, no nesting when it admits already', () => {
    const group = existing({ skuIds: [id(800)], memberIds: [id(103)], admits: 'member' });
    const securityGroup = { id: id(600), displayName: 'Contoso Sales Access', nonMembers: [id(103)] };
    const result = planSalespeople(rows, context({ securityGroup, licensing: { mode: 'group', facts: facts({ groups: [group] }) } }));
    expect(types(result)).not.toContain('createGroup:Sales licence');
    expect(types(result)).not.toContain('assignGroupLicense:Sales licence');
    expect(types(result)).not.toContain('nestGroup:Sales licence');
    if (!result.ok) throw new Error('refused');
    expect(result.actions.find((a) => a.type === 'joinLicenceGroup')?.params).toMatchObject({ groupId: id(500), skuId: id(800) });
  });

  it("checks seats against the group's future size: its members too when it does not hold the licence yet", () => {
    const group = existing({ memberIds: [id(1001), id(1002), id(1003)] });
    const refused = planSalespeople(rows, context({ licensing: { mode: 'group', facts: facts({ groups: [group] }) } }));
    expect(refused).toEqual({ ok: false, refusal: { key: 'glRefuseSeats', vars: { group: 'Sales licence', members: 6, sku: 'Dynamics 365 for Sales Enterprise Edition', free: 5, missing: 1 } } });
  });

  it('is refused with the exact reason where it cannot be used', () => {
    const refusal = (f: GroupLicensingFacts | undefined) => {
      const result = planSalespeople(rows, context({ licensing: { mode: 'group', facts: f } }));
      return result.ok ? 'planned' : result.refusal;
    };
    expect(refusal(facts({ entraPremium: null }))).toEqual({ key: 'glRefuseNoEntraP1' });
    expect(refusal(facts({ groups: [existing(), existing({ id: id(501) })] }))).toEqual({ key: 'glGroupAmbiguous', vars: { group: 'Sales licence', count: 2 } });
    expect(refusal(facts({ groups: [existing({ securityEnabled: false, unified: true })] }))).toEqual({ key: 'glGroupNotSecurity', vars: { group: 'Sales licence' } });
    expect(refusal(facts({ groups: [existing({ dynamic: true })] }))).toEqual({ key: 'glGroupDynamic', vars: { group: 'Sales licence' } });
    expect(refusal(undefined)).toEqual({ key: 'glNoFacts' });
  });

  it('stays per user, saying why, when group mode is not asked for or cannot be used', () => {
    const perUser = planSalespeople(rows, context({ licensing: { mode: 'perUser', facts: facts({ entraPremium: null }) } }));
    if (!perUser.ok) throw new Error('refused');
    expect(perUser.actions.filter((a) => a.type === 'assignLicense')).toHaveLength(3);
    expect(perUser.actions.some((a) => a.type === 'joinLicenceGroup' || a.type === 'createGroup')).toBe(false);
    expect(perUser.licensing).toEqual({ mode: 'perUser', why: { key: 'glNoEntraP1' } });
    const chosen = planSalespeople(rows, context({ licensing: { mode: 'perUser', facts: facts() } }));
    expect(chosen.ok && chosen.licensing).toEqual({ mode: 'perUser', why: { key: 'glWhyChosen' } });
    const without = planSalespeople(rows, context({ licensing: undefined }));
    expect(without.ok && without.licensing).toBeUndefined();
  });
});

describe('the licence group', () => {
  it('is available only with Entra ID P1 or P2 and a single security group of that name', () => {
    expect(groupLicensingAvailability(facts())).toEqual({ ok: true, group: null });
    expect(groupLicensingAvailability(facts({ groups: [existing()] }))).toEqual({ ok: true, group: existing() });
  });

  it('gets a mailNickname Graph accepts', () => {
    expect(mailNicknameFor('Dynamics 365 Sales - salespeople')).toBe('dynamics365sales-salespeople');
    expect(mailNicknameFor('Salg (Vest): "team" æøå')).toBe('salgvestteama');
    expect(mailNicknameFor('øøø')).toBe('saleslicence');
  });
});
