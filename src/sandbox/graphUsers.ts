/** Graph /users: list, read, create, update, delete, assignLicense, licenseDetails, checkMemberGroups. */
import { isTransitiveMember } from './graphGroups';
import { badLicense, licenceToAdd, reprocessUser } from './graphLicensing';
import { type Ctx, consumedUnits, findGraphUser, state } from './context';
import { HttpError, decodeSegment, isGuid, isObject, type SbReply, type SbRequest, uuid } from './http';
import { graphEntity, graphList, graphOk, contextUrl, GRAPH_PREFIX } from './graphQuery';
import { USER, USER_DEFAULT_PROPS, applyUserWrite, body, userRow, userScalars } from './graphUserModel';
import type { GraphUser, LicenseAssignment } from './state';
import { parseFilter } from './odata';
import { equalityKeys } from './odataIndex';

/** The user named by a path segment: an object id or a UPN (a doubled '' stands for one '). */
export function userFromSegment(ctx: Ctx, segment: string): GraphUser {
  const key = decodeSegment(segment);
  const u = findGraphUser(state(ctx), key) ?? findGraphUser(state(ctx), key.replace(/''/g, "'"));
  if (!u) {
    throw new HttpError(404, 'Request_ResourceNotFound',
      `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`);
  }
  return u;
}

/** Properties a user row takes as they are on the user: a filter on one of them can narrow the users before rows are built. */
const DIRECT_KEYS = new Set<string>(['id', 'userPrincipalName', 'mail']);

/**
 * The users a list can answer with: when the filter asks for values of the id, the UPN or the
 * mail only (a bulk read), those users; else all of them. Only these become rows, so a read of
 * 300 users by UPN does not build a row for each of 20,000; the filter still decides each row.
 */
function usersToList(users: GraphUser[], filter: string | null): GraphUser[] {
  if (filter === null) return users;
  let keys: ReturnType<typeof equalityKeys>;
  try {
    keys = equalityKeys(parseFilter(filter));
  } catch {
    return users; // graphList answers the error
  }
  if (!keys || !DIRECT_KEYS.has(keys.prop)) return users;
  const prop = keys.prop as 'id' | 'userPrincipalName' | 'mail';
  return users.filter((u) => typeof u[prop] === 'string' && keys.values.has(u[prop].toLowerCase()));
}

export function listUsers(ctx: Ctx, req: SbRequest): SbReply {
  return graphList(req, usersToList(state(ctx).graph.users, req.query.get('$filter')).map(userRow), USER, 'users');
}

export function getUser(ctx: Ctx, req: SbRequest, id: string): SbReply {
  return graphEntity(req, userRow(userFromSegment(ctx, id)), USER, 'users');
}

export function createUser(ctx: Ctx, req: SbRequest): SbReply {
  const s = state(ctx);
  const blank: GraphUser = {
    id: uuid(), userPrincipalName: '', displayName: '', mailNickname: '', givenName: null, surname: null, mail: null, jobTitle: null,
    accountEnabled: false, usageLocation: null, createdDateTime: new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    userType: 'Member', passwordSet: false, forceChangePasswordNextSignIn: true, profile: {}, assignedLicenses: [],
  };
  const u = applyUserWrite(s, blank, body(req), true);
  s.graph.users.push(u);
  ctx.store.touch();
  return graphOk(req, 201, { '@odata.context': contextUrl(req, 'users/$entity'), ...project(u) }, {
    Location: `${req.origin}${GRAPH_PREFIX}/users/${u.id}`,
  });
}

/** The default property set of a user, as `userRow` has it, without building its licences for every create and licence answer. */
function project(u: GraphUser): Record<string, unknown> {
  const row = userScalars(u);
  return Object.fromEntries(USER_DEFAULT_PROPS.map((k) => [k, row[k] ?? null]));
}

export function updateUser(ctx: Ctx, req: SbRequest, id: string): SbReply {
  const s = state(ctx);
  const u = userFromSegment(ctx, id);
  const updated = applyUserWrite(s, u, body(req), false);
  s.graph.users[s.graph.users.indexOf(u)] = updated;
  ctx.store.touch();
  return graphOk(req, 204);
}

export function deleteUser(ctx: Ctx, req: SbRequest, id: string): SbReply {
  const s = state(ctx);
  const u = userFromSegment(ctx, id);
  s.graph.users = s.graph.users.filter((x) => x !== u);
  for (const g of s.graph.groups) g.members = g.members.filter((m) => m !== u.id);
  ctx.store.touch();
  return graphOk(req, 204);
}


export function assignLicense(ctx: Ctx, req: SbRequest, id: string): SbReply {
  const s = state(ctx);
  const u = userFromSegment(ctx, id);
  const b = body(req);
  if (!isObject(b)) throw new HttpError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
  const missing = ['addLicenses', 'removeLicenses'].filter((k) => !Array.isArray(b[k]));
  if (missing.length) {
    throw new HttpError(400, 'Request_BadRequest',
      `One or more parameters of the function import 'assignLicense' are missing from the request payload. The missing parameters are: ${missing.join(', ')}.`);
  }
  const adds = b.addLicenses as unknown[];
  const removes = b.removeLicenses as unknown[];
  const next: LicenseAssignment[] = [...u.assignedLicenses];
  for (const r of removes) {
    if (!isGuid(r)) throw badLicense(r);
    const i = next.findIndex((a) => a.skuId === r.toLowerCase());
    if (i < 0) throw new HttpError(400, 'Request_BadRequest', 'User does not have a corresponding license.');
    // A licence inherited from a group stays while the user is in the group (Learn "group-based licensing").
    if (next[i].direct === false) throw new HttpError(400, 'Request_BadRequest', 'User license is inherited from a group membership and it cannot be removed directly from the user.');
    if (next[i].viaGroups?.length) next[i] = { ...next[i], direct: false };
    else next.splice(i, 1);
  }
  if (adds.length && !u.usageLocation) {
    throw new HttpError(400, 'Request_BadRequest', 'License assignment cannot be done for user with invalid usage location.');
  }
  for (const a of adds) {
    const { sku, skuId, disabledPlans } = licenceToAdd(s, a);
    const existing = next.findIndex((x) => x.skuId === skuId);
    if (existing >= 0) {
      next[existing] = { ...next[existing], disabledPlans, direct: undefined };
      continue;
    }
    const held = u.assignedLicenses.some((x) => x.skuId === skuId);
    if (!held && sku.enabled - consumedUnits(s, sku) < 1) {
      throw new HttpError(400, 'Request_BadRequest', `Subscription with SKU ${skuId} does not have any available licenses.`);
    }
    const prior = u.assignedLicenses.find((x) => x.skuId === skuId);
    next.push({ skuId, disabledPlans, assignedAt: prior?.assignedAt ?? ctx.now() });
  }
  const updated: GraphUser = { ...u, assignedLicenses: next };
  s.graph.users[s.graph.users.indexOf(u)] = updated;
  ctx.store.touch();
  return graphOk(req, 200, { '@odata.context': contextUrl(req, 'users/$entity'), ...project(updated) });
}

export function reprocessLicenseAssignment(ctx: Ctx, req: SbRequest, id: string): SbReply {
  const u = userFromSegment(ctx, id);
  reprocessUser(ctx, u);
  return graphOk(req, 200, { '@odata.context': contextUrl(req, 'users/$entity'), ...project(u) });
}

export function licenseDetails(ctx: Ctx, req: SbRequest, id: string): SbReply {
  const s = state(ctx);
  const u = userFromSegment(ctx, id);
  const value = u.assignedLicenses.map((a) => {
    const sku = s.graph.skus.find((x) => x.skuId === a.skuId);
    return {
      id: Buffer.from(`${u.id}:${a.skuId}`).toString('base64url'),
      skuId: a.skuId,
      skuPartNumber: sku?.skuPartNumber ?? null,
      servicePlans: (sku?.servicePlans ?? []).map((p) => ({
        servicePlanId: p.servicePlanId,
        servicePlanName: p.servicePlanName,
        provisioningStatus: a.disabledPlans.includes(p.servicePlanId) ? 'Disabled' : 'Success',
        appliesTo: p.appliesTo,
      })),
    };
  });
  return graphOk(req, 200, { '@odata.context': contextUrl(req, `users('${u.id}')/licenseDetails`), value });
}

export function checkMemberGroups(ctx: Ctx, req: SbRequest, id: string): SbReply {
  const s = state(ctx);
  const u = userFromSegment(ctx, id);
  const b = body(req);
  if (!isObject(b) || !Array.isArray(b.groupIds) || b.groupIds.some((g) => typeof g !== 'string')) {
    throw new HttpError(400, 'Request_BadRequest', "One or more parameters of the function import 'checkMemberGroups' are missing from the request payload. The missing parameters are: groupIds.");
  }
  if (b.groupIds.length > 20) throw new HttpError(400, 'Request_BadRequest', 'The groupIds collection may hold at most 20 ids.');
  const ids = b.groupIds as string[];
  // Transitive, as Graph's checkMemberGroups is: a member of a nested group is a member.
  const value = ids.filter((gid) => s.graph.groups.some((g) => g.id === gid.toLowerCase()) && isTransitiveMember(s, gid, u.id));
  return graphOk(req, 200, { '@odata.context': contextUrl(req, 'Collection(Edm.String)'), value });
}
