import { AppError } from '../../errors';
import type { Action } from '../../setup/plan';
import { copyInUnit, salesUser } from './resolve';
import type { ActionHandler } from './types';

type AssignRole = Extract<Action, { type: 'assignRole' }>;

/** Assigns the copy of the role that belongs to the user's own business unit (matched on its root role). */
export const assignRole: ActionHandler<AssignRole> = async (action, context) => {
  const { target, params } = action;
  const { sales, user } = await salesUser(target, context);
  if (user.isDisabled) throw new AppError('user_disabled', `${target.userPrincipalName} is disabled in the Sales environment; roles can only be given to enabled users.`);
  const roles = await sales.listRoles({ businessUnitId: user.businessUnitId ?? undefined });
  const copy = copyInUnit(roles, params.roleId, params.roleTemplateId);
  if (!copy) {
    throw new AppError('role_not_in_business_unit', `The role ${params.roleName} has no copy in the business unit of ${target.userPrincipalName}.`);
  }
  const held = await sales.userRoles(user.id);
  if (held.some((r) => r.id === copy.id)) return { already: true };
  await sales.assignRole(user.id, copy.id);
  return {};
};
