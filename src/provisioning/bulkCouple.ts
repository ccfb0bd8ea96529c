import { AppError } from '../errors';
import type { Action } from '../setup/plan';
import { couplingBar, type CouplingBar } from '../setup/salespeopleMatch';
import { done, failed, inGroups, notBlocked, pool, type BulkState, type Outcomes } from './bulkPhase';
import { findSalesUsers } from './bulkSales';
import { entraIds } from './bulkSalesPhases';
import { CouplingClient } from './clients/coupling';

/**
 * The coupling phase: the company's couplings are read once; a salesperson already coupled to the
 * same Sales user counts as done, one coupled elsewhere fails (nothing is uncoupled), and the rest
 * are coupled a few at a time. Only what the endpoint confirms is reported as coupled.
 */

type CoupleSalesperson = Extract<Action, { type: 'coupleSalesperson' }>;

const COUPLE_GROUP = 50;

const BAR_TEXT: Record<CouplingBar, string> = {
  applicationUser: 'an application user',
  integrationUser: 'an integration user',
  disabled: 'disabled',
  unlicensed: 'not licensed',
};
const COUPLE_CONCURRENCY = 5;

export async function coupleSalespeople(state: BulkState, actions: CoupleSalesperson[]): Promise<void> {
  const byEndpoint = new Map<string, CoupleSalesperson[]>();
  for (const action of actions) {
    const key = `${action.params.endpoint}|${action.params.companyId}`;
    const list = byEndpoint.get(key) ?? [];
    list.push(action);
    byEndpoint.set(key, list);
  }
  for (const group of byEndpoint.values()) await coupleInCompany(state, group);
}

async function coupleInCompany(state: BulkState, actions: CoupleSalesperson[]): Promise<void> {
  const { clients, environment } = state.context;
  const { endpoint, companyId } = actions[0]!.params;
  const client = new CouplingClient(endpoint, clients.policies.bc);
  const first: Outcomes = {};
  const targets = await entraIds(state, notBlocked(state, actions, first), first);
  const [couplings, users] = await Promise.all([client.list(companyId), findSalesUsers(clients.sales(environment.dataverseUrl), targets.map((t) => t.id))]);
  const bySalesperson = new Map(couplings.map((c) => [c.salespersonId, c]));
  const bySalesUser = new Map(couplings.map((c) => [c.systemUserId, c]));
  const pending: { action: CoupleSalesperson; systemUserId: string }[] = [];
  for (const { action, id } of targets) {
    const user = users.get(id);
    const code = action.params.salespersonCode;
    const existing = bySalesperson.get(action.params.salespersonId.toLowerCase());
    const bar = user && couplingBar(user);
    if (!user) first[action.key] = failed(state, action, new AppError('not_found', `${action.target.userPrincipalName} is not a user in the Sales environment.`));
    else if (existing?.systemUserId === user.id) first[action.key] = done(state, true);
    else if (bar) first[action.key] = failed(state, action, new AppError('invalid_input', `${action.target.userPrincipalName} cannot be coupled: its Sales user is ${BAR_TEXT[bar]}. Business Central couples only licensed, enabled Sales users that are not integration users.`));
    else if (existing) first[action.key] = failed(state, action, new AppError('conflict', `The salesperson ${code} is already coupled to another Sales user in Business Central. Uncouple it there first.`));
    else if (bySalesUser.has(user.id)) {
      first[action.key] = failed(state, action, new AppError('conflict', `${action.target.userPrincipalName} is already coupled to the salesperson ${bySalesUser.get(user.id)!.salespersonCode}. Uncouple it there first.`));
    } else pending.push({ action, systemUserId: user.id });
  }
  await state.save(first);
  await inGroups(state, pending, COUPLE_GROUP, async (group, outcomes) => {
    await pool(group, COUPLE_CONCURRENCY, async ({ action, systemUserId }) => {
      try {
        const result = await client.couple(companyId, action.params.salespersonId, systemUserId);
        outcomes[action.key] = done(state, result.already);
      } catch (error) {
        outcomes[action.key] = failed(state, action, error);
      }
    });
  });
}
