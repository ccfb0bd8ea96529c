import type { TurnContext } from 'botbuilder';
import { adminCard, environmentCard } from '../cards/setup';
import { environmentPickCard } from '../cards/environmentPick';
import { propose } from '../setup/environmentChoice';
import { welcomeCard } from '../cards/welcome';
import type { AdaptiveCardJson } from '../cards/render';
import { userMessage } from '../errors';
import { t } from '../i18n';
import type { SetupSession } from '../setup/session';
import { actorOf, localeFor } from './context';
import { planCardFor } from './planView';
import { integrationStepCard } from './integrationSteps';
import { salespeopleStepCard } from './salespeopleSteps';
import type { BotServices, EnvironmentRef } from './services';

/** The card for where the session stands. Used by set up, resume, and after each step. */
export async function stepCard(services: BotServices, context: TurnContext, session: SetupSession): Promise<AdaptiveCardJson> {
  const locale = localeFor(context);
  switch (session.step) {
    case 'environment':
      return environmentStepCard(services, context, session.environment);
    case 'admin': {
      if (session.planId) {
        const plan = await services.plans.get(session.planId);
        if (plan) return planCardFor(services, context, plan);
      }
      return adminStepCard(services, context, services.environmentOf(session.environment), session.admin);
    }
    case 'integration': {
      if (session.planId) {
        const plan = await services.plans.get(session.planId);
        if (plan) return planCardFor(services, context, plan);
      }
      return integrationStepCard(services, context, session);
    }
    case 'salespeople': {
      if (session.planId) {
        const plan = await services.plans.get(session.planId);
        if (plan) return planCardFor(services, context, plan);
      }
      return salespeopleStepCard(services, context, session);
    }
    default:
      return welcomeCard(await services.observer.overview(actorOf(context), services.environmentOf(session.environment)), locale);
  }
}

/**
 * The environment step: a choice from the tenant's lists (the linked pair preselected), or — when
 * asked for, or when a list cannot be read — the typed values, checked as before. `current` is the
 * conversation's environment (or the typed values being corrected).
 */
export async function environmentStepCard(
  services: BotServices,
  context: TurnContext,
  current: EnvironmentRef | undefined,
  error?: string,
  mode: 'lists' | 'typed' = 'lists',
): Promise<AdaptiveCardJson> {
  const locale = localeFor(context);
  const configured = services.defaultEnvironment();
  // Typed values being corrected need no lists; the lists or a first typed card do.
  const read = mode === 'lists' || !current ? await services.tenant.environmentLists() : undefined;
  const proposal = read?.ok ? propose(read.lists, { current, configured }) : undefined;
  if (mode === 'lists' && read?.ok && proposal) {
    return environmentPickCard({ lists: read.lists, proposal, deployment: current?.deployment ?? 'online', error }, locale);
  }
  const notice =
    mode === 'typed' || !read
      ? undefined
      : read.ok
        ? t(locale, 'envListsEmpty')
        : t(locale, 'envListsFailed', { reason: read.errors.map((e) => userMessage(e, locale)).join(' ') });
  const proposed: EnvironmentRef | undefined =
    read?.ok && proposal
      ? {
          dataverseUrl: read.lists.powerPlatform.find((p) => p.id === proposal.bapEnvironmentId)?.instanceUrl ?? '',
          bapEnvironmentId: proposal.bapEnvironmentId,
          bcEnvironment: proposal.bcEnvironment,
          bcCompanyId: proposal.bcCompanyId,
          deployment: current?.deployment ?? 'online',
        }
      : undefined;
  const environment = current ?? proposed ?? configured ?? { dataverseUrl: '', bapEnvironmentId: '', bcEnvironment: '', deployment: 'online' };
  let companies: { id: string; name: string }[] = [];
  let problem = error;
  if (environment.bcEnvironment) {
    try {
      companies = await services.tenant.companies(environment);
    } catch (cause) {
      problem ??= t(locale, 'envNoCompanies', { environment: environment.bcEnvironment, reason: userMessage(cause, locale) });
    }
  }
  return environmentCard(
    { environment, companies, tenantMode: services.config.mode === 'tenant', error: problem, notice, offerLists: mode === 'typed' },
    locale,
  );
}

export async function adminStepCard(
  services: BotServices,
  context: TurnContext,
  environment: EnvironmentRef,
  chosen?: SetupSession['admin'],
  error?: string,
): Promise<AdaptiveCardJson> {
  const actor = actorOf(context);
  let upn = chosen?.userPrincipalName;
  if (!upn && actor.aadObjectId) upn = await services.tenant.userPrincipalName(actor.aadObjectId).catch(() => undefined);
  const [observation, remembered] = await Promise.all([
    upn ? services.tenant.adminObservation(environment, upn) : undefined,
    services.roles.get(environment),
  ]);
  return adminCard(
    { userPrincipalName: upn ?? '', observation, selectedRoleIds: chosen?.nonAdminRoleIds, remembered: remembered?.nonAdministrative, error },
    localeFor(context),
  );
}
