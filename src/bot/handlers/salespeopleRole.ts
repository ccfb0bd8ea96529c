import { rolePickerCard } from '../../cards/salespeople';
import { escapeMarkdown } from '../../cards/render';
import { t } from '../../i18n';
import { localeFor } from '../context';
import type { CardHandler, Make } from '../handler';
import { applyInputs, environmentOf, inPart3, loadView, observeView, planEnvironmentOf, rememberSalespersonRole, renderView, ViewInput } from '../salespeopleSteps';

/**
 * `salespeople.role`: the admin picks the role salespeople get in an environment where no role
 * has a known name (rememberSalespersonRole: which roles count, remembered and audited). From the
 * import's role card the answer says so; from the list, the list is read again.
 */
export const salespeopleRole: Make<CardHandler> = (services) => async (context, state, data) => {
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
