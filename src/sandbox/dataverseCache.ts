/**
 * Dataverse's cache of expanded collections. Learn "Join tables using OData" (query/join-tables):
 * "Queries which expand collection-valued navigation properties might return cached data for those
 * properties that doesn't reflect recent changes. It's recommended to use `If-None-Match` header
 * with value `null` to override browser caching."
 *
 * The model: a read that `$expand`s a role association (systemuserroles_association,
 * teamroles_association) without `If-None-Match: null` sees the associations as they were when
 * the cache was last filled, and the cache is filled again once it is `expandCacheMs` old (by the
 * sandbox's clock). How long Dataverse really keeps such data is not published; the setting is 0
 * (no cache) unless a test or `PATCH /_sandbox/settings` sets it.
 */
import type { Ctx } from './context';
import type { SbRequest } from './http';
import type { Association, SandboxState } from './state';

interface Snapshot {
  at: number;
  userRoles: Association[];
  teamRoles: Association[];
}

/** Per state object: a reset (a new state) empties the cache. */
const snapshots = new WeakMap<SandboxState, Snapshot>();

const CACHED_EXPANDS = /(^|[,(\s])(systemuserroles_association|teamroles_association)\b/;

/** Whether the request opts out of the cache: `If-None-Match: null`. */
export function bypassesCache(req: SbRequest): boolean {
  return /^\s*null\s*$/i.test(req.headers['if-none-match'] ?? '');
}

/** The state a GET is answered from: `s` itself, or `s` with the cached role associations. */
export function expandView(ctx: Ctx, req: SbRequest, s: SandboxState): SandboxState {
  const ttl = ctx.settings().expandCacheMs;
  if (!ttl || req.method !== 'GET' || bypassesCache(req)) return s;
  const expand = req.query.get('$expand');
  if (!expand || !CACHED_EXPANDS.test(expand)) return s;
  const now = ctx.now();
  let snap = snapshots.get(s);
  if (!snap || now - snap.at >= ttl) {
    snap = { at: now, userRoles: [...s.dataverse.userRoles], teamRoles: [...s.dataverse.teamRoles] };
    snapshots.set(s, snap);
  }
  return { ...s, dataverse: { ...s.dataverse, userRoles: snap.userRoles, teamRoles: snap.teamRoles } };
}
