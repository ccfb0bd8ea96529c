import { TurnContext } from 'botbuilder';
import { z } from 'zod';
import {
  integrationCheckCard,
  integrationConnectionCard,
  integrationPathCard,
  integrationUserCard,
  passwordCard,
} from '../../cards/integration';
import { escapeMarkdown, type AdaptiveCardJson } from '../../cards/render';
import { createPlan, planCardFor } from '../planView';
import { t, type Locale } from '../../i18n';
import {
  checkApplicationUser,
  checkDedicatedUser,
  planAccessMode,
  planApplicationFixes,
  planDedicatedUser,
  recommendedPath,
  type Rule,
} from '../../setup/integrationPlanner';
import type { SetupSession } from '../../setup/session';
import { describeIssues, plainText, upn } from '../../setup/validation';
import { isCountryCode } from '../../setup/csvCountries';
import { actorOf, isPersonalChat, localeFor } from '../context';
import { applyEvent, sessionOf } from '../session';
import type { BotServices, EnvironmentRef } from '../services';
import type { SetupTurnState } from '../state';

/** Part 2: the integration account. Thin handlers over the pure planner in setup/integrationPlanner.ts. */

type Handler = (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>) => Promise<AdaptiveCardJson | string>;

/** The Part 1 administrator (never usable as the integration account). */
async function adminUpns(services: BotServices, context: TurnContext, session: SetupSession): Promise<string[]> {
  const upns = session.admin ? [session.admin.userPrincipalName] : [];
  const actor = actorOf(context).aadObjectId;
  if (upns.length === 0 && actor) {
    const me = await services.tenant.user(actor).catch(() => undefined);
    if (me) upns.push(me.userPrincipalName);
  }
  return upns;
}

function environmentOf(services: BotServices, session: SetupSession): EnvironmentRef {
  return services.environmentOf(session.environment);
}

async function dedicatedForm(services: BotServices, context: TurnContext, _environment: EnvironmentRef, values?: Record<string, string>, error?: string) {
  const locale = localeFor(context);
  const actor = actorOf(context).aadObjectId;
  const [facts, me] = await Promise.all([
    services.tenant.domainsAndSkus(),
    actor ? services.tenant.user(actor).catch(() => undefined) : Promise.resolve(undefined),
  ]);
  return integrationUserCard({ domains: facts.domains, skus: facts.skus, values: { usageLocation: me?.usageLocation ?? '', ...values }, error }, locale);
}

async function checkCard(services: BotServices, context: TurnContext, session: SetupSession, error?: string): Promise<AdaptiveCardJson> {
  const locale = localeFor(context);
  const environment = environmentOf(services, session);
  const integration = session.integration;
  if (integration?.path === 'dedicated' && integration.userPrincipalName) {
    const observed = await services.tenant.dedicatedUser(environment, integration.userPrincipalName);
    const rules = checkDedicatedUser(integration.userPrincipalName, observed, await adminUpns(services, context, session));
    return integrationCheckCard(
      { title: t(locale, 'checkTitleDedicated', { user: escapeMarkdown(integration.userPrincipalName) }), rules, guidance: guidance(services, environment, rules, locale), canFix: false, error },
      locale,
    );
  }
  const observed = await services.tenant.applicationUsers(environment);
  const rules = checkApplicationUser(observed);
  return integrationCheckCard(
    {
      title: t(locale, 'checkTitleApplication'),
      rules,
      guidance: guidance(services, environment, rules, locale),
      canFix: planApplicationFixes(observed).length > 0,
      error,
    },
    locale,
  );
}

function guidance(services: BotServices, environment: EnvironmentRef, rules: Rule[], locale: Locale): string[] {
  const failing = rules.filter((r) => !r.pass);
  const lines: string[] = [];
  if (failing.some((r) => r.fix === 'businessCentral')) {
    const link = services.tenant.businessCentralPage(environment, 7201) ?? t(locale, 'bcPageOnPremises', { page: 7201 });
    lines.push(t(locale, 'fixInBusinessCentral', { link }));
  }
  if (failing.some((r) => r.fix === 'powerPlatform')) lines.push(t(locale, 'fixInPowerPlatform', { environment: environment.bapEnvironmentId }));
  if (failing.some((r) => r.fix === 'plan')) lines.push(t(locale, 'fixByPlan'));
  return lines;
}

/** The card for the integration step, by phase. */
export async function integrationStepCard(services: BotServices, context: TurnContext, session: SetupSession): Promise<AdaptiveCardJson> {
  const locale = localeFor(context);
  const environment = environmentOf(services, session);
  const integration = session.integration ?? { phase: 'choose' as const };
  switch (integration.phase) {
    case 'choose':
      return integrationPathCard(recommendedPath(environment.deployment), locale);
    case 'form':
      return dedicatedForm(services, context, environment);
    case 'connection':
      return integrationConnectionCard(
        { userPrincipalName: integration.userPrincipalName ?? '', link: services.tenant.businessCentralPage(environment, 1817) },
        locale,
      );
    case 'check':
      return checkCard(services, context, session);
  }
}

/** Only in the integration step; anything else shows where the setup is. */
function inStep(session: SetupSession | undefined): session is SetupSession {
  return !!session?.active && session.step === 'integration';
}

export function integrationHandlers(services: BotServices, stepCard: (context: TurnContext, session: SetupSession) => Promise<AdaptiveCardJson>) {
  const elsewhere = async (context: TurnContext, session: SetupSession | undefined) =>
    session ? stepCard(context, session) : t(localeFor(context), 'statusNoSession');

  const choosePath: Handler = async (context, state, data) => {
    const session = sessionOf(state);
    if (!inStep(session)) return elsewhere(context, session);
    const parsed = z.object({ path: z.enum(['application', 'dedicated']) }).safeParse(data);
    if (!parsed.success) return integrationStepCard(services, context, session);
    return integrationStepCard(services, context, applyEvent(state, { type: 'integrationPath', path: parsed.data.path }));
  };

  const changePath: Handler = async (context, state) => {
    const session = sessionOf(state);
    if (!inStep(session)) return elsewhere(context, session);
    return integrationStepCard(services, context, applyEvent(state, { type: 'integrationPhase', phase: 'choose' }));
  };

  const DedicatedInput = z.object({
    localPart: z.string().trim().min(1).max(64),
    domain: z.string().trim().min(1).max(253),
    displayName: plainText(256),
    usageLocation: z.string().trim().toUpperCase().length(2, 'validationTwoLetters'),
    skuId: z.string().trim().min(1, 'validationLicence').max(64),
  });

  const planUser: Handler = async (context, state, data) => {
    const locale = localeFor(context);
    const session = sessionOf(state);
    if (!inStep(session) || session.integration?.phase !== 'form') return elsewhere(context, session);
    const environment = environmentOf(services, session);
    const typed = Object.fromEntries(Object.entries(data).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k, String(v).slice(0, 256)]));
    const parsed = DedicatedInput.safeParse(data);
    const form = (error: string) => dedicatedForm(services, context, environment, typed, error);
    const labels = {
      localPart: t(locale, 'dedicatedLocalPart'),
      domain: t(locale, 'dedicatedDomain'),
      displayName: t(locale, 'dedicatedDisplayName'),
      usageLocation: t(locale, 'dedicatedUsageLocation'),
      skuId: t(locale, 'dedicatedSku'),
    };
    if (!parsed.success) return form(t(locale, 'invalidInput', { problems: describeIssues(parsed.error, locale, labels) }));
    const input = parsed.data;
    const address = upn.safeParse(`${input.localPart}@${input.domain}`);
    if (!address.success) return form(t(locale, 'invalidInput', { problems: describeIssues(address.error, locale, { '': labels.localPart }) }));
    if (!isCountryCode(input.usageLocation)) return form(t(locale, 'invalidCountry', { code: input.usageLocation }));
    const observed = await services.tenant.dedicatedUser(environment, address.data);
    const result = planDedicatedUser(
      { userPrincipalName: address.data, displayName: input.displayName, usageLocation: input.usageLocation, skuId: input.skuId },
      observed,
      await adminUpns(services, context, session),
      environment,
    );
    if (!result.ok) return form(t(locale, result.refusal.key, result.refusal.vars));
    if (result.actions.some((a) => a.type === 'createUser') && !isPersonalChat(context)) return form(t(locale, 'passwordNeedsPersonalChat'));
    const plan = await createPlan(services, context, 'integrationUser', environmentOf(services, sessionOf(state)!), result.actions);
    applyEvent(state, { type: 'integrationUserPlanned', userPrincipalName: address.data, planId: plan.id });
    return planCardFor(services, context, plan, undefined, t(locale, 'passwordExisting', { user: escapeMarkdown(address.data) }));
  };

  const connected: Handler = async (context, state) => {
    const locale = localeFor(context);
    const session = sessionOf(state);
    const upnOf = session?.integration?.userPrincipalName;
    if (!inStep(session) || session.integration?.phase !== 'connection' || !upnOf) return elsewhere(context, session);
    const environment = environmentOf(services, session);
    const observed = await services.tenant.dedicatedUser(environment, upnOf);
    const result = planAccessMode(upnOf, observed, await adminUpns(services, context, session));
    if (!result.ok) {
      return integrationConnectionCard(
        { userPrincipalName: upnOf, link: services.tenant.businessCentralPage(environment, 1817), error: t(locale, result.refusal.key, result.refusal.vars) },
        locale,
      );
    }
    const plan = await createPlan(services, context, 'integrationAccessMode', environmentOf(services, sessionOf(state)!), result.actions);
    applyEvent(state, { type: 'integrationPlanned', planId: plan.id });
    return planCardFor(services, context, plan, undefined, t(locale, 'checkAllPass'));
  };

  const fix: Handler = async (context, state) => {
    const session = sessionOf(state);
    if (!inStep(session) || session.integration?.path !== 'application') return elsewhere(context, session);
    const actions = planApplicationFixes(await services.tenant.applicationUsers(environmentOf(services, session)));
    if (actions.length === 0) return checkCard(services, context, session);
    const plan = await createPlan(services, context, 'integrationApplication', environmentOf(services, sessionOf(state)!), actions);
    applyEvent(state, { type: 'integrationPlanned', planId: plan.id });
    return planCardFor(services, context, plan);
  };

  const check: Handler = async (context, state) => {
    const session = sessionOf(state);
    if (!inStep(session)) return elsewhere(context, session);
    return session.integration?.phase === 'check' ? checkCard(services, context, session) : integrationStepCard(services, context, session);
  };

  const next: Handler = async (context, state) => {
    const session = sessionOf(state);
    if (!inStep(session)) return elsewhere(context, session);
    return stepCard(context, applyEvent(state, { type: 'advance' }));
  };

  /**
   * "I have stored it": the message itself loses the password, for everyone (passwordCards.ts);
   * the answer is the same card without it.
   */
  const secretStored: Handler = async (context, _state, data) => {
    const parsed = z.object({ userPrincipalName: upn }).safeParse(data);
    const userPrincipalName = parsed.success ? parsed.data.userPrincipalName : '';
    await services.passwords.confirmed(context, userPrincipalName);
    return passwordCard({ userPrincipalName }, localeFor(context));
  };

  return {
    'integration.path': choosePath,
    'integration.changePath': changePath,
    'integration.plan': planUser,
    'integration.connected': connected,
    'integration.fix': fix,
    'integration.check': check,
    'integration.next': next,
    'secret.stored': secretStored,
  };
}
