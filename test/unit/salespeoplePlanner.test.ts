import { couplingBar, countByStatus, isSelectable, matchSalespeople, type SalespeopleFacts, type SalespersonRow } from '../../src/setup/salespeopleMatch';
import { salespeopleCardData } from '../../src/cards/salespeople';
import { planImportedUsers, planSalespeople, type SalespeoplePlanContext } from '../../src/setup/salespeoplePlanner';
import { applyPagePicks, filterRows, pageOf, selectedIds } from '../../src/setup/salespeopleView';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const person = (n: number, email: string, blocked = false) => ({ id: id(n), code: `S${n}`, displayName: `Person ${n}`, email, phoneNo: '', jobTitle: '', blocked });
const entra = (n: number, upn: string, extra: Partial<SalespeopleFacts['entraUsers'][number]> = {}) => ({
  id: id(100 + n), userPrincipalName: upn, mail: upn, displayName: upn, accountEnabled: true, usageLocation: 'NO', salesLicensed: true, ...extra,
});

const FACTS: SalespeopleFacts = {
  salespeople: [
    person(1, 'New.Person@Contoso.no'),
    person(2, 'UNLICENSED@contoso.no'),
    person(3, 'mail.only@contoso.no'),
    person(4, 'norole@contoso.no'),
    person(5, 'ready@contoso.no'),
    person(6, 'coupled@contoso.no'),
    person(7, 'gone@contoso.no', true),
    person(8, ''),
    person(9, 'x@other.example'),
    person(10, 'twice@contoso.no'),
    person(11, 'Twice@contoso.no'),
    person(12, 'disabled@contoso.no'),
  ],
  entraUsers: [
    entra(2, 'unlicensed@contoso.no', { salesLicensed: false, usageLocation: null }),
    entra(3, 'm.o@contoso.no', { mail: 'Mail.Only@contoso.no' }),
    entra(4, 'norole@contoso.no'),
    entra(5, 'ready@contoso.no'),
    entra(6, 'coupled@contoso.no'),
    entra(12, 'disabled@contoso.no', { accountEnabled: false, salesLicensed: false }),
  ],
  salesUsers: [
    { systemuserid: id(204), aadObjectId: id(104), domainName: 'norole@contoso.no', isDisabled: false, isLicensed: true, isIntegrationUser: false, isApplicationUser: false, hasSalespersonRole: false },
    { systemuserid: id(205), aadObjectId: id(105), domainName: 'ready@contoso.no', isDisabled: false, isLicensed: true, isIntegrationUser: false, isApplicationUser: false, hasSalespersonRole: true },
    { systemuserid: id(206), aadObjectId: id(106), domainName: 'coupled@contoso.no', isDisabled: false, isLicensed: true, isIntegrationUser: false, isApplicationUser: false, hasSalespersonRole: true },
  ],
  couplings: [{ salespersonId: id(6), systemUserId: id(206) }],
  verifiedDomains: ['contoso.no'],
};

const context = (overrides: Partial<SalespeoplePlanContext> = {}): SalespeoplePlanContext => ({
  environment: { dataverseUrl: 'https://x.crm4.dynamics.com', bapEnvironmentId: id(900), bcEnvironment: 'Production' },
  skus: [{ skuId: id(800), skuPartNumber: 'DYN365_ENTERPRISE_SALES', salesCapable: true, freeSeats: 5 }],
  salespersonRole: { roleid: id(700), name: 'Salesperson', roletemplateid: null },
  usageLocation: 'NO',
  coupling: { endpoint: 'https://api.businesscentral.dynamics.com/v2.0/t/Production/api/contoso/crm/v1.0', companyId: id(600) },
  ...overrides,
});

describe('matching salespeople', () => {
  const rows = matchSalespeople(FACTS);
  const by = (n: number) => rows.find((r) => r.id === id(n))!;

  it('finds the account by sign-in name or mail, ignoring case, and says where each one stands', () => {
    expect(rows.map((r) => [r.code, r.status, r.issue ?? ''])).toEqual([
      ['S1', 'noAccount', ''],
      ['S2', 'unlicensed', ''],
      ['S3', 'notInSales', ''],
      ['S4', 'noRole', ''],
      ['S5', 'ready', ''],
      ['S6', 'coupled', ''],
      ['S7', 'blocked', ''],
      ['S8', 'noAccount', 'noEmail'],
      ['S9', 'noAccount', 'domainNotVerified'],
      ['S10', 'noAccount', 'sharedEmail'],
      ['S11', 'noAccount', 'sharedEmail'],
      ['S12', 'unlicensed', 'accountDisabled'],
    ]);
    expect(by(3).entra?.userPrincipalName).toBe('m.o@contoso.no');
    expect(by(6).coupledTo).toEqual({ systemUserId: id(206), userPrincipalName: 'coupled@contoso.no' });
    expect(countByStatus(rows)).toEqual({ noAccount: 5, unlicensed: 2, notInSales: 1, noRole: 1, ready: 1, coupled: 1, blocked: 1 });
  });

  it('never offers blocked, coupled or held-up salespeople; a ready one only when there is a coupling to make', () => {
    expect(rows.filter((r) => isSelectable(r, true)).map((r) => r.code)).toEqual(['S1', 'S2', 'S3', 'S4', 'S5']);
    expect(rows.filter((r) => isSelectable(r, false)).map((r) => r.code)).toEqual(['S1', 'S2', 'S3', 'S4']);
  });

  it('keeps ticks from other pages and filters when a page is changed', () => {
    const all = selectedIds(rows, { mode: 'allMissing' }, true);
    expect(all.size).toBe(5);
    const page = pageOf(filterRows(rows, { status: 'needsWork', search: '' }), 0, 2);
    expect(page.items.map((r) => r.code)).toEqual(['S1', 'S2']);
    const picked = applyPagePicks(rows, { mode: 'allMissing' }, true, [id(1), id(2)], [id(2), id(7), 'not-an-id']);
    expect(picked).toEqual({ mode: 'picked', ids: [id(2), id(3), id(4), id(5)] });
    expect(applyPagePicks(rows, { mode: 'allMissing' }, true, [id(1), id(2)], [id(1), id(2)])).toEqual({ mode: 'allMissing' });
    expect(filterRows(rows, { status: 'all', search: 'MAIL.only' }).map((r) => r.code)).toEqual(['S3']);
  });

  it('answers every click from what it worked out once for the list: the same filter, counts and selection as row by row', () => {
    // A fresh array of the same rows (nothing worked out for it yet), then the same array again.
    const list = [...rows];
    for (let round = 0; round < 2; round++) {
      for (const filter of [{ status: 'all', search: '' }, { status: 'needsWork', search: 'contoso' }, { status: 'noAccount', search: 'twice' }, { status: 'all', search: 'person 1' }] as const) {
        const search = filter.search.toLowerCase();
        const expected = list.filter((r) => (filter.status === 'all' || (filter.status === 'needsWork' ? ['noAccount', 'unlicensed', 'notInSales', 'noRole', 'ready'].includes(r.status) : r.status === filter.status)) && (!search || [r.code, r.displayName, r.email].some((v) => v.toLowerCase().includes(search))));
        expect(filterRows(list, filter)).toEqual(expected);
      }
      for (const coupling of [true, false]) {
        expect([...selectedIds(list, { mode: 'allMissing' }, coupling)].sort()).toEqual(list.filter((r) => isSelectable(r, coupling)).map((r) => r.id).sort());
        // A picked id counts only while it can be planned (S5 is ready: only with a coupling; S6 is coupled: never).
        expect([...selectedIds(list, { mode: 'picked', ids: [id(5), id(6), id(1)] }, coupling)].sort()).toEqual(coupling ? [id(1), id(5)] : [id(1)]);
      }
      expect(salespeopleCardData({ view: viewOf(list), couplingConfigured: true }, 'en').counts.map((c) => c.value)).toEqual(['5', '2', '1', '1', '1', '1', '1', '5']);
    }
  });
});

const viewOf = (rows: SalespersonRow[]) => ({
  conversationId: 'a:1',
  environmentKey: 'k',
  observationId: 'o',
  observedAt: '2026-01-15T08:00:00.000Z',
  observation: { company: { id: id(600), name: 'CRONUS Norge AS' }, skus: [], country: 'NO' },
  rows,
  selection: { mode: 'allMissing' as const },
  filter: { status: 'all' as const, search: '' },
  page: 0,
  usageLocation: 'NO',
  couple: true,
});

describe('who can be coupled (Business Central pages 5340 and 7209: licensed, enabled, not integration users)', () => {
  const sales = (n: number, extra: Partial<SalespeopleFacts['salesUsers'][number]> = {}) => ({
    systemuserid: id(200 + n), aadObjectId: id(100 + n), domainName: `p${n}@contoso.no`,
    isDisabled: false, isLicensed: true, isIntegrationUser: false, isApplicationUser: false, hasSalespersonRole: true, ...extra,
  });
  const facts: SalespeopleFacts = {
    salespeople: [20, 21, 22, 23, 24].map((n) => person(n, `p${n}@contoso.no`)),
    entraUsers: [20, 21, 22, 23, 24].map((n) => entra(n, `p${n}@contoso.no`)),
    salesUsers: [
      sales(20),
      sales(21, { isLicensed: false }),
      sales(22, { isDisabled: true }),
      sales(23, { isIntegrationUser: true }),
      sales(24, { isApplicationUser: true }),
    ],
    couplings: [],
    verifiedDomains: ['contoso.no'],
  };
  const rows = matchSalespeople(facts);
  const by = (n: number) => rows.find((r) => r.id === id(n))!;

  it('is ready to couple only when its Sales user is licensed, enabled and neither an integration nor an application user', () => {
    expect(rows.map((r) => [r.code, r.status, r.issue ?? '', r.note ?? ''])).toEqual([
      ['S20', 'ready', '', ''],
      ['S21', 'notInSales', '', 'salesUserUnlicensed'],
      ['S22', 'notInSales', 'salesUserDisabled', ''],
      ['S23', 'notInSales', 'salesUserIntegration', ''],
      ['S24', 'notInSales', 'salesUserApplication', ''],
    ]);
    expect(rows.filter((r) => isSelectable(r, true)).map((r) => r.code)).toEqual(['S20', 'S21']);
  });

  it('says why on the card, in both languages', () => {
    const text = (locale: 'en' | 'nb') => JSON.stringify(salespeopleCardData({ view: viewOf(rows), couplingConfigured: true }, locale));
    expect(text('en')).toContain('its Sales user is an integration user, which Business Central does not couple');
    expect(text('en')).toContain('its Sales user is an application user, not a person');
    expect(text('en')).toContain('the Sales user does not show the Sales licence yet; the plan adds the user to the environment again');
    expect(text('nb')).toContain('Sales-brukeren er en integrasjonsbruker, og den kobler ikke Business Central');
  });

  it('plans the unlicensed one back into the environment before its coupling, and nothing for the refused ones', () => {
    const result = planSalespeople([by(20), by(21), by(22), by(23), by(24)], context());
    if (!result.ok) throw new Error(result.refusal.key);
    expect(result.actions.map((a) => `${a.type}:${a.target.userPrincipalName}`)).toEqual([
      'coupleSalesperson:p20@contoso.no',
      'addUserToEnvironment:p21@contoso.no',
      'assignRole:p21@contoso.no',
      'coupleSalesperson:p21@contoso.no',
    ]);
    expect(planSalespeople([by(22), by(23), by(24)], context())).toEqual({ ok: false, refusal: { key: 'spRefuseNothingToDo' } });
  });

  it('names the reason Business Central would refuse each one', () => {
    const base = { isDisabled: false, isLicensed: true, isIntegrationUser: false, isApplicationUser: false };
    expect(couplingBar(base)).toBeUndefined();
    expect(couplingBar({ ...base, isLicensed: false })).toBe('unlicensed');
    expect(couplingBar({ ...base, isDisabled: true })).toBe('disabled');
    expect(couplingBar({ ...base, isIntegrationUser: true })).toBe('integrationUser');
    expect(couplingBar({ ...base, isApplicationUser: true, isIntegrationUser: true })).toBe('applicationUser');
  });
});

describe('planning salespeople', () => {
  const rows = matchSalespeople(FACTS);
  const selectable = rows.filter((r) => isSelectable(r, true));

  it('plans exactly what each one lacks, in order, with the usage location where it is missing', () => {
    const result = planSalespeople(selectable, context());
    if (!result.ok) throw new Error(result.refusal.key);
    expect(result.actions.map((a) => `${a.type}:${a.target.userPrincipalName}`)).toEqual([
      'createUser:New.Person@Contoso.no',
      'assignLicense:New.Person@Contoso.no',
      'addUserToEnvironment:New.Person@Contoso.no',
      'assignRole:New.Person@Contoso.no',
      'coupleSalesperson:New.Person@Contoso.no',
      'assignLicense:unlicensed@contoso.no',
      'addUserToEnvironment:unlicensed@contoso.no',
      'assignRole:unlicensed@contoso.no',
      'coupleSalesperson:unlicensed@contoso.no',
      'addUserToEnvironment:m.o@contoso.no',
      'assignRole:m.o@contoso.no',
      'coupleSalesperson:m.o@contoso.no',
      'assignRole:norole@contoso.no',
      'coupleSalesperson:norole@contoso.no',
      'coupleSalesperson:ready@contoso.no',
    ]);
    const create = result.actions[0];
    expect(create.type === 'createUser' && create.params).toMatchObject({ mailNickname: 'New.Person', usageLocation: 'NO', deliverPassword: false });
    const licence = result.actions.find((a) => a.type === 'assignLicense' && a.target.userPrincipalName === 'unlicensed@contoso.no')!;
    expect(licence.type === 'assignLicense' && licence.params.usageLocation).toBe('NO');
    const keys = result.actions.map((a) => a.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('plans no couplings without a coupling endpoint, and then nothing for a ready salesperson', () => {
    const result = planSalespeople(rows.filter((r) => r.code === 'S5'), context({ coupling: undefined }));
    expect(result).toEqual({ ok: false, refusal: { key: 'spRefuseNothingToDo' } });
  });

  it('refuses up front when licences are short, saying how many are missing', () => {
    const result = planSalespeople(selectable, context({ skus: [{ skuId: id(800), skuPartNumber: 'DYN365_ENTERPRISE_SALES', salesCapable: true, freeSeats: 1 }] }));
    expect(result).toEqual({ ok: false, refusal: { key: 'spRefuseSeats', vars: { needed: 2, sku: 'Dynamics 365 for Sales Enterprise Edition', free: 1, missing: 1 } } });
    expect(planSalespeople(selectable, context({ skus: [] }))).toEqual({ ok: false, refusal: { key: 'spRefuseNoSku' } });
    expect(planSalespeople([], context())).toEqual({ ok: false, refusal: { key: 'spRefuseNothingSelected' } });
  });

  it('never plans for a blocked or held-up salesperson, even when handed one', () => {
    const result = planSalespeople(rows.filter((r) => ['S7', 'S8', 'S12'].includes(r.code)), context());
    expect(result).toEqual({ ok: false, refusal: { key: 'spRefuseNothingToDo' } });
  });
});

describe('planning salespeople: the role, and imported users', () => {
  const rows = matchSalespeople(FACTS);

  it('refuses without a Salesperson role when someone needs it, and plans without one when nobody does', () => {
    const needsRole = rows.filter((r) => r.code === 'S4');
    expect(planSalespeople(needsRole, context({ salespersonRole: undefined }))).toEqual({ ok: false, refusal: { key: 'spRefuseNoRole' } });
    const ready = planSalespeople(rows.filter((r) => r.code === 'S5'), context({ salespersonRole: undefined }));
    expect(ready.ok && ready.actions.map((a) => a.type)).toEqual(['coupleSalesperson']);
  });

  it('gives each imported user everything a salesperson needs, with the file\'s details and no coupling', () => {
    const users = [
      { line: 2, userPrincipalName: 'nina.berg@contoso.no', displayName: 'Nina Berg', givenName: 'Nina', surname: 'Berg', jobTitle: 'Selger', department: 'Salg', usageLocation: 'NO', country: 'Norway', city: 'Oslo', businessPhones: ['+47 22 00 00 01'] },
      { line: 3, userPrincipalName: 'sven@contoso.no', displayName: 'Sven Svensson', country: 'Sweden', usageLocation: 'SE' },
    ];
    const result = planImportedUsers(users, context());
    if (!result.ok) throw new Error(result.refusal.key);
    expect(result.actions.map((a) => `${a.type}:${a.target.userPrincipalName}`)).toEqual([
      'createUser:nina.berg@contoso.no',
      'assignLicense:nina.berg@contoso.no',
      'addUserToEnvironment:nina.berg@contoso.no',
      'assignRole:nina.berg@contoso.no',
      'createUser:sven@contoso.no',
      'assignLicense:sven@contoso.no',
      'addUserToEnvironment:sven@contoso.no',
      'assignRole:sven@contoso.no',
    ]);
    const nina = result.actions[0];
    expect(nina.type === 'createUser' && nina.params).toEqual({
      mailNickname: 'nina.berg', usageLocation: 'NO', givenName: 'Nina', surname: 'Berg', jobTitle: 'Selger', department: 'Salg',
      profile: { country: 'Norway', city: 'Oslo', businessPhones: ['+47 22 00 00 01'] }, deliverPassword: false,
    });
    expect(planImportedUsers(users, context({ skus: [{ skuId: id(800), skuPartNumber: 'DYN365_ENTERPRISE_SALES', salesCapable: true, freeSeats: 1 }] }))).toMatchObject({ ok: false, refusal: { key: 'spRefuseSeats', vars: { needed: 2, missing: 1 } } });
    expect(planImportedUsers([], context())).toEqual({ ok: false, refusal: { key: 'spRefuseNothingSelected' } });
  });
});
