import { coded, isAppError } from '../../../errors';
import type { Action } from '../../../setup/plan';
import { lookUpUsers } from '../../observe/directoryReads';
import { done, failed, notBlocked, streamed, upnOf, type BulkState, type Outcomes } from './phase';
import { GROUP_LINK_LIMIT } from '../../clients/graph/directory';

/**
 * The security-group phase of a bulk run: every user the plan adds to the environment's security
 * group, 20 per `PATCH /groups/{id}` with `members@odata.bind` (Learn "Add members", example 2),
 * before any of them is added to the Sales environment. Graph adds all 20 or none; when a request
 * is refused (one of them already a member, say, after a restart), its users are added one by one
 * with `POST /groups/{id}/members/$ref`, where "already a member" counts as done.
 */

type AddGroupMember = Extract<Action, { type: 'addGroupMember' }>;

/**
 * Requests in flight: writes to one group object are kept few (Microsoft does not publish how
 * many concurrent writes to one group Entra takes; unverified, so this stays conservative).
 */
const GROUP_CONCURRENCY = 4;

export async function addGroupMembers(state: BulkState, actions: AddGroupMember[]): Promise<void> {
  const { directory } = state.context.clients;
  const first: Outcomes = {};
  const todo = notBlocked(state, actions, first);
  const unknown = todo.filter((a) => !a.target.userId && !state.ids.has(upnOf(a))).map((a) => a.target.userPrincipalName);
  if (unknown.length > 0) {
    const found = await lookUpUsers(directory, { upns: unknown });
    for (const [upn, user] of found.byUpn) state.ids.set(upn, user.id);
  }
  const ready: { action: AddGroupMember; userId: string }[] = [];
  for (const action of todo) {
    const userId = action.target.userId?.toLowerCase() ?? state.ids.get(upnOf(action));
    if (userId) ready.push({ action, userId });
    else first[action.key] = failed(state, action, coded('not_found', 'errNoEntraAccount', { user: action.target.userPrincipalName }));
  }
  await state.save(first);
  const byGroup = new Map<string, typeof ready>();
  for (const item of ready) {
    const members = byGroup.get(item.action.params.groupId);
    if (members) members.push(item);
    else byGroup.set(item.action.params.groupId, [item]);
  }
  for (const [groupId, members] of byGroup) {
    await streamed(state, members, GROUP_LINK_LIMIT, GROUP_CONCURRENCY, async (chunk, outcomes) => {
      try {
        await directory.addGroupMembers(groupId, chunk.map((m) => m.userId));
        for (const { action } of chunk) outcomes[action.key] = done(state);
        return;
      } catch (error) {
        // A refused request added nobody; anything but a refusal (throttling, an outage) is the phase's failure.
        if (!isAppError(error) || error.status === undefined || error.status >= 500 || error.status === 429) throw error;
      }
      for (const { action, userId } of chunk) {
        try {
          outcomes[action.key] = done(state, (await directory.addGroupMember(groupId, userId)).already);
        } catch (error) {
          outcomes[action.key] = failed(state, action, error);
        }
      }
    });
  }
}
