import { coded } from '../../../errors';
import type { Action } from '../../../setup/plan';
import type { ActionHandler } from './types';

type AssignLicense = Extract<Action, { type: 'assignLicense' }>;

export const assignLicense: ActionHandler<AssignLicense> = async (action, { clients }) => {
  const { target, params } = action;
  const user = await clients.directory.getUser(target.userId ?? target.userPrincipalName);
  if (!user) throw coded('not_found', 'errNoEntraAccountAnyMore', { user: target.userPrincipalName });
  if (user.assignedLicenses.some((l) => l.skuId.toLowerCase() === params.skuId.toLowerCase())) return { already: true };
  // A licence needs a usage location; the plan names the one to set when the account has none.
  if (!user.usageLocation && params.usageLocation) await clients.directory.updateUser(user.id, { usageLocation: params.usageLocation });
  await clients.directory.assignLicense(user.id, params.skuId);
  return {};
};
