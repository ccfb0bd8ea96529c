import type { TurnContext } from 'botbuilder';
import { integrationCheckCard, integrationConnectionCard, integrationPathCard, integrationUserCard } from '../cards/integration';
import { escapeMarkdown, type AdaptiveCardJson } from '../cards/render';
import { t, type Locale } from '../i18n';
import { checkApplicationUser, checkDedicatedUser, planApplicationFixes, recommendedPath, type Rule } from '../setup/integrationPlanner';
import type { SetupSession } from '../setup/session';
import { actorOf, localeFor } from './context';
import type { BotServices, EnvironmentRef } from './services';

/**
 * Part 2's cards, by where the integration step stands: the path, the dedicated user's form, the
 * connection, the check. No handler here: handlers/integration.ts answers the verbs.
 */

/** The Part 1 administrator (never usable as the integration account). */
export async function adminUpns(services: BotServices, context: TurnContext, session: SetupSession): Promise<string[]> {
  const upns = session.admin ? [session.admin.userPrincipalName] : [];
  const actor = actorOf(context).aadObjectId;
  if (upns.length === 0 && actor) {
    const me = await services.tenant.user(actor).catch(() => undefined);
    if (me) upns.push(me.userPrincipalName);
  }
  return upns;
}

export function environmentOf(services: BotServices, session: SetupSession): EnvironmentRef {
  return services.environmentOf(session.environment);
}

export async function dedicatedForm(services: BotServices, context: TurnContext, _environment: EnvironmentRef, values?: Record<string, string>, error?: string) {
  const locale = localeFor(context);
  const actor = actorOf(context).aadObjectId;
  const [facts, me] = await Promise.all([
    services.tenant.domainsAndSkus(),
    actor ? services.tenant.user(actor).catch(() => undefined) : Promise.resolve(undefined),
  ]);
  return integrationUserCard({ domains: facts.domains, skus: facts.skus, values: { usageLocation: me?.usageLocation ?? '', ...values }, error }, locale);
}

export async function checkCard(services: BotServices, context: TurnContext, session: SetupSession, error?: string): Promise<AdaptiveCardJson> {
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

