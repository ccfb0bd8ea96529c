/**
 * Graph groups: read, members (direct) and transitiveMembers, add a member by reference, add up to
 * 20 members with `members@odata.bind`, and the environment-security-group rule shared by
 * background sync and BAP addUser.
 *
 * Sources: Learn "Add members" (group-post-members): `POST /groups/{id}/members/$ref` with
 * `{"@odata.id": ".../directoryObjects/{id}"}` answers 204; 400 when the object is already a
 * member; 404 when the object does not exist; `PATCH /groups/{id}` with `members@odata.bind` adds
 * up to 20 in one request and, when anything in the body is wrong, adds none.
 * The 400 text "One or more added object references already exist for the following modified
 * properties: 'members'." and the over-20 text "A resource cannot contain more than 20 link
 * changes" are Graph's (quoted in microsoftgraph/microsoft-graph-docs issue 6016 and in Microsoft's
 * own Microsoft365DSC, which matches on the first); the codes are Request_BadRequest.
 */
import { type Ctx, state } from './context';
import { HttpError, decodeSegment, isObject, uuid, type SbReply, type SbRequest } from './http';
import { type GraphEntity, contextUrl, graphEntity, graphList, graphOk } from './graphQuery';
import { USER, USER_DEFAULT_PROPS, body, userRow } from './graphUserModel';
import type { Group, PowerPlatformEnvironment, SandboxState } from './state';
import { assignGroupLicense, queueMembers } from './graphLicensing';
import { memberSet, transitiveMembers, userById } from './graphIndex';

export const MAX_LINK_CHANGES = 20;
export const ALREADY_MEMBER = "One or more added object references already exist for the following modified properties: 'members'.";

export const GROUP: GraphEntity = {
  entity: 'microsoft.graph.group',
  schema: {
    id: 'string', displayName: 'string', description: 'string', mailNickname: 'string', mailEnabled: 'bool', securityEnabled: 'bool',
    groupTypes: 'string', assignedLicenses: 'string', createdDateTime: 'datetime',
  },
  filterable: new Set(['id', 'displayName', 'mailNickname', 'mailEnabled', 'securityEnabled']),
  orderable: new Set(['displayName']),
  // assignedLicenses is returned only on $select (Learn "group resource type").
  defaults: ['id', 'displayName', 'description', 'mailNickname', 'mailEnabled', 'securityEnabled', 'groupTypes', 'createdDateTime'],
};

export function groupRow(g: Group): Record<string, unknown> {
  return {
    id: g.id, displayName: g.displayName, description: g.description, mailNickname: g.mailNickname, mailEnabled: g.mailEnabled, securityEnabled: g.securityEnabled,
    groupTypes: [...(g.groupTypes ?? [])], createdDateTime: g.createdDateTime ?? null,
    assignedLicenses: (g.assignedLicenses ?? []).map((l) => ({ disabledPlans: [...l.disabledPlans], skuId: l.skuId })),
  };
}

const notFound = (id: string) =>
  new HttpError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

export function findGroup(ctx: Ctx, segment: string): Group {
  const id = decodeSegment(segment).toLowerCase();
  const g = state(ctx).graph.groups.find((x) => x.id === id);
  if (!g) throw notFound(id);
  return g;
}

/** Every object in the group, through nested groups (each group visited once). */
export function transitiveMemberIds(s: SandboxState, groupId: string): ReadonlySet<string> {
  const id = groupId.toLowerCase();
  const g = s.graph.groups.find((x) => x.id === id);
  return g ? transitiveMembers(s, g) : new Set();
}

export function isTransitiveMember(s: SandboxState, groupId: string, objectId: string): boolean {
  return transitiveMemberIds(s, groupId).has(objectId.toLowerCase());
}

/** The BAP environment that holds this sandbox's Dataverse organisation. */
export function dataverseEnvironment(s: SandboxState): PowerPlatformEnvironment | undefined {
  return s.bap.environments.find((e) => e.dataverseOrg === s.dataverse.organizationName) ?? s.bap.environments[0];
}

/**
 * Learn "Control user access to environments: security groups and licenses": with a security
 * group, only its members are created as users; members of a nested group are not pre-provisioned
 * (they join when they first open the environment, or by force sync); users removed from the group
 * are disabled. Application users are not subject to it.
 */
export const environmentAdmits = {
  /** Background sync creates a user only for a direct member. */
  bySync(s: SandboxState, env: PowerPlatformEnvironment | undefined, userId: string): boolean {
    if (!env?.securityGroupId) return true;
    const g = s.graph.groups.find((x) => x.id === env.securityGroupId);
    return !!g && memberSet(g).has(userId.toLowerCase());
  },
  /** A user stays enabled, and addUser (force sync) adds them, when they are a member through any nesting. */
  asMember(s: SandboxState, env: PowerPlatformEnvironment | undefined, userId: string): boolean {
    if (!env?.securityGroupId) return true;
    return isTransitiveMember(s, env.securityGroupId, userId);
  },
};

function directoryObjectRows(s: SandboxState, ids: Iterable<string>): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const id of ids) {
    const u = userById(s, id);
    if (u) rows.push({ '@odata.type': '#microsoft.graph.user', ...userRow(u) });
    const g = s.graph.groups.find((x) => x.id === id);
    if (g) rows.push({ '@odata.type': '#microsoft.graph.group', ...groupRow(g) });
  }
  return rows;
}

export function listGroupMembers(ctx: Ctx, req: SbRequest, segment: string, transitive: boolean): SbReply {
  const s = state(ctx);
  const g = findGroup(ctx, segment);
  const rows = directoryObjectRows(s, transitive ? transitiveMemberIds(s, g.id) : g.members);
  return graphList(req, rows, { ...USER, defaults: USER_DEFAULT_PROPS }, 'directoryObjects', (r) => ({ '@odata.type': r['@odata.type'] }));
}

export function getGroup(ctx: Ctx, req: SbRequest, segment: string): SbReply {
  return graphEntity(req, groupRow(findGroup(ctx, segment)), GROUP, 'groups');
}

/** `https://graph.microsoft.com/v1.0/directoryObjects/{id}` (or users/…, groups/…) → the id. */
function referencedId(ref: unknown): string {
  const m = typeof ref === 'string' ? /\/(?:directoryObjects|users|groups)(?:\/|\(')([0-9a-fA-F-]{36})(?:'\))?\/?$/.exec(ref) : null;
  if (!m) throw new HttpError(400, 'Request_BadRequest', `Invalid object identifier '${typeof ref === 'string' ? ref.slice(0, 200) : String(ref)}'.`);
  return m[1].toLowerCase();
}

function referencedObject(s: SandboxState, id: string): void {
  if (!userById(s, id) && !s.graph.groups.some((g) => g.id === id)) throw notFound(id);
}

export function addMemberRef(ctx: Ctx, req: SbRequest, segment: string): SbReply {
  const s = state(ctx);
  const g = findGroup(ctx, segment);
  const b = body(req);
  if (!isObject(b) || !('@odata.id' in b)) throw new HttpError(400, 'Request_BadRequest', "The request body must hold '@odata.id', the reference to the directory object to add.");
  const id = referencedId(b['@odata.id']);
  referencedObject(s, id);
  if (memberSet(g).has(id)) throw new HttpError(400, 'Request_BadRequest', ALREADY_MEMBER);
  g.members.push(id);
  queueMembers(ctx, g, [id]);
  ctx.store.touch();
  return graphOk(req, 204);
}

const PATCHABLE = new Set(['displayName', 'description', 'members@odata.bind']);

export function updateGroup(ctx: Ctx, req: SbRequest, segment: string): SbReply {
  const s = state(ctx);
  const g = findGroup(ctx, segment);
  const b = body(req);
  if (!isObject(b)) throw new HttpError(400, 'Request_BadRequest', 'The request body must be a JSON object.');
  const unknown = Object.keys(b).find((k) => !PATCHABLE.has(k));
  if (unknown !== undefined) throw new HttpError(400, 'Request_BadRequest', `Invalid property '${unknown}'.`);
  const binds = b['members@odata.bind'];
  let add: string[] = [];
  if (binds !== undefined) {
    if (!Array.isArray(binds)) throw new HttpError(400, 'Request_BadRequest', "'members@odata.bind' must be an array of directory object references.");
    if (binds.length > MAX_LINK_CHANGES) throw new HttpError(400, 'Request_BadRequest', `A resource cannot contain more than ${MAX_LINK_CHANGES} link changes`);
    add = binds.map(referencedId);
    // Anything wrong and nothing is added.
    for (const id of add) referencedObject(s, id);
    if (new Set(add).size !== add.length || add.some((id) => memberSet(g).has(id))) throw new HttpError(400, 'Request_BadRequest', ALREADY_MEMBER);
  }
  for (const key of ['displayName', 'description'] as const) {
    if (b[key] === undefined) continue;
    if (typeof b[key] !== 'string') throw new HttpError(400, 'Request_BadRequest', `Invalid value for property '${key}'.`);
  }
  if (typeof b.displayName === 'string') g.displayName = b.displayName;
  if (typeof b.description === 'string') g.description = b.description;
  g.members.push(...add);
  queueMembers(ctx, g, add);
  ctx.store.touch();
  return graphOk(req, 204);
}

export function groupAssignLicense(ctx: Ctx, req: SbRequest, segment: string): SbReply {
  return assignGroupLicense(ctx, req, findGroup(ctx, segment), body(req));
}

/** ASCII 0–127 except @ () \ [] " ; : . <> , and space (Learn "Create group", mailNickname). */
const MAIL_NICKNAME = /^[\x21-\x7e]{1,64}$/;
const NICKNAME_FORBIDDEN = /[@()\\[\]";:.<>,\s]/;
const CREATABLE = new Set(['displayName', 'description', 'mailEnabled', 'mailNickname', 'securityEnabled', 'groupTypes', 'members@odata.bind', 'owners@odata.bind']);

/**
 * `POST /groups` (Learn "Create group", graph/api/group-post-groups): displayName (≤ 256),
 * mailEnabled, mailNickname (≤ 64, ASCII without the listed characters) and securityEnabled are
 * required; `groupTypes` [] is a security group; members and owners may be bound at creation,
 * "a maximum of 20 relationships". 201 with the group's default properties. A mailNickname need
 * be unique only for Microsoft 365 groups. The sandbox refuses a mail-enabled group that is not a
 * Microsoft 365 group (mail-enabled security groups cannot be created through Graph; the text is
 * unverified).
 */
export function createGroup(ctx: Ctx, req: SbRequest): SbReply {
  const s = state(ctx);
  const b = body(req);
  if (!isObject(b)) throw new HttpError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
  const unknown = Object.keys(b).find((k) => !CREATABLE.has(k) && !k.startsWith('@odata.'));
  if (unknown !== undefined) throw new HttpError(400, 'Request_BadRequest', `Property '${unknown}' is read-only or does not exist on type 'microsoft.graph.group'.`);
  const invalid = (prop: string) => new HttpError(400, 'Request_BadRequest', `Invalid value specified for property '${prop}' of resource 'Group'.`);
  if (typeof b.displayName !== 'string' || !b.displayName.trim() || b.displayName.length > 256) throw invalid('displayName');
  if (typeof b.mailEnabled !== 'boolean') throw invalid('mailEnabled');
  if (typeof b.securityEnabled !== 'boolean') throw invalid('securityEnabled');
  if (typeof b.mailNickname !== 'string' || !MAIL_NICKNAME.test(b.mailNickname) || NICKNAME_FORBIDDEN.test(b.mailNickname)) throw invalid('mailNickname');
  if (b.description !== undefined && b.description !== null && typeof b.description !== 'string') throw invalid('description');
  const groupTypes = b.groupTypes ?? [];
  if (!Array.isArray(groupTypes) || groupTypes.some((t) => t !== 'Unified' && t !== 'DynamicMembership')) throw invalid('groupTypes');
  const unified = groupTypes.includes('Unified');
  if (b.mailEnabled && !unified) throw new HttpError(400, 'Request_BadRequest', 'Only Microsoft 365 groups can be mail enabled when created through Microsoft Graph.');
  if (unified && s.graph.groups.some((g) => g.groupTypes?.includes('Unified') && g.mailNickname.toLowerCase() === String(b.mailNickname).toLowerCase())) {
    throw new HttpError(400, 'Request_BadRequest', 'Another object with the same value for property mailNickname already exists.');
  }
  const links = [b['members@odata.bind'], b['owners@odata.bind']];
  if (links.some((l) => l !== undefined && !Array.isArray(l))) throw new HttpError(400, 'Request_BadRequest', "'members@odata.bind' must be an array of directory object references.");
  const members = ((b['members@odata.bind'] as unknown[] | undefined) ?? []).map(referencedId);
  const owners = ((b['owners@odata.bind'] as unknown[] | undefined) ?? []).map(referencedId);
  if (members.length + owners.length > MAX_LINK_CHANGES) throw new HttpError(400, 'Request_BadRequest', `A resource cannot contain more than ${MAX_LINK_CHANGES} link changes`);
  for (const id of [...members, ...owners]) referencedObject(s, id);
  const g: Group = {
    id: uuid(),
    displayName: b.displayName,
    description: typeof b.description === 'string' ? b.description : null,
    mailNickname: b.mailNickname,
    mailEnabled: b.mailEnabled,
    securityEnabled: b.securityEnabled,
    groupTypes: groupTypes as string[],
    members: [...new Set(members)],
    createdDateTime: new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  s.graph.groups.push(g);
  ctx.store.touch();
  const row = groupRow(g);
  return graphOk(req, 201, { '@odata.context': contextUrl(req, 'groups/$entity'), ...Object.fromEntries(GROUP.defaults.map((k) => [k, row[k] ?? null])) }, {
    Location: `${req.origin}/graph/v1.0/groups/${g.id}`,
  });
}
