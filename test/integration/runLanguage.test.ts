import { SEED } from '../../src/sandbox';
import { t, type Locale } from '../../src/i18n';
import type { Run } from '../../src/setup/plan';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { action, findById, inputValues } from '../helpers/cards';
import { approveAndWait, completePart1, openPart3, resetTenant, salespeoplePlan, startSetup } from '../helpers/flows';
import { graph } from '../helpers/tenant';
import { cardText, type TeamsConversation } from '../helpers/teams';

/**
 * What the runner sends later reads in the conversation's language: a failed run's reasons, its
 * progress and its retry; the dedicated integration user's password card; the status card's
 * missing roles. English conversations read as before.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => resetTenant(h));

const control = (path: string, method: string, body?: unknown) =>
  fetch(`${h.sandbox.url}/_sandbox/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

const updatesOf = (cardActivityId: string) => h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardActivityId);

describe.each([
  ['nb', 'nb-NO'],
  ['en', 'en-US'],
] as [Locale, string][])('a failed Part 1 run in a conversation in %s', (locale, teamsLocale) => {
  const other: Locale = locale === 'nb' ? 'en' : 'nb';

  it('says why each step failed, how far it got and, after "Retry failed", that it is done — all in that language', async () => {
    const chat = h.conversation({ locale: teamsLocale });
    const { cardActivityId } = await startSetup(h, chat);
    const plan = (await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: SEED.admin.upn, nonAdminRoleIds: SEED.dataverse.roles.root.salesManager }, cardActivityId)).body.value;
    // Dynamics 365 Sales refuses every role assignment (503) until the faults are lifted.
    expect((await control('faults', 'POST', { kind: '503', service: 'dataverse', method: 'POST', pathContains: 'systemuserroles_association', count: 100_000, retryAfterSeconds: 0 })).status).toBe(201);
    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    const planId = String(action(plan, 'plan.approve').data.planId);
    const run = (await h.bot.records.get<Run>(`run:${planId}`))!;
    expect(run.status).toBe('failed');
    const outcomes = Object.values(run.journal);
    const failed = outcomes.filter((o) => o.status === 'failed');
    expect(failed.length).toBeGreaterThanOrEqual(2);

    // The journal holds codes and keys, not text in anyone's language.
    const stored = JSON.stringify(run.journal);
    expect(stored).not.toContain(t('en', 'failServiceUnavailable', { service: t('en', 'serviceDataverse') }));
    expect(stored).not.toContain('Not attempted');
    expect(failed.map((o) => (o.status === 'failed' ? [o.code, o.text?.key] : []))).toEqual(
      expect.arrayContaining([
        ['service_unavailable', 'failServiceUnavailable'],
        ['blocked', 'outcomeBlocked'],
      ]),
    );

    const text = cardText(final);
    const unavailable = t(locale, 'outcomeFailed', { reason: t(locale, 'failServiceUnavailable', { service: t(locale, 'serviceDataverse') }) });
    const blocked = t(locale, 'outcomeFailed', { reason: t(locale, 'outcomeBlocked', { user: SEED.admin.upn }) });
    expect(text).toContain(unavailable);
    expect(text).toContain(blocked);
    const done = outcomes.filter((o) => o.status === 'done').length;
    expect(text).toContain(t(locale, 'planStateFailed', { done, count: outcomes.length, failed: failed.length }));
    expect(text).not.toContain(t(other, 'failServiceUnavailable', { service: t(other, 'serviceDataverse') }));
    expect(text).not.toContain(t(other, 'outcomeBlocked', { user: SEED.admin.upn }));
    expect(text).not.toContain(t(other, 'planStateFailed', { done, count: outcomes.length, failed: failed.length }));

    // Retry once the cause is gone: the same card, in the same language, says everything is done.
    await control('faults', 'DELETE');
    const retried = await chat.execute(ADMIN, 'plan.retry', action(final, 'plan.retry').data, cardActivityId);
    expect(retried.status).toBe(200);
    await h.bot.runner.settled(planId);
    const after = cardText(updatesOf(cardActivityId).at(-1)!.activity.attachments[0].content);
    expect(after).toContain(t(locale, 'planStateDone', { count: outcomes.length }));
    expect(after).not.toContain(t(other, 'planStateDone', { count: outcomes.length }));
  });
});

describe.each([
  ['nb', 'nb-NO'],
  ['en', 'en-US'],
] as [Locale, string][])('a Part 3 run without free Sales seats, in %s', (locale, teamsLocale) => {
  it('lists each salesperson\'s failure with its reason in that language', async () => {
    const chat = h.conversation({ locale: teamsLocale });
    const { card, cardActivityId } = await openPart3(h, chat);
    const plan = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
    // After the plan was made, someone else takes every free Sales seat.
    const sku = ((await graph(h.sandbox.url, 'GET', '/subscribedSkus')).body.value as any[]).find((s) => s.skuId === SEED.skus.sales);
    for (let free = sku.prepaidUnits.enabled - sku.consumedUnits; free > 0; free--) {
      const created = await graph(h.sandbox.url, 'POST', '/users', {
        accountEnabled: true, displayName: `Filler ${free}`, mailNickname: `filler${free}`, userPrincipalName: `filler${free}@contoso.no`, usageLocation: 'NO', passwordProfile: { password: 'Xy!9fillerPass#2026' },
      });
      await graph(h.sandbox.url, 'POST', `/users/${created.body.id}/assignLicense`, { addLicenses: [{ skuId: SEED.skus.sales, disabledPlans: [] }], removeLicenses: [] });
    }
    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    const text = cardText(final);
    const other: Locale = locale === 'nb' ? 'en' : 'nb';
    const reason = (l: Locale) => t(l, 'spFailure', { user: 'marte.nilsen@contoso.no', reason: t(l, 'errNoFreeSeats', { sku: 'Dynamics 365 for Sales Enterprise Edition' }) });
    expect(text).toContain(`❌ ${reason(locale)}`);
    expect(text).not.toContain(reason(other));
  });
});

describe('the dedicated integration user\'s password card', () => {
  const UPN = 'bc-sync@contoso.no';

  async function planDedicatedUser(chat: TeamsConversation, language?: string) {
    const { card, cardActivityId } = await completePart1(h, chat);
    if (language) await chat.say(ADMIN, language);
    const form = (await chat.execute(ADMIN, 'integration.path', { path: 'dedicated' }, cardActivityId)).body.value;
    expect(findById(form, 'domain')).toBeDefined();
    expect(card).toBeDefined();
    const values = { ...inputValues(form), localPart: 'bc-sync', domain: 'contoso.no', displayName: 'BC Sync', skuId: SEED.skus.sales };
    const plan = (await chat.execute(ADMIN, 'integration.plan', values, cardActivityId)).body.value;
    await approveAndWait(h, chat, plan, cardActivityId);
    const messages = h.connector.activities.filter((a) => a.method === 'POST' && cardText(a.activity).includes(UPN) && JSON.stringify(a.activity).includes('secret.stored'));
    expect(messages).toHaveLength(1);
    return { message: messages[0], card: messages[0].activity.attachments[0].content };
  }

  it.each([
    ['nb', 'språk nb'],
    ['en', undefined],
  ] as [Locale, string | undefined][])('reads %s when the requester chose it, also where Teams itself runs in English, before and after "I have stored it"', async (locale, language) => {
    const other: Locale = locale === 'nb' ? 'en' : 'nb';
    const chat = h.conversation({ locale: 'en-US' });
    const { message, card } = await planDedicatedUser(chat, language);
    const text = cardText(card);
    expect(text).toContain(t(locale, 'passwordTitle', { user: UPN }));
    expect(text).toContain(t(locale, 'passwordIntro'));
    expect(action(card, 'secret.stored').title).toBe(t(locale, 'passwordStored'));
    expect(text).not.toContain(t(other, 'passwordIntro'));

    const stored = await chat.execute(ADMIN, 'secret.stored', action(card, 'secret.stored').data, message.activityId);
    const withdrawn = cardText(stored.body.value);
    expect(withdrawn).toContain(t(locale, 'passwordRemoved', { user: UPN }));
    expect(withdrawn).not.toContain(t(other, 'passwordRemoved', { user: UPN }));
  });
});

describe('the status card\'s missing roles', () => {
  it('names them as the environment does and describes the non-administrative role in Norwegian', async () => {
    const chat = h.conversation({ locale: 'nb-NO' });
    await chat.say(ADMIN, 'status');
    const text = cardText(h.connector.cards().at(-1));
    // The seeded environment's base language is English: its own name for the role is English.
    expect(text).toContain(t('nb', 'adminMissingRoles', { user: SEED.admin.upn, roles: `${SEED.roleNames.systemCustomizer}, ${t('nb', 'roleNonAdministrative')}` }));
    expect(text).not.toContain(t('en', 'roleNonAdministrative'));
  });

  it('in an environment whose base language is Norwegian, with that environment\'s names', async () => {
    await resetTenant(h, { language: 'nb' });
    const chat = h.conversation({ locale: 'nb-NO' });
    await chat.say(ADMIN, 'status');
    const text = cardText(h.connector.cards().at(-1));
    expect(text).toContain(`${SEED.admin.upn} mangler: ${SEED.roleNamesNb.systemCustomizer}, en ikke-administrativ rolle.`);
  });

  it('in English, as before', async () => {
    const chat = h.conversation({ locale: 'en-US' });
    await chat.say(ADMIN, 'status');
    expect(cardText(h.connector.cards().at(-1))).toContain(`${SEED.admin.upn} is missing: System Customizer, a non-administrative role.`);
  });
});
