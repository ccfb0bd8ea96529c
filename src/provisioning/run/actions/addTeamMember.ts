import { coded } from '../../../errors';
import type { Action } from '../../../setup/plan';
import { salesUser } from './resolve';
import type { ActionHandler } from './types';

type AddTeamMember = Extract<Action, { type: 'addTeamMember' }>;

/** Makes a coupled Sales user a member of Business Central's default owning team (as BC's "Add Coupled Users to Team" does). */
export const addTeamMember: ActionHandler<AddTeamMember> = async (action, context) => {
  const { params } = action;
  const { sales, user } = await salesUser(action.target, context);
  const team = (await sales.listTeams()).find((t) => t.id === params.teamId.toLowerCase());
  if (!team) throw coded('not_found', 'errTeamNotFound', { team: params.teamName });
  if ((await sales.teamMemberIds(team.id)).includes(user.id)) return { already: true };
  await sales.addTeamMembers(team.id, [user.id]);
  return {};
};
