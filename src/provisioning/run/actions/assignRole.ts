import { coded } from '../../../errors';
import type { Action } from '../../../setup/plan';
import { copyInUnit, salesUser } from './resolve';
import type { ActionHandler } from './types';

type AssignRole = Extract<Action, { type: 'assignRole' }>;

/** Assigns the copy of the role that belongs to the user's own business unit (matched on its root role). */
export const assignRole: ActionHandler<AssignRole> = async (action, context) => {
  const { target, params } = action;
  const { sales, user } = await salesUser(target, context);
  if (user.isDisabled) throw coded('user_disabled', 'errSalesUserDisabled', { user: target.userPrincipalName });
  const roles = await sales.listRoles({ businessUnitId: user.businessUnitId ?? undefined });
  const copy = copyInUnit(roles, params.roleId, params.roleTemplateId);
  if (!copy) {
    throw coded('role_not_in_business_unit', 'errRoleNoCopy', { role: params.roleName, user: target.userPrincipalName });
  }
  const held = await sales.userRoles(user.id);
  if (held.some((r) => r.id === copy.id)) return { already: true };
  await sales.assignRole(user.id, copy.id);
  return {};
};
