import { coded } from '../../../errors';
import type { UserTarget } from '../../../setup/plan';
import type { SalesRole } from '../../clients/dataverse/sales';
import type { ActionContext } from './types';

/**
 * The Entra object id of an action's user. Planned actions for a user that does not exist yet
 * carry only the UPN; by the time they run, an earlier createUser has made the account.
 */
export async function entraId(target: UserTarget, { clients }: ActionContext): Promise<string> {
  if (target.userId) return target.userId;
  const user = await clients.directory.getUser(target.userPrincipalName);
  if (!user) throw coded('not_found', 'errNoEntraAccount', { user: target.userPrincipalName });
  return user.id;
}

/** The user's Sales (Dataverse) system user, or a not_found error that says so. */
export async function salesUser(target: UserTarget, context: ActionContext) {
  const sales = context.clients.sales(context.environment.dataverseUrl);
  const user = target.systemUserId
    ? await sales.getSystemUser(target.systemUserId)
    : await sales.findSystemUserByAadObjectId(await entraId(target, context));
  if (!user) throw coded('not_found', 'errNotSalesUser', { user: target.userPrincipalName });
  return { sales, user };
}

const isCopy = (role: SalesRole, rootRoleId: string) => role.id === rootRoleId || role.parentRootRoleId === rootRoleId;

/**
 * A business unit's copy of a planned role. Plans name the root business unit's role; every copy
 * carries it as `_parentrootroleid_value` however deep the unit is nested (`_parentroleid_value`
 * is only the immediate parent). The template id is the fallback for a root role made anew.
 */
export function copyInUnit(rolesInUnit: SalesRole[], rootRoleId: string, templateId?: string | null): SalesRole | undefined {
  const root = rootRoleId.toLowerCase();
  return rolesInUnit.find((r) => isCopy(r, root)) ?? (templateId ? rolesInUnit.find((r) => r.templateId === templateId.toLowerCase()) : undefined);
}

/** The roles a user holds that are copies of a planned role (or of its template). */
export function heldCopies(held: SalesRole[], rootRoleId: string, templateId?: string | null): SalesRole[] {
  const root = rootRoleId.toLowerCase();
  return held.filter((r) => isCopy(r, root) || (!!templateId && r.templateId === templateId.toLowerCase()));
}
