import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { t } from '../../src/i18n';
import { createLogger } from '../../src/log';
import { startBot } from '../../src/main';
import { SEED } from '../../src/sandbox';
import { escapeMarkdown } from '../../src/cards/render';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { action, actionsOf, findById, inputValues } from '../helpers/cards';
import { rawTenantState, resetTenant } from '../helpers/flows';
import { cardText, TeamsConversation } from '../helpers/teams';

/**
 * Choosing the environments from the tenant's lists, over HTTP as Teams drives the bot, against a
 * sandbox with two Business Central environments (production linked to the Sales environment, a
 * sandbox linked to nothing) and four Power Platform environments (the Sales environment, a Sales
 * environment in the United States, a test environment, the default environment without Dataverse).
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => resetTenant(h));

const O = SEED.otherEnvironments;
const PRODUCTION = `${SEED.businessCentral.environment}/${SEED.businessCentral.companyId}`;
const SANDBOX = `${O.bcSandbox.name}/${O.bcSandbox.companyId}`;

async function control(path: string, method: string, body?: unknown) {
  const response = await fetch(`${h.sandbox.url}/_sandbox/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

async function setUp(chat: TeamsConversation, command = 'set up') {
  await chat.say(ADMIN, command);
  return { card: h.connector.cards().at(-1)!, cardActivityId: h.connector.activities.at(-1)!.activityId! };
}

const choices = (card: unknown, id: string) => (findById(card, id)?.choices ?? []) as { title: string; value: string }[];

describe('choosing the environments from live lists', () => {
  it('preselects the linked pair with its reason, and reaches Part 1 from a fresh chat without typing an id', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await setUp(chat);
    const text = cardText(card);
    expect(text).toContain(t('en', 'envTitle'));
    expect(text).toContain(t('en', 'envReasonLinked', { bcEnvironment: SEED.businessCentral.environment, environment: escapeMarkdown(SEED.environment.name) }));
    // No text input: the admin only chooses.
    expect(findById(card, 'dataverseUrl')).toBeUndefined();
    expect(findById(card, 'bcCompany')?.value).toBe(PRODUCTION);
    expect(findById(card, 'bapEnvironmentId')?.value).toBe(SEED.environment.bapId);
    expect(choices(card, 'bcCompany').map((c) => c.value)).toEqual([PRODUCTION, SANDBOX]);
    expect(choices(card, 'bcCompany')[1].title).toBe(`${O.bcSandbox.name} (sandbox, NO) · ${O.bcSandbox.companyName}`);
    const pp = choices(card, 'bapEnvironmentId');
    expect(pp.map((c) => c.value)).toEqual([SEED.environment.bapId, O.salesUs.bapId, O.salesTest.bapId]);
    expect(pp[0].title).toContain(`linked to ${SEED.businessCentral.environment}`);
    expect(pp[1].title).toBe(`${O.salesUs.name} · unitedstates (eastus) · contososalesus.crm.dynamics.com`);
    expect(text).toContain(t('en', 'envPickNoDataverse', { names: escapeMarkdown(O.default.name) }));

    const saved = await chat.execute(ADMIN, 'env.save', { ...inputValues(card), deployment: 'online' }, cardActivityId);
    expect(saved.status).toBe(200);
    expect(cardText(saved.body.value)).toContain(t('en', 'adminTitle'));
    // The chosen environments are the conversation's: the welcome card names them.
    await chat.say(ADMIN, 'help');
    expect(cardText(h.connector.cards().at(-1))).toContain(`${SEED.businessCentral.environment} · ${SEED.businessCentral.companyName}`);
  });

  it('accepts another pair from the lists, and proposes it again as the conversation\'s own choice', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await setUp(chat);
    const saved = await chat.execute(ADMIN, 'env.save', { ...inputValues(card), bcCompany: SANDBOX, deployment: 'online' }, cardActivityId);
    expect(cardText(saved.body.value)).toContain(t('en', 'adminTitle'));
    const again = await chat.execute(ADMIN, 'env.change', action(saved.body.value, 'env.change').data, cardActivityId);
    expect(findById(again.body.value, 'bcCompany')?.value).toBe(SANDBOX);
    expect(cardText(again.body.value)).toContain(t('en', 'envReasonCurrent'));
  });

  it.each([
    ['a company of another environment', { bcCompany: `${SEED.businessCentral.environment}/${O.bcSandbox.companyId}` }, t('en', 'envPickProblemCompany')],
    ['an environment the tenant does not have', { bcCompany: `Staging/${SEED.businessCentral.companyId}` }, t('en', 'envPickProblemCompany')],
    ['a Power Platform environment not in the list', { bapEnvironmentId: '0f0e0d0c-0b0a-4009-8807-060504030201' }, t('en', 'envPickProblemPowerPlatform')],
    ['the environment without Dataverse', { bapEnvironmentId: O.default.bapId }, t('en', 'envPickProblemNoDataverse', { environment: escapeMarkdown(O.default.name) })],
  ])('refuses %s with its reason, and changes nothing', async (_what, change, message) => {
    const chat = h.conversation();
    const before = await rawTenantState(h);
    const { card, cardActivityId } = await setUp(chat);
    const refused = await chat.execute(ADMIN, 'env.save', { ...inputValues(card), ...change, deployment: 'online' }, cardActivityId);
    expect(refused.status).toBe(200);
    expect(cardText(refused.body.value)).toContain(message);
    expect(findById(refused.body.value, 'bcCompany')).toBeDefined();
    // Still on the environment step, with nothing remembered: "set up" shows the linked pair again.
    const { card: next } = await setUp(chat);
    expect(findById(next, 'bcCompany')?.value).toBe(PRODUCTION);
    expect(cardText(next)).toContain(t('en', 'envReasonLinked', { bcEnvironment: SEED.businessCentral.environment, environment: escapeMarkdown(SEED.environment.name) }));
    expect(await rawTenantState(h)).toBe(before);
  });

  it('keeps the typed values: "Type the values instead" accepts a typed environment, and refuses a bad one with a clear message', async () => {
    const chat = h.conversation();
    const before = await rawTenantState(h);
    const { card, cardActivityId } = await setUp(chat);
    const typed = await chat.execute(ADMIN, 'env.change', action(card, 'env.change').data, cardActivityId);
    const typedCard = typed.body.value;
    expect(findById(typedCard, 'dataverseUrl')?.value).toBe(`${h.sandbox.url}/dataverse/`);
    expect(findById(typedCard, 'bapEnvironmentId')?.value).toBe(SEED.environment.bapId);
    expect(actionsOf(typedCard).map((a) => a.verb)).toEqual(['env.save', 'env.change']);

    const bad = await chat.execute(ADMIN, 'env.save', { ...inputValues(typedCard), dataverseUrl: 'https://contoso.crm4.dynamics.com', deployment: 'online' }, cardActivityId);
    expect(cardText(bad.body.value)).toContain(
      escapeMarkdown(t('en', 'validationNotSandboxEnvironment', { value: 'https://contoso.crm4.dynamics.com', origin: new URL(h.sandbox.url).origin })),
    );
    expect(findById(bad.body.value, 'dataverseUrl')).toBeDefined();
    expect(await rawTenantState(h)).toBe(before);

    const saved = await chat.execute(ADMIN, 'env.save', { ...inputValues(typedCard), bcEnvironment: O.bcSandbox.name, bcCompanyId: O.bcSandbox.companyId, deployment: 'online' }, cardActivityId);
    expect(cardText(saved.body.value)).toContain(t('en', 'adminTitle'));
    await chat.say(ADMIN, 'help');
    expect(cardText(h.connector.cards().at(-1))).toContain(`${O.bcSandbox.name} · ${O.bcSandbox.companyName}`);
  });

  // Without the management app Part 1 itself cannot read the environment (the permissions test shows
  // it), so there the typed values are only offered; with the others Part 1 follows.
  it.each([
    ['AdminCenter.ReadWrite.All', { businessCentralRoles: ['API.ReadWrite.All'] }, /AdminCenter\.ReadWrite\.All .*authorised in the Business Central admin center/, /AdminCenter\.ReadWrite\.All .*autorisert i administrasjonssenteret/, true],
    ['the admin center authorisation', { businessCentralAdminCenterApp: false }, /AdminCenter\.ReadWrite\.All .*authorised in the Business Central admin center/, /AdminCenter\.ReadWrite\.All .*autorisert i administrasjonssenteret/, true],
    ['the Power Platform management app', { powerPlatformManagementApp: false }, /registered as a Power Platform management app/, /registrert som administrasjonsapp for Power Platform/, false],
  ])('without %s: says which permission is missing and falls back to typed values', async (_what, patch, names, nb, reachesPart1) => {
    await control('app', 'PATCH', patch);
    await h.restartBot();
    try {
      const chat = h.conversation();
      const { card, cardActivityId } = await setUp(chat);
      expect(findById(card, 'bcCompany')).toBeUndefined();
      expect(findById(card, 'dataverseUrl')).toBeDefined();
      const text = cardText(card);
      expect(text).toMatch(names);
      expect(text).toContain('I could not read the environment lists, so type the values below.');
      expect(actionsOf(card).map((a) => a.verb)).toEqual(['env.save']);
      if (reachesPart1) {
        const saved = await chat.execute(ADMIN, 'env.save', { ...inputValues(card), deployment: 'online' }, cardActivityId);
        expect(cardText(saved.body.value)).toContain(t('en', 'adminTitle'));
      }

      const norwegian = h.conversation({ locale: 'nb-NO' });
      const { card: nbCard } = await setUp(norwegian, 'sett opp');
      expect(cardText(nbCard)).toMatch(nb);
    } finally {
      await resetTenant(h);
      await h.restartBot();
    }
  });
});

describe('without a configured environment (tenant mode may leave DATAVERSE_URL, BAP_ENVIRONMENT_ID and BC_ENVIRONMENT out)', () => {
  it('asks to choose the environments first, then offers them from the lists with the linked pair', async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'bc-setup-nodefaults-'));
    const bot = await startBot({ ...h.config, stateDir, defaults: {} }, createLogger({ level: 'silent' }));
    try {
      const chat = new TeamsConversation({ botUrl: () => bot.url, connector: h.connector, tenantId: SEED.tenantId });
      h.connector.clear();
      await chat.say(ADMIN, 'help');
      expect(h.connector.texts().join('\n')).toContain('No environments are chosen for this conversation yet.');
      await chat.say(ADMIN, 'status');
      expect(h.connector.texts().filter((x) => x.includes('No environments are chosen'))).toHaveLength(2);

      const { card, cardActivityId } = await setUp(chat);
      expect(findById(card, 'bcCompany')?.value).toBe(PRODUCTION);
      expect(cardText(card)).toContain(t('en', 'envReasonLinked', { bcEnvironment: SEED.businessCentral.environment, environment: escapeMarkdown(SEED.environment.name) }));
      const saved = await chat.execute(ADMIN, 'env.save', { ...inputValues(card), deployment: 'online' }, cardActivityId);
      expect(cardText(saved.body.value)).toContain(t('en', 'adminTitle'));
      await chat.say(ADMIN, 'help');
      expect(cardText(h.connector.cards().at(-1))).toContain(`${SEED.businessCentral.environment} · ${SEED.businessCentral.companyName}`);
    } finally {
      await bot.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
