import { coded } from '../../../errors';
import type { StringKey } from '../../../i18n';
import type { Action } from '../../../setup/plan';
import { couplingBar, type CouplingBar } from '../../../setup/salespeopleMatch';
import { done, failed, inGroups, notBlocked, pool, type BulkState, type Outcomes } from './phase';
import { findSalesUsers } from '../../observe/salesReads';
import { entraIds } from './sales';
import { CouplingClient } from '../../clients/coupling';

/**
 * The coupling phase: the company's couplings are read once; a salesperson already coupled to the
 * same Sales user counts as done, one coupled elsewhere fails (nothing is uncoupled), and the rest
 * are coupled a few at a time. Only what the endpoint confirms is reported as coupled.
 */

type CoupleSalesperson = Extract<Action, { type: 'coupleSalesperson' }>;

const COUPLE_GROUP = 50;

const BAR_TEXT: Record<CouplingBar, StringKey> = {
  applicationUser: 'errCoupleApplicationUser',
  integrationUser: 'errCoupleIntegrationUser',
  disabled: 'errCoupleDisabled',
  unlicensed: 'errCoupleUnlicensed',
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
  const { endpoint, companyId } = actions[0].params;
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
    if (!user) first[action.key] = failed(state, action, coded('not_found', 'errNotSalesUser', { user: action.target.userPrincipalName }));
    else if (existing?.systemUserId === user.id) first[action.key] = done(state, true);
    else if (bar) first[action.key] = failed(state, action, coded('invalid_input', BAR_TEXT[bar], { user: action.target.userPrincipalName }));
    else if (existing) first[action.key] = failed(state, action, coded('conflict', 'errSalespersonCoupled', { code }));
    else if (bySalesUser.has(user.id)) {
      first[action.key] = failed(state, action, coded('conflict', 'errUserCoupled', { user: action.target.userPrincipalName, code: bySalesUser.get(user.id)!.salespersonCode }));
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
