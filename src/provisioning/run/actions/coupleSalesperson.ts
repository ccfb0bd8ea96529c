import type { Action } from '../../../setup/plan';
import { CouplingClient } from '../../clients/coupling';
import { salesUser } from './resolve';
import type { ActionHandler } from './types';

type CoupleSalesperson = Extract<Action, { type: 'coupleSalesperson' }>;

/**
 * Couples the Business Central salesperson to the target's Sales user through the coupling
 * endpoint approved with the plan. Done only when the endpoint confirms the coupling.
 */
export const coupleSalesperson: ActionHandler<CoupleSalesperson> = async (action, context) => {
  const { params } = action;
  const { user } = await salesUser(action.target, context);
  const client = new CouplingClient(params.endpoint, context.clients.policies.bc);
  return client.couple(params.companyId, params.salespersonId, user.id);
};
