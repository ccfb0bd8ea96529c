import type { TurnContext } from 'botbuilder';
import { rolePickerCard } from '../../cards/salespeople';
import { escapeMarkdown, type AdaptiveCardJson } from '../../cards/render';
import { t } from '../../i18n';
import type { PlanEnvironment } from '../../setup/plan';
import type { RoleChoice } from '../../setup/roles';
import { guid } from '../../setup/validation';
import { actorOf, localeFor } from '../context';
import type { BotServices } from '../services';
import type { SetupTurnState } from '../state';
import { applyInputs, environmentOf, inPart3, loadView, observeView, renderView, ViewInput } from '../salespeopleSteps';

/**
 * `salespeople.role`: the admin picks the role salespeople get in an environment where no role
 * has a known name. Only a role of the environment's root business unit (not an administrative
 * one) is taken; the pick is remembered for the environment and audited.
 */

const planEnvironmentOf = (environment: PlanEnvironment): PlanEnvironment => ({
  dataverseUrl: environment.dataverseUrl,
  bapEnvironmentId: environment.bapEnvironmentId,
  bcEnvironment: environment.bcEnvironment,
  bcCompanyId: environment.bcCompanyId,
});

/** The picked role, remembered; undefined when the value is not one of the environment's pickable roles. */
export async function rememberSalespersonRole(services: BotServices, context: TurnContext, environment: PlanEnvironment, value: unknown): Promise<RoleChoice | undefined> {
  const parsed = guid.safeParse(value);
  if (!parsed.success) return undefined;
  const id = parsed.data.toLowerCase();
  const role = (await services.salespeople.pickableRoles(environment)).find((r) => r.roleid === id);
  if (!role) return undefined;
  const actor = actorOf(context);
  await services.salespeople.rememberRole(environment, role, actor.aadObjectId ?? actor.teamsId);
  await services.audit.append({
    event: 'role.chosen',
    actor: { aadObjectId: actor.aadObjectId, name: actor.name },
    conversationId: context.activity.conversation.id,
    subject: `salesperson:${role.roleid}`,
    outcome: `${role.name} in ${environment.dataverseUrl}`,
  });
  return role;
}

export function salespeopleRole(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson | string> => {
    const locale = localeFor(context);
    const session = inPart3(state);
    if (!session) return t(locale, 'spNoSession');
    const environment = planEnvironmentOf(environmentOf(services, session));
    const role = await rememberSalespersonRole(services, context, environment, data.salespersonRoleId);
    if (data.from === 'import') {
      if (!role) return rolePickerCard({ roleChoices: await services.salespeople.pickableRoles(environment) }, locale, t(locale, 'spRolePickMissing'));
      return t(locale, 'spRoleRemembered', { role: escapeMarkdown(role.name), environment: escapeMarkdown(environment.dataverseUrl) });
    }
    const view = applyInputs(services, await loadView(services, context, session), ViewInput.catch({}).parse(data));
    if (!role) return renderView(services, context, session, view, t(locale, 'spRolePickMissing'));
    // Read again: who holds a copy of the chosen role is what the list counts now.
    return renderView(services, context, session, await observeView(services, context, session, view));
  };
}
