import type { TurnContext } from 'botbuilder';
import { adminCard, environmentCard } from '../cards/setup';
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
  const environment = session.environment ?? services.defaultEnvironment();
  switch (session.step) {
    case 'environment':
      return environmentStepCard(services, context, environment);
    case 'admin': {
      if (session.planId) {
        const plan = await services.plans.get(session.planId);
        if (plan) return planCardFor(services, context, plan);
      }
      return adminStepCard(services, context, environment, session.admin);
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
      return welcomeCard(await services.observer.overview(actorOf(context), environment), locale);
  }
}

export async function environmentStepCard(services: BotServices, context: TurnContext, environment: EnvironmentRef, error?: string) {
  let companies: { id: string; name: string }[] = [];
  let problem = error;
  try {
    companies = await services.tenant.companies(environment);
  } catch (cause) {
    problem ??= t(localeFor(context), 'envNoCompanies', { environment: environment.bcEnvironment, reason: userMessage(cause, localeFor(context)) });
  }
  return environmentCard({ environment, companies, tenantMode: services.config.mode === 'tenant', error: problem }, localeFor(context));
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
