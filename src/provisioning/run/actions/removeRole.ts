import type { Action } from '../../../setup/plan';
import { heldCopies, salesUser } from './resolve';
import type { ActionHandler } from './types';

type RemoveRole = Extract<Action, { type: 'removeRole' }>;

/** Takes a role (the copy the user holds) away; a role already gone counts as done. */
export const removeRole: ActionHandler<RemoveRole> = async (action, context) => {
  const { sales, user } = await salesUser(action.target, context);
  const held = await sales.userRoles(user.id);
  const { roleId, roleTemplateId } = action.params;
  const copies = heldCopies(held, roleId, roleTemplateId);
  if (copies.length === 0) return { already: true };
  for (const role of copies) await sales.removeRole(user.id, role.id);
  return {};
};
