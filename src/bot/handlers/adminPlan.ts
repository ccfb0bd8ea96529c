import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { escapeMarkdown, type AdaptiveCardJson } from '../../cards/render';
import { t } from '../../i18n';
import { nonAdminChoices, planAdmin } from '../../setup/adminPlanner';
import { resolveRole, toRoleChoice } from '../../setup/roles';
import { describeIssues, idList, upn } from '../../setup/validation';
import { actorOf, localeFor } from '../context';
import { createPlan, planCardFor } from '../planView';
import { applyEvent, sessionOf } from '../session';
import type { BotServices } from '../services';
import type { SetupTurnState } from '../state';
import { adminStepCard, stepCard } from '../steps';

const AdminInput = z.object({
  userPrincipalName: upn,
  nonAdminRoleIds: idList.optional().transform((ids) => ids ?? []),
});

/** "Show the plan" on the Part 1 card: validate, observe, plan; the plan card comes back. */
export function adminPlan(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson> => {
    const locale = localeFor(context);
    const session = sessionOf(state);
    if (!session?.active || session.step !== 'admin' || !session.environment) {
      return session ? stepCard(services, context, session) : adminStepCard(services, context, services.environmentOf(undefined), undefined, t(locale, 'statusNoSession'));
    }
    const environment = session.environment;
    const parsed = AdminInput.safeParse(data);
    if (!parsed.success) {
      const typed = typeof data.userPrincipalName === 'string' ? data.userPrincipalName.slice(0, 113) : undefined;
      return adminStepCard(services, context, environment, typed ? { userPrincipalName: typed, nonAdminRoleIds: [] } : undefined, t(locale, 'invalidInput', { problems: describeIssues(parsed.error, locale, { userPrincipalName: t(locale, 'adminUpn'), nonAdminRoleIds: t(locale, 'adminNonAdminRoles') }) }));
    }
    const desired = parsed.data;
    if (desired.nonAdminRoleIds.length === 0) {
      return adminStepCard(services, context, environment, desired, t(locale, 'refuseNonAdminRoleRequired'));
    }
    const observation = await services.tenant.adminObservation(environment, desired.userPrincipalName);
    const result = planAdmin(desired, observation, environment);
    if (!result.ok) {
      return adminStepCard(services, context, environment, desired, t(locale, result.refusal.key, result.refusal.vars));
    }
    // No role here has a known name: the admin's pick is remembered for this environment.
    if (!resolveRole('salesManager', observation.roles, observation.rootBusinessUnitId)) {
      const ids = new Set(desired.nonAdminRoleIds.map((id) => id.toLowerCase()));
      const picked = nonAdminChoices(observation).filter((r) => ids.has(r.roleid));
      const actor = actorOf(context);
      await services.roles.remember(environment, 'nonAdministrative', picked.map(toRoleChoice), actor.aadObjectId ?? actor.teamsId);
    }
    const plan = await createPlan(services, context, 'admin', environment, result.actions);
    applyEvent(state, { type: 'adminChosen', admin: desired, planId: plan.id });
    return planCardFor(services, context, plan, undefined, t(locale, 'planNothing', { user: escapeMarkdown(desired.userPrincipalName) }));
  };
}
