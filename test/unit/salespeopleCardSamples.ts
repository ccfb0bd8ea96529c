import type { Locale } from '../../src/i18n';
import type { CsvExportRecord, CsvImportRecord, SalespeopleView } from '../../src/setup/salespeopleView';
import { csvTextCardData, exportCardData, importCardData, roleData, salespeopleCardData } from '../../src/cards/salespeople';
import { failuresCardData, salespeoplePlanData } from '../../src/cards/salespeoplePlan';
import { buildAdminCenterFiles } from '../../src/setup/csvExport';
import type { Action, Plan, Run } from '../../src/setup/plan';
import type { SalespersonRow } from '../../src/setup/salespeopleMatch';

/** Sample data for the Part 3 templates, at their largest: a thousand salespeople, long names, many failures. */

const GUID = (n: number) => `${String(n).padStart(8, '0')}-aaaa-4bbb-8ccc-${String(n).padStart(12, '0')}`;
const LONG = 'Kristoffersen-Håkonsdatter Øvergaard-Lindqvist';

function rows(): SalespersonRow[] {
  const statuses = ['noAccount', 'unlicensed', 'notInSales', 'noRole', 'ready', 'coupled', 'blocked'] as const;
  return Array.from({ length: 1000 }, (_, i) => ({
    id: GUID(i),
    code: `S${String(i).padStart(5, '0')}`,
    displayName: `Selger ${i} ${LONG}`,
    email: `selger.${i}.${'x'.repeat(40)}@contosonorge.onmicrosoft.com`,
    phoneNo: '+47 22 00 10 11',
    jobTitle: 'Key Account Manager',
    status: statuses[i % 7],
    issue: i % 11 === 0 ? 'domainNotVerified' : undefined,
    coupledTo: i % 7 === 5 ? { systemUserId: GUID(5000 + i), userPrincipalName: `selger.${i}.${'x'.repeat(40)}@contosonorge.onmicrosoft.com` } : undefined,
    sales: i % 7 === 4 ? { systemuserid: GUID(5000 + i), userPrincipalName: `selger.${i}.${'x'.repeat(40)}@contosonorge.onmicrosoft.com` } : undefined,
  }));
}

/** The root business unit's roles of a big environment whose names the product does not know. */
const ROLES = Array.from({ length: 80 }, (_, i) => ({ roleid: GUID(7000 + i), name: `Vertriebsmitarbeiter Außendienst ${i} ${'Ä'.repeat(20)}`, roletemplateid: null }));

function view(filter: SalespeopleView['filter'], observation: Partial<SalespeopleView['observation']> = {}): SalespeopleView {
  return {
    conversationId: 'a:1',
    environmentKey: 'k',
    observationId: 'o',
    observedAt: '2026-01-15T08:00:00.000Z',
    observation: { company: { id: GUID(1), name: 'CRONUS Norge AS' }, skus: [], country: 'NO', ...observation },
    rows: rows(),
    selection: { mode: 'allMissing' },
    filter,
    page: 3,
    usageLocation: 'NO',
    couple: true,
  };
}

function bigPlan(): Plan {
  const actions: Action[] = [];
  for (let i = 0; i < 1000; i++) {
    const target = { userPrincipalName: `selger.${i}.${'x'.repeat(30)}@contoso.no`, displayName: `Selger ${i}` };
    actions.push({ key: `c${i}`, type: 'createUser', target, params: { mailNickname: `selger.${i}`, usageLocation: 'NO', deliverPassword: false } });
    actions.push({ key: `l${i}`, type: 'assignLicense', target, params: { skuId: GUID(9), skuPartNumber: 'DYN365_ENTERPRISE_SALES' } });
    actions.push({ key: `e${i}`, type: 'addUserToEnvironment', target, params: { bapEnvironmentId: GUID(8) } });
    actions.push({ key: `r${i}`, type: 'assignRole', target, params: { roleId: GUID(7), roleName: 'Salesperson' } });
    actions.push({ key: `p${i}`, type: 'coupleSalesperson', target, params: { endpoint: 'https://x', companyId: GUID(1), salespersonId: GUID(i), salespersonCode: `S${i}` } });
  }
  return { id: GUID(2), kind: 'salespeople', environment: { dataverseUrl: 'https://contososales.crm4.dynamics.com', bapEnvironmentId: GUID(8), bcEnvironment: 'Production' }, actions, digest: 'a'.repeat(64), conversationId: 'a:1', createdBy: {}, createdAt: '' };
}

function runOf(plan: Plan, status: Run['status']): Run {
  const journal: Run['journal'] = {};
  plan.actions.forEach((action, i) => {
    journal[action.key] =
      i % 37 === 0
        ? { status: 'failed', at: '', code: 'license_no_free_seats', reason: `The licence DYN365_ENTERPRISE_SALES (${GUID(9)}) has no free seats left for ${action.target.userPrincipalName}; buy more or free some.` }
        : i < 3000 || status !== 'running'
          ? { status: 'done', at: '' }
          : { status: 'pending' };
  });
  return { id: plan.id, planId: plan.id, digest: plan.digest, status, journal, startedAt: '', report: { conversationId: 'a:1' } };
}

const planBase = (l: Locale, buttons: Record<string, boolean>) => ({
  title: 'Plan: Part 3 — salespeople',
  status: 'Waiting for approval.',
  statusColor: 'Default',
  notice: '',
  planId: GUID(2),
  digest: 'a'.repeat(64),
  digestShort: 'aaaaaaaaaaaa',
  buttons: { approve: false, reject: false, request: false, cancel: false, retry: false, next: false, ...buttons },
  refresh: { on: !!buttons.approve, userIds: buttons.approve ? Array.from({ length: 60 }, (_, i) => `29:${GUID(700 + i)}`) : [] },
  locale: l,
});

const exportRecord = (): CsvExportRecord => {
  const people = Array.from({ length: 1000 }, (_, i) => ({ userName: `selger.${i}@contoso.no`, displayName: `Selger ${i} ${LONG}`, jobTitle: 'Selger', officePhone: '+47 22 00 10 11', country: i % 3 ? 'NO' : 'SE' }));
  const { files, leftOut } = buildAdminCenterFiles(people);
  return { id: GUID(3), conversationId: 'a:1', createdAt: '', files, leftOut: [...leftOut, { userName: `x@${'y'.repeat(80)}.no`, column: 'User Name', limit: 79 }], withAccount: 12 };
};

const importRecord = (): CsvImportRecord => ({
  id: GUID(4),
  conversationId: 'a:1',
  createdAt: '',
  name: 'salespeople-NO-1.csv',
  rows: 5000,
  problems: Array.from({ length: 900 }, (_, i) => ({ line: i + 2, key: 'csvRowUpnDomain' as const, vars: { value: `selger.${i}@${'f'.repeat(40)}.com`, domain: `${'f'.repeat(40)}.com`, domains: 'contoso.no, contosonorge.onmicrosoft.com' } })),
});

export const SALESPEOPLE_SAMPLES: Record<string, { name: string; data: (locale: Locale) => object }[]> = {
  salespeople: [
    { name: 'a thousand, page 4 of all', data: (l) => salespeopleCardData({ view: view({ status: 'all', search: '' }), couplingConfigured: true, error: 'x'.repeat(200) }, l) },
    { name: 'no known role name: the role picker with eighty roles', data: (l) => salespeopleCardData({ view: view({ status: 'all', search: '' }, { roleChoices: ROLES }), couplingConfigured: true }, l) },
    { name: 'a chosen role', data: (l) => salespeopleCardData({ view: view({ status: 'all', search: '' }, { salespersonRole: ROLES[3], salespersonRoleVia: 'chosen' }), couplingConfigured: true }, l) },
    { name: 'manual coupling, needs work', data: (l) => salespeopleCardData({ view: view({ status: 'needsWork', search: 'selger' }), couplingConfigured: false, bcLink: 'https://businesscentral.dynamics.com/t/Production?page=7209' }, l) },
  ],
  salespeoplePlan: [
    { name: 'a thousand, pending', data: (l) => ({ ...planBase(l, { approve: true, reject: true, request: true, cancel: true }), sp: salespeoplePlanData(bigPlan(), undefined, l) }) },
    { name: 'a thousand, running with failures', data: (l) => { const plan = bigPlan(); return { ...planBase(l, {}), sp: salespeoplePlanData(plan, runOf(plan, 'running'), l) }; } },
    { name: 'a thousand, failed', data: (l) => { const plan = bigPlan(); return { ...planBase(l, { retry: true }), sp: salespeoplePlanData(plan, runOf(plan, 'failed'), l) }; } },
  ],
  salespeopleFailures: [{ name: 'page 2 of many', data: (l) => { const plan = bigPlan(); return failuresCardData(plan, runOf(plan, 'failed'), 2, l, 'Plan: Part 3 — salespeople'); } }],
  salespeopleExport: [{ name: 'five files', data: (l) => exportCardData(exportRecord(), l, false) }],
  salespeopleCsvText: [{ name: 'a full file', data: (l) => csvTextCardData(exportRecord(), 0, 0, l) }],
  salespeopleRole: [
    { name: 'eighty roles', data: (l) => ({ ...roleData({ roleChoices: ROLES }, l), error: '' }) },
    { name: 'nothing picked', data: (l) => ({ ...roleData({ roleChoices: ROLES.slice(0, 5) }, l), error: 'Choose one of the roles in the list.' }) },
  ],
  salespeopleImport: [
    { name: 'hundreds of problems', data: (l) => importCardData(importRecord(), 1, l) },
    { name: 'a file problem', data: (l) => importCardData({ ...importRecord(), problems: [{ key: 'csvFileSemicolons' }] }, 0, l) },
  ],
};
