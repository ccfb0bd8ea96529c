import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { renderCard, type CardName } from '../../src/cards/render';
import { t, type Locale } from '../../src/i18n';
import { SALESPEOPLE_SAMPLES } from './salespeopleCardSamples';
import { healthCardData } from '../../src/cards/health';

/**
 * Every template in cards/, bound with sample data in both languages, is a card Teams accepts:
 * it parses with the Adaptive Cards library without validation events, targets version 1.5 at
 * most, leaves no template expression unbound, and stays under the 28 KB message limit.
 *
 * A new template needs sample data here: add an entry to SAMPLES named after its file.
 */

// The package's `main` is untranspiled ESM; its UMD bundle loads in node. Parsing and validation
// need no DOM (only rendering does).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC: typeof import('adaptivecards') = require('adaptivecards/dist/adaptivecards.js');

const CARDS_DIR = path.resolve(__dirname, '../../cards');
const MAX_BYTES = 28 * 1024;
const LOCALES: Locale[] = ['en', 'nb'];
const GUID = (n: number) => `${String(n).padStart(8, '0')}-1b3d-4e5f-9a7b-2c6d8e0f1a3b`;
const DIGEST = 'a'.repeat(64);

type Sample = { name: string; data: (locale: Locale) => object };

/** Sample data per template: realistic, and large where a card can grow (long plans, many rules). */
const SAMPLES: Record<string, Sample[]> = {
  ...SALESPEOPLE_SAMPLES,
  health: [
    {
      name: 'nine rows: passing, failing with a plan, a Part, steps with and without a link, not checked',
      data: (l) =>
        healthCardData(
          {
            at: '2026-01-15T08:00:00.000Z',
            environmentKey: 'x',
            labels: { tenant: 'Contoso Norge', salesEnvironment: 'https://contososales.crm4.dynamics.com', businessCentral: 'Production · CRONUS Norge AS' },
            rows: [
              { id: 'adminRoles', state: 'fail', key: 'adminMissingRoles', vars: { user: 'ingrid.berg@contoso.no', roles: { keys: ['roleSystemCustomizer'] } }, fix: { kind: 'plan', verb: 'health.fix', data: { check: 'adminRoles' } } },
              { id: 'integrationUser', state: 'pass', key: 'healthAppUserDone', vars: { name: 'Business Central Integration' } },
              {
                id: 'salespeople', state: 'fail', key: 'healthSalespeopleNoAccount', vars: { count: 40, names: Array.from({ length: 10 }, (_, i) => `Selger ${i} (S${i})`).join(', ') + ' +30' },
                more: [{ key: 'healthSalespeopleNotCoupled', vars: { count: 1, names: 'Kari Hansen (KH)' } }], fix: { kind: 'plan', verb: 'setup.goto', data: { part: 'salespeople' } },
              },
              { id: 'securityGroup', state: 'unknown', key: 'checkFailed', vars: { reason: 'HTTP 503' } },
              { id: 'nonInteractiveLimit', state: 'fail', key: 'healthNonInteractiveOver', vars: { count: 8, limit: 7, names: 'a, b' }, fix: { kind: 'steps', key: 'healthNonInteractiveFix', link: 'https://admin.powerplatform.microsoft.com/environments' } },
              { id: 'integrationRole', state: 'fail', key: 'healthRoleMissingInUnits', vars: { units: 'Salg Vest' }, fix: { kind: 'steps', key: 'healthRoleMissingFix', page: 7201 } },
              { id: 'currency', state: 'fail', key: 'healthCurrencyMismatch', vars: { lcy: 'SEK', codes: 'NOK, EUR' }, fix: { kind: 'steps', key: 'healthCurrencyFix', vars: { lcy: 'SEK' }, link: 'https://admin.powerplatform.microsoft.com/environments' } },
              { id: 'administrationMode', state: 'pass', key: 'healthAdminModeOff' },
              { id: 'owningTeam', state: 'fail', key: 'healthTeamMissing', vars: { team: 'BCI - Salg Vest', count: 1, names: 'kari.hansen@contoso.no' }, fix: { kind: 'plan', verb: 'health.fix', data: { check: 'owningTeam' } } },
            ],
          },
          l,
        ),
    },
  ],
  welcome: [
    {
      name: 'three parts in every state',
      data: (l) => ({
        tenant: 'Contoso Norge',
        salesEnvironment: 'https://contososales.crm4.dynamics.com',
        businessCentral: 'Production · CRONUS Norge AS',
        parts: [
          { title: t(l, 'partAdminTitle'), help: t(l, 'partAdminHelp'), stateLabel: t(l, 'stateDone'), stateColor: 'Good', detail: t(l, 'adminDone', { user: 'ingrid.berg@contoso.no', roles: 'System Administrator, System Customizer, Sales Manager' }) },
          { title: t(l, 'partIntegrationTitle'), help: t(l, 'partIntegrationHelp'), stateLabel: t(l, 'stateTodo'), stateColor: 'Warning', detail: t(l, 'integrationNone') },
          { title: t(l, 'partSalespeopleTitle'), help: t(l, 'partSalespeopleHelp'), stateLabel: t(l, 'stateUnknown'), stateColor: 'Attention', detail: t(l, 'checkFailed', { reason: 'HTTP 503' }) },
        ],
        checkedAt: t(l, 'welcomeCheckedAt', { time: '2026-01-15 08:00 UTC' }),
        fixes: [
          { part: 'integration', title: t(l, 'gotoIntegration') },
          { part: 'salespeople', title: t(l, 'gotoSalespeople') },
        ],
      }),
    },
  ],
  audit: [
    {
      name: 'twenty entries',
      data: (l) => ({
        rows: Array.from({ length: 20 }, (_, i) => ({ at: '2026-01-15 08:00:00', text: `action.done · Kari Hansen · assignRole:${GUID(i)}:${GUID(600 + i)} · done · plan 09362c66` })),
        canExport: true,
        notice: t(l, 'auditExportOffered', { count: 20 }),
      }),
    },
    { name: 'empty', data: () => ({ rows: [], canExport: false, notice: '' }) },
  ],
  environment: [
    {
      name: 'with companies and an error',
      data: (l) => ({
        error: t(l, 'envCompanyError'),
        dataverseUrl: 'https://contososales.crm4.dynamics.com',
        dataverseUrlPattern: '^https://[a-z0-9-]+\\.crm\\d*\\.dynamics\\.com/?$',
        bapEnvironmentId: GUID(1),
        guidPattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
        bcEnvironment: 'Production',
        bcEnvironmentPattern: '^[A-Za-z0-9_-]{1,30}$',
        companies: Array.from({ length: 12 }, (_, i) => ({ title: `CRONUS ${i} AS`, value: GUID(100 + i) })),
        bcCompanyId: GUID(100),
        deployment: 'online',
        notice: t(l, 'envListsFailed', { reason: t(l, 'forbiddenBcAdminCenter') }),
        offerLists: true,
      }),
    },
  ],
  environmentPick: [
    {
      name: 'six BC environments with 10 companies each, 20 Power Platform environments',
      data: (l) => ({
        error: t(l, 'envPickProblemCompany'),
        reason: t(l, 'envReasonLinked', { bcEnvironment: 'Production', environment: 'Contoso Sales (Production)' }),
        reasonColor: 'Good',
        companies: Array.from({ length: 60 }, (_, i) => ({
          title: t(l, 'envCompanyChoice', { environment: `Env${Math.floor(i / 10)}`, type: t(l, 'envTypeProduction'), country: 'NO', company: `CRONUS ${i} AS` }),
          value: `Env${Math.floor(i / 10)}/${GUID(600 + i)}`,
        })),
        bcCompany: `Env0/${GUID(600)}`,
        powerPlatform: Array.from({ length: 20 }, (_, i) => ({
          title: t(l, 'envPowerPlatformChoice', { name: `Contoso Sales ${i}`, location: 'europe', region: 'norwayeast', host: `contososales${i}.crm4.dynamics.com` }),
          value: GUID(700 + i),
        })),
        bapEnvironmentId: GUID(700),
        withoutDataverse: t(l, 'envPickNoDataverse', { names: 'Contoso Norge (default)' }),
        deployment: 'online',
      }),
    },
  ],
  admin: [
    {
      name: 'observed admin with role choices',
      data: (l) => ({
        error: '',
        userPrincipalName: 'ingrid.berg@contoso.no',
        upnPattern: '^[^@\\s]+@[^@\\s]+$',
        facts: { entra: 'Ingrid Berg', licence: t(l, 'factYes'), salesUser: t(l, 'factYes'), roles: 'System Administrator' },
        roleChoices: Array.from({ length: 30 }, (_, i) => ({ title: `Role ${i}`, value: GUID(200 + i) })),
        selectedRoleIds: `${GUID(200)},${GUID(201)}`,
        pickHint: '',
      }),
    },
    {
      name: 'no known role name: the admin picks',
      data: (l) => ({
        error: '',
        userPrincipalName: 'ingrid.berg@contoso.no',
        upnPattern: '^[^@\\s]+@[^@\\s]+$',
        facts: { entra: 'Ingrid Berg', licence: t(l, 'factYes'), salesUser: t(l, 'factNo'), roles: t(l, 'factNone') },
        roleChoices: Array.from({ length: 80 }, (_, i) => ({ title: `Vertriebsleiter ${i}`, value: GUID(300 + i) })),
        selectedRoleIds: '',
        pickHint: t(l, 'adminNonAdminPick', { names: 'Sales Manager / Salgssjef' }),
      }),
    },
  ],
  plan: [
    {
      name: 'pending, long',
      data: (l) => planData(l, 60, { approve: true, reject: true, request: true, cancel: true }, t(l, 'planStatePending'), ''),
    },
    {
      name: 'applying, with outcomes',
      data: (l) => planData(l, 10, {}, t(l, 'planStateApplying', { user: 'Ingrid Berg', time: '2026-01-15 08:00 UTC' }), t(l, 'outcomePending')),
    },
    {
      name: 'failed, retry',
      data: (l) => planData(l, 5, { retry: true }, t(l, 'planStateFailed', { done: 4, count: 5, failed: 1 }), t(l, 'outcomeFailed', { reason: 'The licence has no free seats.' })),
    },
    {
      name: 'nothing to do',
      data: (l) => ({ ...planData(l, 0, { next: true }, '', ''), nothing: t(l, 'planNothing', { user: 'ingrid.berg@contoso.no' }), digestShort: '' }),
    },
  ],
  integrationPath: [
    {
      name: 'online recommends the application user',
      data: (l) => ({ recommended: 'application', recommendedText: t(l, 'pathRecommended', { path: t(l, 'pathApplication') }) }),
    },
  ],
  integrationUser: [
    {
      name: 'form with licences',
      data: (l) => ({
        error: t(l, 'invalidInput', { problems: 'localPart' }),
        localPartPattern: "^(?!\\.)(?!.*\\.\\.)[A-Za-z0-9'._!#^~-]{1,64}(?<!\\.)$",
        localPart: 'bc-integration',
        domains: ['contoso.no', 'contosonorge.onmicrosoft.com'],
        domain: 'contoso.no',
        displayName: 'Business Central Integration',
        usageLocation: 'NO',
        skus: [{ title: t(l, 'dedicatedSkuChoice', { sku: 'DYN365_ENTERPRISE_SALES', free: 3 }), value: GUID(300) }],
        skuId: GUID(300),
      }),
    },
    {
      name: 'form without a free licence',
      data: () => ({ error: '', localPartPattern: '^.+$', localPart: '', domains: ['contoso.no'], domain: 'contoso.no', displayName: '', usageLocation: '', skus: [], skuId: '' }),
    },
  ],
  integrationCheck: [
    {
      name: 'failing rules with a fix',
      data: (l) => ({
        title: t(l, 'checkTitleApplication'),
        error: '',
        rules: Array.from({ length: 8 }, (_, i) => ({ mark: t(l, i % 2 ? 'rulePass' : 'ruleFail'), text: t(l, 'integrationAppUserProblems', { name: 'Business Central Integration', problems: t(l, 'problemDisabled') }), color: i % 2 ? 'Default' : 'Attention' })),
        guidance: [t(l, 'partIntegrationHelp'), t(l, 'integrationNone')],
        buttons: { fix: true, next: false },
      }),
    },
    {
      name: 'all pass',
      data: (l) => ({ title: t(l, 'checkTitleApplication'), error: '', rules: [{ mark: t(l, 'rulePass'), text: t(l, 'problemDisabled'), color: 'Default' }], guidance: [t(l, 'checkAllPass')], buttons: { fix: false, next: true } }),
    },
  ],
  integrationConnection: [
    {
      name: 'online, with a link',
      data: (l) => ({
        intro: t(l, 'connectionIntro', { user: 'bc-integration@contoso.no' }),
        steps: t(l, 'connectionSteps', { user: 'bc-integration@contoso.no', link: 'https://businesscentral.dynamics.com/?page=7200' }),
        link: 'https://businesscentral.dynamics.com/?page=7200',
        error: '',
      }),
    },
    {
      name: 'on-premises',
      data: (l) => ({ intro: t(l, 'connectionIntro', { user: 'x@contoso.no' }), steps: t(l, 'connectionSteps', { user: 'x@contoso.no', link: t(l, 'connectionOnPremises') }), link: '', error: t(l, 'errorGeneric') }),
    },
  ],
  password: [
    {
      name: 'shown once',
      data: (l) => ({ title: t(l, 'passwordTitle', { user: 'bc-integration@contoso.no' }), password: 'Xy!9-Kq2#mP7$vL4', removed: false, removedText: t(l, 'passwordRemoved', { user: 'bc-integration@contoso.no' }), userPrincipalName: 'bc-integration@contoso.no' }),
    },
    {
      name: 'removed',
      data: (l) => ({ title: t(l, 'passwordTitle', { user: 'bc-integration@contoso.no' }), password: '', removed: true, removedText: t(l, 'passwordRemoved', { user: 'bc-integration@contoso.no' }), userPrincipalName: 'bc-integration@contoso.no' }),
    },
  ],
  language: [
    { name: 'following Teams', data: (l) => ({ notice: '', current: t(l, 'languageCurrent', { language: t(l, 'languageFollowingTeams', { language: t(l, 'languageEnglish') }) }) }) },
    { name: 'just chosen', data: (l) => ({ notice: t(l, 'languageSet'), current: t(l, 'languageCurrent', { language: t(l, 'languageNorwegian') }) }) },
  ],
};

function planData(l: Locale, count: number, buttons: Record<string, boolean>, status: string, outcome: string) {
  return {
    title: t(l, 'planTitle', { title: t(l, 'kindAdmin') }),
    intro: t(l, 'planIntro', { environment: 'https://contososales.crm4.dynamics.com' }),
    nothing: '',
    actions: Array.from({ length: count }, (_, i) => ({
      text: t(l, 'actionAssignRole', { user: `selger.${i}@contoso.no`, role: 'Salesperson' }),
      outcome,
    })),
    status,
    statusColor: 'Default',
    planId: GUID(400),
    digest: DIGEST,
    digestShort: DIGEST.slice(0, 12),
    buttons: { approve: false, reject: false, request: false, cancel: false, retry: false, next: false, ...buttons },
    refresh: { on: buttons.approve === true, userIds: buttons.approve ? Array.from({ length: 60 }, (_, i) => `29:${GUID(500 + i)}`) : [] },
    notice: buttons.retry ? t(l, 'approvalAlreadyApproved', { user: 'Kari Hansen', time: '2026-01-15 08:00 UTC' }) : '',
  };
}

const templates = readdirSync(CARDS_DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.replace(/\.json$/, ''))
  .sort();

/** Problems the Adaptive Cards library reports while parsing and validating, for Teams' version 1.5. */
function validationProblems(card: object): string[] {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(`parse: ${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  for (const event of parsed.validateProperties().validationEvents) {
    const source = event.source as { id?: string; getJsonTypeName?: () => string } | undefined;
    const where = source ? ` (${source.getJsonTypeName?.() ?? 'element'}${source.id ? ` #${source.id}` : ''})` : '';
    problems.push(`validate: ${AC.ValidationEvent[event.event]}${where}: ${event.message}`);
  }
  return problems;
}

/** Strings the template engine left as written: data the template expected and did not get. */
function unbound(card: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown) => {
    if (typeof node === 'string' && node.includes('${')) found.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') Object.entries(node).forEach(([key, value]) => (key.startsWith('$') && key !== '$schema' ? found.push(key) : walk(value)));
  };
  walk(card);
  return found;
}

const versionOf = (card: { version?: unknown }) => Number(String(card.version ?? '0'));

describe('card templates', () => {
  it('are all in cards/ and each has sample data here', () => {
    expect(templates.length).toBeGreaterThanOrEqual(5);
    const missing = templates.filter((name) => !SAMPLES[name]?.length);
    expect(missing.map((name) => `cards/${name}.json has no sample data: add SAMPLES.${name} in test/unit/cards.test.ts`)).toEqual([]);
    const stale = Object.keys(SAMPLES).filter((name) => !templates.includes(name));
    expect(stale).toEqual([]);
  });

  it.each(templates)('%s.json declares version 1.5 or lower', (name) => {
    const template = JSON.parse(readFileSync(path.join(CARDS_DIR, `${name}.json`), 'utf8'));
    expect(template.type).toBe('AdaptiveCard');
    expect(versionOf(template)).toBeGreaterThan(0);
    expect(versionOf(template)).toBeLessThanOrEqual(1.5);
  });

  const cases = templates.flatMap((name) => (SAMPLES[name] ?? []).flatMap((sample) => LOCALES.map((locale) => [name, sample.name, locale, sample] as const)));

  it.each(cases)('%s (%s, %s) binds, validates and stays under 28 KB', (name, _sample, locale, sample) => {
    const card = renderCard(name as CardName, sample.data(locale), locale);
    expect(unbound(card)).toEqual([]);
    expect(versionOf(card)).toBeLessThanOrEqual(1.5);
    expect(validationProblems(card)).toEqual([]);
    const bytes = Buffer.byteLength(JSON.stringify(card), 'utf8');
    expect(bytes).toBeLessThan(MAX_BYTES);
  });
});

describe('the validation used above', () => {
  it('reports what Teams would refuse', () => {
    const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Bogus' }, { type: 'Input.Text', id: 'a', isRequired: true }], actions: [] };
    const problems = validationProblems(card);
    expect(problems.some((p) => p.includes('UnknownElementType'))).toBe(true);
    expect(problems.some((p) => p.includes('RequiredInputsShouldHaveLabel'))).toBe(true);
    expect(unbound({ text: '${missing}', items: [{ $when: '${x}' }] })).toEqual(['${missing}', '$when']);
  });
});
