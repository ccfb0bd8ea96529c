import { coded } from '../../../errors';
import type { Action } from '../../../setup/plan';
import { copyInUnit } from './resolve';
import type { ActionHandler } from './types';

type AssignTeamRole = Extract<Action, { type: 'assignTeamRole' }>;

/**
 * Gives Business Central's owning team the integration role: the copy in the team's own business
 * unit (codeunit 7201 CheckOwningTeamRequirements looks for exactly that copy on the team).
 */
export const assignTeamRole: ActionHandler<AssignTeamRole> = async (action, context) => {
  const { params } = action;
  const sales = context.clients.sales(context.environment.dataverseUrl);
  const team = (await sales.listTeams()).find((t) => t.id === params.teamId.toLowerCase());
  if (!team) throw coded('not_found', 'errTeamNotFound', { team: params.teamName });
  const copy = copyInUnit(await sales.listRoles({ businessUnitId: team.businessUnitId }), params.rootRoleId);
  if (!copy) throw coded('role_not_in_business_unit', 'errTeamRoleNoCopy', { role: params.roleName, team: params.teamName });
  if ((await sales.teamRoles(team.id)).some((r) => r.id === copy.id)) return { already: true };
  await sales.assignTeamRole(team.id, copy.id);
  return {};
};
