import { AppError } from '../../errors';
import type { UserTarget } from '../../setup/plan';
import type { ActionContext } from './types';

/**
 * The Entra object id of an action's user. Planned actions for a user that does not exist yet
 * carry only the UPN; by the time they run, an earlier createUser has made the account.
 */
export async function entraId(target: UserTarget, { clients }: ActionContext): Promise<string> {
  if (target.userId) return target.userId;
  const user = await clients.directory.getUser(target.userPrincipalName);
  if (!user) throw new AppError('not_found', `There is no Entra account ${target.userPrincipalName}.`);
  return user.id;
}

/** The user's Sales (Dataverse) system user, or a not_found error that says so. */
export async function salesUser(target: UserTarget, context: ActionContext) {
  const sales = context.clients.sales(context.environment.dataverseUrl);
  const user = target.systemUserId
    ? await sales.getSystemUser(target.systemUserId)
    : await sales.findSystemUserByAadObjectId(await entraId(target, context));
  if (!user) throw new AppError('not_found', `${target.userPrincipalName} is not a user in the Sales environment.`);
  return { sales, user };
}
