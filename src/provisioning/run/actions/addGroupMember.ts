import type { Action } from '../../../setup/plan';
import { entraId } from './resolve';
import type { ActionHandler } from './types';

type AddGroupMember = Extract<Action, { type: 'addGroupMember' }>;

/**
 * Makes the user a member of the environment's security group, which Power Platform requires
 * before it admits the user (background sync and addUser alike). A member already counts as done.
 */
export const addGroupMember: ActionHandler<AddGroupMember> = async (action, context) => {
  const userId = await entraId(action.target, context);
  const { already } = await context.clients.directory.addGroupMember(action.params.groupId, userId);
  return already ? { already: true } : {};
};
