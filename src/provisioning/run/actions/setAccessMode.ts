import { coded } from '../../../errors';
import type { Action } from '../../../setup/plan';
import { salesUser } from './resolve';
import type { ActionHandler } from './types';

type SetAccessMode = Extract<Action, { type: 'setAccessMode' }>;

/** Sets the Sales access mode and re-reads to confirm it took. */
export const setAccessMode: ActionHandler<SetAccessMode> = async (action, context) => {
  const { sales, user } = await salesUser(action.target, context);
  if (user.accessMode === action.params.accessMode) return { already: true };
  const updated = await sales.setAccessMode(user.id, action.params.accessMode as never);
  if (updated.accessMode !== action.params.accessMode) {
    throw coded('service_error', 'errAccessModeUnchanged', { user: action.target.userPrincipalName, mode: action.params.accessModeName });
  }
  return {};
};
