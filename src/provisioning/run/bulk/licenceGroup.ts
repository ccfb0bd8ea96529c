import { AppError, coded, isAppError } from '../../../errors';
import type { Action } from '../../../setup/plan';
import { skuDisplayName } from '../../../setup/skuNames';
import { lookUpUsers, type BulkUser } from '../../observe/directoryReads';
import { DirectoryClient, GROUP_LINK_LIMIT } from '../../clients/graph/directory';
import { done, failed, notBlocked, streamed, upnOf, type BulkState, type Outcomes } from './phase';
import { entraIds } from './sales';

/**
 * The group phases of a bulk run (Part 3 through a group, group-based licensing): the licence
 * group is created (or found by name), given the Sales licence, and made a member of the
 * environment's security group; then the salespeople join it, 20 per `PATCH /groups/{id}` with
 * `members@odata.bind`. Entra licenses a group's members in the background, so a salesperson
 * counts done only once their `licenseAssignmentStates` show the licence Active; a licence error
 * Entra records on the user (CountViolation: too few seats) fails them with that reason.
 * Learn: "Create group", "group: assignLicense", "Add members", "licenseAssignmentState resource
 * type", "Resolve group license assignment problems".
 */

type CreateGroup = Extract<Action, { type: 'createGroup' }>;
type AssignGroupLicense = Extract<Action, { type: 'assignGroupLicense' }>;
type NestGroup = Extract<Action, { type: 'nestGroup' }>;
type JoinLicenceGroup = Extract<Action, { type: 'joinLicenceGroup' }>;

/** Writes to one group object in flight (Microsoft publishes no limit; kept as for the security group). */
const GROUP_CONCURRENCY = 4;

/** The licence group's object id: planned, learned earlier in this run, or found by its name. */
async function groupIdOf(state: BulkState, name: string, planned?: string): Promise<string> {
  const key = name.toLowerCase();
  const known = planned?.toLowerCase() ?? state.ids.get(key);
  if (known) return known;
  const found = await state.context.clients.directory.findGroupsByName(name);
  if (found.length !== 1) throw coded('not_found', 'errGroupNotFound', { group: name });
  state.ids.set(key, found[0].id);
  return found[0].id;
}

export async function createGroups(state: BulkState, actions: CreateGroup[]): Promise<void> {
  const { directory } = state.context.clients;
  for (const action of actions) {
    const outcomes: Outcomes = {};
    try {
      const found = await directory.findGroupsByName(action.params.displayName);
      if (found.length > 0) {
        state.ids.set(action.params.displayName.toLowerCase(), found[0].id);
        outcomes[action.key] = done(state, true);
      } else {
        const created = await directory.createSecurityGroup(action.params);
        state.ids.set(action.params.displayName.toLowerCase(), created.id);
        outcomes[action.key] = done(state);
      }
    } catch (error) {
      outcomes[action.key] = failed(state, action, error);
    }
    await state.save(outcomes);
  }
}

export async function assignGroupLicences(state: BulkState, actions: AssignGroupLicense[]): Promise<void> {
  const { directory } = state.context.clients;
  const outcomes: Outcomes = {};
  for (const action of notBlocked(state, actions, outcomes)) {
    try {
      const id = await groupIdOf(state, action.params.groupName, action.params.groupId);
      const held = (await directory.getGroupLicences(id))?.skuIds.includes(action.params.skuId.toLowerCase());
      if (!held) await directory.assignGroupLicense(id, action.params.skuId, { skuName: skuDisplayName(action.params), groupName: action.params.groupName });
      outcomes[action.key] = done(state, !!held);
    } catch (error) {
      outcomes[action.key] = failed(state, action, error);
    }
  }
  await state.save(outcomes);
}

export async function nestGroups(state: BulkState, actions: NestGroup[]): Promise<void> {
  const { directory } = state.context.clients;
  const outcomes: Outcomes = {};
  for (const action of notBlocked(state, actions, outcomes)) {
    try {
      const id = await groupIdOf(state, action.params.groupName, action.params.groupId);
      outcomes[action.key] = done(state, (await directory.addGroupMember(action.params.parentGroupId, id)).already);
    } catch (error) {
      outcomes[action.key] = failed(state, action, error);
    }
  }
  await state.save(outcomes);
}

/** 20 per request; a refused request (someone already a member, say) is done one by one. */
async function addMembers(directory: DirectoryClient, groupId: string, chunk: { action: JoinLicenceGroup; id: string }[], state: BulkState, outcomes: Outcomes): Promise<string[]> {
  try {
    await directory.addGroupMembers(groupId, chunk.map((m) => m.id));
    return chunk.map((m) => m.action.key);
  } catch (error) {
    if (!isAppError(error) || error.status === undefined || error.status >= 500 || error.status === 429) throw error;
  }
  const added: string[] = [];
  for (const { action, id } of chunk) {
    try {
      await directory.addGroupMember(groupId, id);
      added.push(action.key);
    } catch (error) {
      outcomes[action.key] = failed(state, action, error);
    }
  }
  return added;
}

/** The user's licence from the group, as Entra shows it now: Active (any source), an error from this group, or not yet. */
function licenceState(user: BulkUser | undefined, skuId: string, groupId: string): { state: 'active' } | { state: 'error'; error: string } | { state: 'pending' } {
  const states = (user?.licenceStates ?? []).filter((s) => s.skuId === skuId.toLowerCase());
  if (states.some((s) => s.state === 'Active' || s.state === 'ActiveWithError')) return { state: 'active' };
  const error = states.find((s) => s.state === 'Error' && (s.assignedByGroup === null || s.assignedByGroup === groupId));
  return error ? { state: 'error', error: error.error ?? 'Other' } : { state: 'pending' };
}

function licenceError(action: JoinLicenceGroup, error: string): AppError {
  const vars = { user: action.target.userPrincipalName, sku: skuDisplayName(action.params), group: action.params.groupName };
  return error === 'CountViolation' ? coded('license_no_free_seats', 'errGroupLicenceSeats', vars) : coded('service_error', 'errGroupLicenceError', { ...vars, error });
}

export async function joinLicenceGroups(state: BulkState, actions: JoinLicenceGroup[]): Promise<void> {
  const { directory } = state.context.clients;
  const { now } = state.context;
  const first: Outcomes = {};
  const targets = await entraIds(state, notBlocked(state, actions, first), first);
  await state.save(first);
  const byGroup = new Map<string, typeof targets>();
  for (const t of targets) {
    const name = t.action.params.groupName.toLowerCase();
    const members = byGroup.get(name);
    if (members) members.push(t);
    else byGroup.set(name, [t]);
  }
  for (const members of byGroup.values()) {
    const { groupName, groupId: planned } = members[0].action.params;
    let groupId: string;
    try {
      groupId = await groupIdOf(state, groupName, planned);
    } catch (error) {
      const outcomes: Outcomes = {};
      for (const { action } of members) outcomes[action.key] = failed(state, action, error);
      await state.save(outcomes);
      continue;
    }
    // Who is in the group already (a restart, or a group chosen by name) is not added again.
    const present = await directory.directMemberIds(groupId);
    const joinedAt = new Map<string, number>();
    const toAdd = members.filter((m) => !present.has(m.id));
    for (const m of members) if (present.has(m.id)) joinedAt.set(m.action.key, now());
    await streamed(state, toAdd, GROUP_LINK_LIMIT, GROUP_CONCURRENCY, async (chunk, outcomes) => {
      for (const key of await addMembers(directory, groupId, chunk, state, outcomes)) joinedAt.set(key, now());
    });
    await reprocessFailed(state, members.filter((m) => present.has(m.id)), groupId, joinedAt);
    const waiting = members.filter((m) => joinedAt.has(m.action.key));
    const started = now();
    const wait = await waitForLicences(state, waiting, groupId, joinedAt);
    state.context.logger.info({ group: groupName, members: waiting.length, waitedMs: now() - started, ...wait }, 'waited for Entra to license the group members');
  }
}

/**
 * Members already in the group whose licence Entra could not assign (a retry after seats were
 * freed): Entra is asked to process them again (`reprocessLicenseAssignment`, 20 per `$batch`),
 * and they are waited for like new members.
 */
async function reprocessFailed(state: BulkState, present: { action: JoinLicenceGroup; id: string }[], groupId: string, joinedAt: Map<string, number>): Promise<void> {
  if (present.length === 0) return;
  const { clients, now } = state.context;
  const read = await lookUpUsers(clients.directory, { upns: present.map((m) => m.action.target.userPrincipalName), licenceStates: true });
  const failedBefore = present.filter((m) => licenceState(read.byUpn.get(upnOf(m.action)), m.action.params.skuId, groupId).state === 'error');
  if (failedBefore.length === 0) return;
  const results = await clients.directory.batch(failedBefore.map((m, i) => DirectoryClient.reprocessLicenceItem(String(i), m.id)));
  const outcomes: Outcomes = {};
  results.forEach((result, i) => {
    const m = failedBefore[i];
    if (result.error) {
      outcomes[m.action.key] = failed(state, m.action, result.error);
      joinedAt.delete(m.action.key);
    } else joinedAt.set(m.action.key, now());
  });
  await state.save(outcomes);
}

/**
 * The wait between two reads of licence states: `minMs` at first and after a read that saw
 * progress, twice the last after a read that saw none, never more than `maxMs`. Entra gives no
 * figure beyond "within minutes", so the run neither hammers the directory while nothing changes
 * nor sleeps long once members are being licensed.
 */
export class PollBackoff {
  private last = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {}

  /** The wait before the next read, given whether the read just made saw progress. */
  next(progressed: boolean): number {
    this.last = progressed || this.last === 0 ? this.minMs : Math.min(this.last * 2, Math.max(this.minMs, this.maxMs));
    return this.last;
  }
}

/** What waiting for the members' licences took: reads of licence states and the time between. */
export interface LicenceWait {
  rounds: number;
  /** Users read over all rounds (each round reads only who is still waiting). */
  usersRead: number;
  sleptMs: number;
}

/**
 * Polls the licence states of the members still waiting (one bulk read per round, 300 users per
 * request; who is settled is not read again) until each shows the group's licence Active or an
 * error, or the run's wait for the Sales environment (`addUserTimeoutMs`) has passed. Between
 * rounds it backs off (PollBackoff). Each done member records how long it waited.
 */
async function waitForLicences(state: BulkState, members: { action: JoinLicenceGroup; id: string }[], groupId: string, joinedAt: Map<string, number>): Promise<LicenceWait> {
  const { clients, settings, sleep, now } = state.context;
  const waiting = new Map(members.map((m) => [m.action.key, m]));
  const start = now();
  const deadline = start + settings.addUserTimeoutMs;
  const backoff = new PollBackoff(settings.pollMs, settings.pollMaxMs ?? settings.pollMs * 8);
  const wait: LicenceWait = { rounds: 0, usersRead: 0, sleptMs: 0 };
  while (waiting.size > 0 && !state.stopped()) {
    wait.rounds++;
    wait.usersRead += waiting.size;
    const read = await lookUpUsers(clients.directory, { upns: [...waiting.values()].map((m) => m.action.target.userPrincipalName), licenceStates: true });
    const outcomes: Outcomes = {};
    for (const [key, m] of waiting) {
      const seen = licenceState(read.byUpn.get(upnOf(m.action)), m.action.params.skuId, groupId);
      if (seen.state === 'pending') continue;
      if (seen.state === 'active') {
        const waitedMs = Math.max(0, now() - (joinedAt.get(key) ?? start));
        outcomes[key] = { ...done(state), ...(waitedMs > 0 ? { waitedMs } : {}) };
      } else outcomes[key] = failed(state, m.action, licenceError(m.action, seen.error));
      waiting.delete(key);
    }
    await state.save(outcomes);
    if (waiting.size === 0) return wait;
    const left = deadline - now();
    if (left <= 0) {
      const late: Outcomes = {};
      for (const [key, m] of waiting) {
        late[key] = failed(state, m.action, coded('service_timeout', 'errGroupLicenceTimeout', { user: m.action.target.userPrincipalName, group: m.action.params.groupName, seconds: String(Math.round(settings.addUserTimeoutMs / 1000)) }));
      }
      await state.save(late);
      return wait;
    }
    // The last read comes at the deadline, not a back-off later.
    const ms = Math.min(backoff.next(Object.keys(outcomes).length > 0), left);
    wait.sleptMs += ms;
    await sleep(ms);
  }
  return wait;
}
