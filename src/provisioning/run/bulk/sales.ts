import { AppError, coded, isAppError } from '../../../errors';
import type { Action } from '../../../setup/plan';
import { lookUpUsers } from '../../observe/directoryReads';
import { done, failed, inGroups, notBlocked, pool, upnOf, type BulkState, type EarlyRoleStage, type Outcomes } from './phase';
import { copyInUnit } from '../actions/resolve';
import { assignRoles, findSalesUsers, type BulkSalesUser } from '../../observe/salesReads';
import type { SalesClient, SalesRole } from '../../clients/dataverse/sales';

/**
 * The Sales phases of a bulk run. Users reach the environment by background sync: the run polls
 * for all of them at once and asks the Power Platform admin API (addUser, one user per call) only
 * for those that have not appeared after a grace period. Roles are assigned in Dataverse
 * `$batch`es, each in the user's own business unit, from the users (and roles) the polls read:
 * those who have arrived get theirs while the others are still awaited (`EarlyRoles`), the rest
 * once the last has arrived.
 */

type AddUserToEnvironment = Extract<Action, { type: 'addUserToEnvironment' }>;
type AssignRole = Extract<Action, { type: 'assignRole' }>;

/** One Dataverse `$batch` of operations per group: the fewest requests, one journal save each. */
const ROLE_GROUP = 1000;
const BAP_CONCURRENCY = 4;

/** Entra object ids for the actions' users; those without an account fail (into `outcomes`). */
export async function entraIds<A extends Action>(state: BulkState, actions: A[], outcomes: Outcomes): Promise<{ action: A; id: string }[]> {
  const unknown = actions.filter((a) => !state.ids.get(upnOf(a)));
  if (unknown.length > 0) {
    const found = await lookUpUsers(state.context.clients.directory, { upns: unknown.map((a) => a.target.userPrincipalName) });
    for (const [upn, user] of found.byUpn) state.ids.set(upn, user.id);
  }
  const out: { action: A; id: string }[] = [];
  for (const action of actions) {
    const id = state.ids.get(upnOf(action));
    if (id) out.push({ action, id });
    else outcomes[action.key] = failed(state, action, coded('not_found', 'errNoEntraAccount', { user: action.target.userPrincipalName }));
  }
  return out;
}

/** How long to leave new users to background sync before asking addUser for them. */
export function syncGraceMs(settings: BulkState['context']['settings']): number {
  return Math.min(settings.addUserTimeoutMs / 3, Math.max(settings.addUserRetryMs * 3, settings.pollMs * 4));
}

/**
 * When the users still awaited should all be in Sales, if the sync takes no longer for them than
 * it has been seen to take for those who arrived (their licences' times known): the last licence's
 * time plus that. Undefined when nothing was seen yet or a licence's time is unknown.
 */
function expectedAllBy(state: BulkState, waiting: Iterable<{ action: AddUserToEnvironment }>, syncSeenWithinMs: number): number | undefined {
  if (syncSeenWithinMs === Infinity) return undefined;
  let last = -Infinity;
  for (const w of waiting) {
    const licensedAt = state.licensedAt?.get(upnOf(w.action));
    if (licensedAt === undefined) return undefined;
    last = Math.max(last, licensedAt);
  }
  return last === -Infinity ? undefined : last + syncSeenWithinMs;
}

/**
 * The next poll: pollMs after this one started (its own time and the journal included), so an
 * arrival is seen within pollMs and the service is asked no more often. When the sync seen so far
 * says everyone awaited should be there before that, the poll goes then instead, but not sooner
 * than half an interval after this one; a time already past (this poll should have seen them and
 * did not) changes nothing, so at most one poll comes early.
 */
export function nextPoll(polledAt: number, pollMs: number, expectedAllBy: number | undefined): number {
  const regular = polledAt + pollMs;
  if (expectedAllBy === undefined || expectedAllBy <= polledAt || expectedAllBy >= regular) return regular;
  return Math.max(expectedAllBy, polledAt + pollMs / 2);
}

export async function addUsersToEnvironment(state: BulkState, actions: AddUserToEnvironment[]): Promise<void> {
  const { clients, environment, settings, sleep, now } = state.context;
  const sales = clients.sales(environment.dataverseUrl);
  const outcomes: Outcomes = {};
  const waiting = new Map((await entraIds(state, notBlocked(state, actions, outcomes), outcomes)).map((w) => [w.action.key, { ...w, lastAdd: -Infinity }]));
  const start = now();
  const deadline = start + settings.addUserTimeoutMs;
  /** The longest the sync has been seen to take: min over arrived users of (the poll's end − their licence's time). */
  let syncSeenWithinMs = Infinity;
  for (let round = 0; waiting.size > 0 && !state.stopped(); round++) {
    const polledAt = now();
    const present = await findSalesUsers(sales, [...waiting.values()].map((w) => w.id));
    for (const [id, user] of present) state.salesUsers.set(id, user);
    const arrived: BulkSalesUser[] = [];
    for (const [key, w] of waiting) {
      const user = present.get(w.id);
      // Licensed too: Business Central couples only licensed Sales users, and addUser synchronises
      // a user whose licence has not reached it yet.
      if (user && !user.isDisabled && user.isLicensed) {
        outcomes[key] = done(state, round === 0);
        waiting.delete(key);
        arrived.push(user);
        const licensedAt = state.licensedAt?.get(upnOf(w.action));
        if (licensedAt !== undefined) syncSeenWithinMs = Math.min(syncSeenWithinMs, now() - licensedAt);
      }
    }
    state.earlyRoles?.offer(arrived);
    await state.save({ ...outcomes });
    for (const key of Object.keys(outcomes)) delete outcomes[key];
    if (waiting.size === 0) return;
    if (now() >= deadline) {
      for (const [key, w] of waiting) {
        outcomes[key] = failed(state, w.action, coded('service_timeout', 'errSalesUserNotYet', { user: w.action.target.userPrincipalName, seconds: String(Math.round(settings.addUserTimeoutMs / 1000)) }));
      }
      await state.save(outcomes);
      return;
    }
    if (now() - start >= syncGraceMs(settings)) {
      const due = [...waiting.entries()].filter(([, w]) => now() - w.lastAdd >= settings.addUserRetryMs);
      await pool(due, BAP_CONCURRENCY, async ([key, w]) => {
        w.lastAdd = now();
        try {
          await clients.powerPlatform.addUser(w.action.params.bapEnvironmentId, w.id);
        } catch (error) {
          if (isAppError(error, 'user_not_licensed')) return; // the licence is still on its way: try again later
          outcomes[key] = failed(state, w.action, error);
          waiting.delete(key);
        }
      });
    }
    await sleep(Math.max(0, nextPoll(polledAt, settings.pollMs, expectedAllBy(state, waiting.values(), syncSeenWithinMs)) - now()));
  }
}

/**
 * Role assignments for users as they arrive in Sales, while the environment phase still waits for
 * others: one `$batch` at a time (those who arrive meanwhile go in the next), so the last to
 * arrive wait only for their own. What is not settled here (the role list or a batch failed, a
 * user without the role's copy in their unit) is left to the role phase, which reads again.
 */
export class EarlyRoles implements EarlyRoleStage {
  /** Keys of the role actions settled here. */
  readonly handled = new Set<string>();
  private readonly sales: SalesClient;
  private byUser: Map<string, AssignRole[]> | undefined;
  private roles: Promise<SalesRole[]> | undefined;
  private queue: { action: AssignRole; user: BulkSalesUser }[] = [];
  private sending: Promise<void> | undefined;

  constructor(
    private readonly state: BulkState,
    private readonly actions: AssignRole[],
  ) {
    this.sales = state.context.clients.sales(state.context.environment.dataverseUrl);
  }

  /** The role list, read once when the first users have arrived (again after a failed read). */
  listRoles(): Promise<SalesRole[]> {
    this.roles ??= this.sales.listRoles().catch((error: unknown) => {
      this.roles = undefined;
      throw error;
    });
    return this.roles;
  }

  /** Users now in Sales (licensed, enabled): their role actions are queued and the next batch sent. */
  offer(users: BulkSalesUser[]): void {
    if (users.length === 0 || this.state.stopped()) return;
    if (!this.byUser) {
      this.byUser = new Map();
      for (const action of this.actions) {
        const id = this.state.ids.get(upnOf(action));
        if (id) this.byUser.set(id, [...(this.byUser.get(id) ?? []), action]);
      }
    }
    for (const user of users) {
      for (const action of this.byUser.get(user.aadObjectId) ?? []) if (!this.state.blocked.has(upnOf(action))) this.queue.push({ action, user });
    }
    this.pump();
  }

  /** Resolves once no batch is in flight. */
  async settle(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private pump(): void {
    if (this.sending || this.queue.length === 0 || this.state.stopped()) return;
    const group = this.queue.splice(0, ROLE_GROUP);
    this.sending = this.send(group).finally(() => {
      this.sending = undefined;
      this.pump();
    });
  }

  private async send(group: { action: AssignRole; user: BulkSalesUser }[]): Promise<void> {
    const outcomes: Outcomes = {};
    try {
      const roles = await this.listRoles();
      const pending: { action: AssignRole; userId: string; roleId: string }[] = [];
      for (const { action, user } of group) {
        const copy = copyInUnit(
          roles.filter((r) => r.businessUnitId === user.businessUnitId),
          action.params.roleId,
          action.params.roleTemplateId,
        );
        if (!copy) continue; // the role phase says why
        if (user.roleIds.includes(copy.id)) outcomes[action.key] = done(this.state, true);
        else pending.push({ action, userId: user.id, roleId: copy.id });
      }
      if (pending.length > 0) {
        const errors = await assignRoles(this.sales, pending);
        pending.forEach((p, i) => {
          outcomes[p.action.key] = errors[i] ? failed(this.state, p.action, errors[i]) : done(this.state);
        });
      }
    } catch {
      // The list or the batch failed, or its answer was lost: the role phase reads back and assigns what is missing.
      for (const key of Object.keys(outcomes)) delete outcomes[key];
    }
    for (const key of Object.keys(outcomes)) this.handled.add(key);
    await this.state.save(outcomes);
  }
}

export async function assignSalesRoles(state: BulkState, allActions: AssignRole[]): Promise<void> {
  const { clients, environment } = state.context;
  const sales = clients.sales(environment.dataverseUrl);
  const early = state.earlyRoles;
  await early?.settle();
  const actions = early ? allActions.filter((a) => !early.handled.has(a.key)) : allActions;
  if (actions.length === 0) return;
  const first: Outcomes = {};
  const targets = await entraIds(state, notBlocked(state, actions, first), first);
  // The users as the environment phase last read them (with roles); only the others are read here.
  const unread = targets.filter((t) => !state.salesUsers.has(t.id)).map((t) => t.id);
  const [roles, read] = await Promise.all([early ? early.listRoles() : sales.listRoles(), findSalesUsers(sales, unread)]);
  const users = new Map([...state.salesUsers, ...read]);
  const pending: { action: AssignRole; userId: string; roleId: string; aadId: string }[] = [];
  for (const { action, id } of targets) {
    const user = users.get(id);
    const { roleId, roleTemplateId, roleName } = action.params;
    const who = action.target.userPrincipalName;
    if (!user) first[action.key] = failed(state, action, coded('not_found', 'errNotSalesUser', { user: who }));
    else if (user.isDisabled) first[action.key] = failed(state, action, coded('user_disabled', 'errSalesUserDisabled', { user: who }));
    else {
      const inUnit = roles.filter((r) => r.businessUnitId === user.businessUnitId);
      const copy = copyInUnit(inUnit, roleId, roleTemplateId);
      if (!copy) first[action.key] = failed(state, action, coded('role_not_in_business_unit', 'errRoleNoCopy', { role: roleName, user: who }));
      else if (user.roleIds.includes(copy.id)) first[action.key] = done(state, true);
      else pending.push({ action, userId: user.id, roleId: copy.id, aadId: id });
    }
  }
  await state.save(first);
  await inGroups(state, pending, ROLE_GROUP, async (group, outcomes) => {
    let errors: (AppError | undefined)[];
    try {
      errors = await assignRoles(sales, group);
    } catch (error) {
      // The batch as a whole failed or its answer was lost: read back what was assigned.
      const after = await findSalesUsers(sales, group.map((g) => g.aadId));
      for (const g of group) outcomes[g.action.key] = after.get(g.aadId)?.roleIds.includes(g.roleId) ? done(state, true) : failed(state, g.action, error);
      return;
    }
    group.forEach((g, i) => {
      outcomes[g.action.key] = errors[i] ? failed(state, g.action, errors[i]) : done(state);
    });
  });
}
