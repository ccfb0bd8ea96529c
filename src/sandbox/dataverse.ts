/** Dataverse Web API v9.2 subset: WhoAmI, RetrieveOrganizationResources, reads, systemuser updates, role (dis)association. */
import { type Ctx, state } from './context';
import { dataverseError } from './errors';
import { HttpError, decodeSegment, isGuid, isObject, jsonBody, type SbReply, type SbRequest } from './http';
import { ENTITY_SETS, DV_PREFIX, dvOk, notFound, readCollection, readOne, roleRow, systemUserRow, type EntitySet } from './dataverseQuery';
import { expandView } from './dataverseCache';
import { DEFAULT_NON_INTERACTIVE_LIMIT, nonInteractiveCount, nonInteractiveLimit, retrieveOrganizationResources } from './dataverseLimits';
import { syncDataverse, touchSystemUser } from './dataverseSync';
import type { Association, SandboxState, SystemUser } from './state';

const PATH = /^\/([A-Za-z_]+)(?:\(([^)]*)\))?(?:\/(.*))?$/;

function body(req: SbRequest): Record<string, unknown> {
  const b = jsonBody(req, '0x80060888', 'The request body is not valid JSON.');
  if (!isObject(b)) throw new HttpError(400, '0x80060888', 'The request body must be a JSON object.');
  return b;
}

function keyOf(raw: string): string {
  const k = decodeSegment(raw).replace(/^\{|\}$/g, '');
  if (!isGuid(k)) throw new HttpError(400, '0x80060888', `Bad Request - Error in query syntax. The key '${decodeSegment(raw)}' is not a valid Guid.`);
  return k.toLowerCase();
}

function findSystemUser(s: SandboxState, id: string): SystemUser {
  const u = s.dataverse.systemUsers.find((x) => x.systemuserid === id);
  if (!u) throw notFound('systemuser', id);
  return u;
}

function whoAmI(ctx: Ctx, req: SbRequest): SbReply {
  const s = state(ctx);
  const caller = findSystemUser(s, s.dataverse.callerId);
  return dvOk(200, {
    '@odata.context': `${req.origin}${DV_PREFIX}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
    BusinessUnitId: caller.businessunitid,
    UserId: caller.systemuserid,
    OrganizationId: s.dataverse.organizationId,
  });
}

const PATCHABLE = new Set(['accessmode', 'isintegrationuser', 'firstname', 'lastname', 'title', 'internalemailaddress', 'businessunitid@odata.bind']);

function updateSystemUser(ctx: Ctx, req: SbRequest, id: string): SbReply {
  const s = state(ctx);
  const su = findSystemUser(s, id);
  const b = body(req);
  for (const k of Object.keys(b)) {
    if (k === '@odata.type' || k === '@odata.etag') continue;
    if (!PATCHABLE.has(k)) {
      const known = k in systemUserRow(su);
      throw new HttpError(400, '0x80060888', known
        ? `The property '${k}' of 'Microsoft.Dynamics.CRM.systemuser' cannot be updated.`
        : `Invalid property '${k}' was found in entity 'Microsoft.Dynamics.CRM.systemuser'.`);
    }
  }
  const next: SystemUser = { ...su };
  if (b.accessmode !== undefined) {
    if (typeof b.accessmode !== 'number' || !Number.isInteger(b.accessmode) || b.accessmode < 0 || b.accessmode > 5) {
      throw new HttpError(400, '0x80044331', `A validation error occurred. The value ${JSON.stringify(b.accessmode)} of 'accessmode' on record of type 'systemuser' is outside the valid range.`);
    }
    if (b.accessmode === 4 && su.accessmode !== 4 && su.applicationid === null) {
      const limit = nonInteractiveLimit(s) ?? DEFAULT_NON_INTERACTIVE_LIMIT;
      if (nonInteractiveCount(s) >= limit) {
        throw new HttpError(400, '0x80044186',
          `The maximum number of non-interactive users (${limit}) in this environment has been reached. Change an existing non-interactive user to another access mode before making this user non-interactive.`);
      }
    }
    next.accessmode = b.accessmode;
  }
  if (b.isintegrationuser !== undefined) {
    if (typeof b.isintegrationuser !== 'boolean') throw new HttpError(400, '0x80060888', "The value of 'isintegrationuser' must be a boolean.");
    next.isintegrationuser = b.isintegrationuser;
  }
  for (const k of ['firstname', 'lastname', 'title', 'internalemailaddress'] as const) {
    const v = b[k];
    if (v === undefined) continue;
    if (v !== null && typeof v !== 'string') throw new HttpError(400, '0x80060888', `The value of '${k}' must be a string.`);
    next[k] = v;
    if (k === 'firstname' || k === 'lastname') next.fullname = [next.firstname, next.lastname].filter(Boolean).join(' ');
  }
  const bind = b['businessunitid@odata.bind'];
  if (bind !== undefined) {
    const m = typeof bind === 'string' ? /businessunits\(([0-9a-fA-F-]{36})\)\s*$/.exec(bind) : null;
    if (!m) throw new HttpError(400, '0x80060888', `The value of 'businessunitid@odata.bind' is not a valid businessunits reference.`);
    const buId = m[1].toLowerCase();
    if (!s.dataverse.businessUnits.some((x) => x.businessunitid === buId)) throw notFound('businessunit', buId);
    if (buId !== su.businessunitid) {
      next.businessunitid = buId;
      // moving a user to another business unit removes the security roles it held
      s.dataverse.userRoles = s.dataverse.userRoles.filter((a) => a.ownerid !== su.systemuserid);
    }
  }
  touchSystemUser(next, ctx.now());
  s.dataverse.systemUsers[s.dataverse.systemUsers.indexOf(su)] = next;
  ctx.store.touch();
  if (/return=representation/i.test(req.headers.prefer ?? '')) {
    return readOne(s, req, ENTITY_SETS.systemusers, systemUserRow(next));
  }
  return dvOk(204, undefined, { 'OData-EntityId': `${req.origin}${DV_PREFIX}/systemusers(${next.systemuserid})` });
}

function roleIdFromRef(ref: unknown): string {
  const m = typeof ref === 'string' ? /roles\(([0-9a-fA-F-]{36})\)\s*$/.exec(ref) : null;
  if (!m) throw new HttpError(400, '0x80060888', "The '@odata.id' of the reference must name a role, e.g. '<base>/roles(<roleid>)'.");
  return m[1].toLowerCase();
}

interface Owner {
  kind: 'systemuser' | 'team';
  id: string;
  businessunitid: string;
  disabled: boolean;
  links(s: SandboxState): Association[];
  setLinks(s: SandboxState, v: Association[]): void;
}

function ownerOf(s: SandboxState, set: string, id: string): Owner {
  if (set === 'systemusers') {
    const u = findSystemUser(s, id);
    return { kind: 'systemuser', id, businessunitid: u.businessunitid, disabled: u.isdisabled, links: (x) => x.dataverse.userRoles, setLinks: (x, v) => (x.dataverse.userRoles = v) };
  }
  const t = s.dataverse.teams.find((x) => x.teamid === id);
  if (!t) throw notFound('team', id);
  return { kind: 'team', id, businessunitid: t.businessunitid, disabled: false, links: (x) => x.dataverse.teamRoles, setLinks: (x, v) => (x.dataverse.teamRoles = v) };
}

function associate(ctx: Ctx, req: SbRequest, set: string, id: string): SbReply {
  const s = state(ctx);
  const owner = ownerOf(s, set, id);
  const roleId = roleIdFromRef(body(req)['@odata.id']);
  const role = s.dataverse.roles.find((r) => r.roleid === roleId);
  if (!role) throw notFound('role', roleId);
  if (owner.disabled) {
    throw new HttpError(400, '0x80040225',
      `Security roles can only be assigned to enabled users. The user (Id = ${id}) is disabled; enable the user before assigning roles.`);
  }
  if (role.businessunitid !== owner.businessunitid) {
    throw new HttpError(400, '0x80060888',
      `The role (Id = ${roleId}) is from a different business unit (${role.businessunitid}) than the ${owner.kind} (business unit ${owner.businessunitid}). Assign the copy of the role that belongs to the ${owner.kind}'s business unit.`);
  }
  if (!owner.links(s).some((a) => a.ownerid === id && a.roleid === roleId)) {
    owner.links(s).push({ ownerid: id, roleid: roleId });
    const su = s.dataverse.systemUsers.find((u) => u.systemuserid === id);
    if (su) touchSystemUser(su, ctx.now());
    ctx.store.touch();
  }
  return dvOk(204);
}

function disassociate(ctx: Ctx, req: SbRequest, set: string, id: string, keyInPath: string | null): SbReply {
  const s = state(ctx);
  const owner = ownerOf(s, set, id);
  const roleId = keyInPath !== null ? keyOf(keyInPath) : roleIdFromRef(req.query.get('$id'));
  const before = owner.links(s);
  const after = before.filter((a) => !(a.ownerid === id && a.roleid === roleId));
  if (after.length !== before.length) {
    owner.setLinks(s, after);
    const su = s.dataverse.systemUsers.find((u) => u.systemuserid === id);
    if (su) touchSystemUser(su, ctx.now());
    ctx.store.touch();
  }
  return dvOk(204);
}

/**
 * Team membership: `AddMembersTeam` bound to a team (Learn, Web API reference "AddMembersTeam
 * Action": parameter `Members`, Collection(systemuser); no return value), and the members read
 * through `teammembership_association`. A default business-unit team's members are the unit's
 * users: Dataverse keeps them itself, so adding to one is refused (the error code is unverified).
 */
function teamRoute(ctx: Ctx, req: SbRequest, set: string, key: string, nav: string): SbReply | undefined {
  const s = state(ctx);
  if (set !== 'teams') return undefined;
  const team = s.dataverse.teams.find((t) => t.teamid === key)!;
  if (nav === 'teammembership_association' && req.method === 'GET') {
    const ids = new Set((s.dataverse.teamMembers ?? []).filter((m) => m.teamid === key).map((m) => m.systemuserid));
    return readCollection(s, req, ENTITY_SETS.systemusers, s.dataverse.systemUsers.filter((u) => ids.has(u.systemuserid)).map(systemUserRow));
  }
  if (nav !== 'Microsoft.Dynamics.CRM.AddMembersTeam') return undefined;
  if (req.method !== 'POST') throw new HttpError(405, '0x80060888', `The HTTP method '${req.method}' is not allowed for AddMembersTeam.`);
  const body = jsonBody(req, '0x80048d19', 'Error identified in Payload provided by the user for Entity :\'team\'.');
  const members = isObject(body) && Array.isArray(body.Members) ? body.Members : null;
  if (!members || members.length === 0) throw new HttpError(400, '0x80040203', "Required field 'Members' is missing or empty.");
  if (team.isdefault) throw new HttpError(400, '0x80041d1f', "You can't add members to the default business unit team.");
  const ids: string[] = [];
  for (const m of members) {
    const id = isObject(m) && typeof m.systemuserid === 'string' ? m.systemuserid.toLowerCase() : null;
    if (!id || !isGuid(id)) throw new HttpError(400, '0x80040203', 'Each member must be a systemuser with its systemuserid.');
    const user = s.dataverse.systemUsers.find((u) => u.systemuserid === id);
    if (!user) throw notFound('systemuser', id);
    ids.push(id);
  }
  const list = (s.dataverse.teamMembers ??= []);
  for (const id of ids) if (!list.some((m) => m.teamid === key && m.systemuserid === id)) list.push({ teamid: key, systemuserid: id });
  ctx.store.touch();
  return dvOk(204);
}

const ASSOCIATIONS: Record<string, string> = { systemusers: 'systemuserroles_association', teams: 'teamroles_association' };

function route(ctx: Ctx, req: SbRequest, path: string): SbReply {
  const s = state(ctx);
  if (/^\/WhoAmI(\(\))?$/.test(path)) {
    if (req.method !== 'GET') throw new HttpError(405, '0x80060888', `The HTTP method '${req.method}' is not allowed for WhoAmI.`);
    return whoAmI(ctx, req);
  }
  if (/^\/RetrieveOrganizationResources(\(\))?$/.test(path)) {
    if (req.method !== 'GET') throw new HttpError(405, '0x80060888', `The HTTP method '${req.method}' is not allowed for RetrieveOrganizationResources.`);
    return retrieveOrganizationResources(ctx, req);
  }
  const m = PATH.exec(path);
  const es: EntitySet | undefined = m ? ENTITY_SETS[m[1]] : undefined;
  if (!m || !es) {
    const seg = decodeSegment(path.split('/').filter(Boolean)[0] ?? '');
    throw new HttpError(404, '0x8006088a', `Resource not found for the segment '${seg}'.`);
  }
  const key = m[2] !== undefined ? keyOf(m[2]) : null;
  const nav = m[3];
  const method = req.method;
  if (key === null) {
    if (nav !== undefined) throw new HttpError(400, '0x80060888', 'Bad Request - Error in query syntax.');
    if (method === 'GET') return readCollection(expandView(ctx, req, s), req, es);
    throw new HttpError(405, '0x80060888', `The HTTP method '${method}' is not supported for the entity set '${es.set}'.`);
  }
  const row = es.rows(s).find((r) => r[es.key] === key);
  if (!row) throw notFound(es.entity, key);
  if (nav === undefined) {
    if (method === 'GET') return readOne(expandView(ctx, req, s), req, es, row);
    if (method === 'PATCH' && es.set === 'systemusers') return updateSystemUser(ctx, req, key);
    throw new HttpError(405, '0x80060888', `The HTTP method '${method}' is not supported for '${es.entity}'.`);
  }
  const team = teamRoute(ctx, req, es.set, key, nav);
  if (team) return team;
  const assoc = ASSOCIATIONS[es.set];
  const navMatch = assoc ? new RegExp(`^${assoc}(?:\\(([^)]*)\\))?(/\\$ref)?$`).exec(nav) : null;
  if (!assoc || !navMatch) {
    throw new HttpError(400, '0x80060888', `Could not find a property named '${decodeSegment(nav.split('/')[0])}' on type 'Microsoft.Dynamics.CRM.${es.entity}'.`);
  }
  const isRef = navMatch[2] !== undefined;
  const navKey = navMatch[1] ?? null;
  if (!isRef && navKey === null && method === 'GET') {
    const ids = new Set((es.set === 'systemusers' ? s.dataverse.userRoles : s.dataverse.teamRoles).filter((a) => a.ownerid === key).map((a) => a.roleid));
    return readCollection(s, req, ENTITY_SETS.roles, s.dataverse.roles.filter((r) => ids.has(r.roleid)).map(roleRow));
  }
  if (isRef && navKey === null && method === 'POST') return associate(ctx, req, es.set, key);
  if (isRef && method === 'DELETE') return disassociate(ctx, req, es.set, key, navKey);
  throw new HttpError(405, '0x80060888', `The HTTP method '${method}' is not supported for '${nav}'.`);
}

/**
 * Handles one Dataverse request (path under /dataverse/api/data/v9.2); errors in Dataverse's format.
 * The directory sync runs first; the operations of one `$batch` share the sync done before the batch
 * (`synced`), since nothing in a batch changes the directory.
 */
export function handleDataverse(ctx: Ctx, req: SbRequest, synced = false): SbReply {
  const path = req.path.startsWith(DV_PREFIX) ? req.path.slice(DV_PREFIX.length) : req.path;
  try {
    if (!synced) syncDataverse(ctx);
    return route(ctx, req, path);
  } catch (err) {
    if (err instanceof HttpError) return dataverseError(err.status, err.code, err.message, err.headers);
    throw err;
  }
}
