/** Microsoft Graph v1.0 subset: route table, directory (SKUs, domains, organization); groups in graphGroups.ts. */
import { type Ctx, consumedUnits, state } from './context';
import { graphError } from './errors';
import { HttpError, Router, decodeSegment, type SbReply, type SbRequest } from './http';
import { type GraphEntity, graphEntity, graphList, GRAPH_PREFIX } from './graphQuery';
import { assignLicense, checkMemberGroups, createUser, deleteUser, getUser, licenseDetails, listUsers, reprocessLicenseAssignment, updateUser } from './graphUsers';
import { GROUP, addMemberRef, createGroup, getGroup, groupAssignLicense, groupRow, listGroupMembers, updateGroup } from './graphGroups';
import { processGroupLicences } from './graphLicensing';

function subscribedSkus(ctx: Ctx, req: SbRequest): SbReply {
  for (const k of req.query.keys()) {
    if (k.startsWith('$') && k !== '$select') {
      throw new HttpError(400, 'Request_UnsupportedQuery', `The query option '${k}' is not supported for subscribedSkus. Only $select is supported.`);
    }
  }
  const s = state(ctx);
  const rows = s.graph.skus.map((sku) => ({
    accountId: s.tenant.id,
    accountName: s.tenant.displayName,
    appliesTo: 'User',
    capabilityStatus: 'Enabled',
    consumedUnits: consumedUnits(s, sku),
    id: `${s.tenant.id}_${sku.skuId}`,
    prepaidUnits: { enabled: sku.enabled, lockedOut: 0, suspended: sku.suspended, warning: sku.warning },
    servicePlans: sku.servicePlans.map((p) => ({ servicePlanId: p.servicePlanId, servicePlanName: p.servicePlanName, provisioningStatus: 'Success', appliesTo: p.appliesTo })),
    skuId: sku.skuId,
    skuPartNumber: sku.skuPartNumber,
    subscriptionIds: [],
  }));
  const entity: GraphEntity = {
    entity: 'microsoft.graph.subscribedSku',
    schema: Object.fromEntries(Object.keys(rows[0] ?? { id: 1 }).map((k) => [k, 'string' as const])),
    filterable: new Set(),
    defaults: Object.keys(rows[0] ?? { id: 1 }),
  };
  return graphList(req, rows, entity, 'subscribedSkus');
}

function domains(ctx: Ctx, req: SbRequest, id?: string): SbReply {
  const rows = state(ctx).tenant.domains.map((d) => ({
    authenticationType: 'Managed',
    availabilityStatus: null,
    id: d.name,
    isAdminManaged: true,
    isDefault: d.isDefault,
    isInitial: d.isInitial,
    isRoot: true,
    isVerified: d.isVerified,
    supportedServices: d.isVerified ? ['Email', 'OfficeCommunicationsOnline'] : [],
  }));
  const entity: GraphEntity = {
    entity: 'microsoft.graph.domain',
    schema: { authenticationType: 'string', availabilityStatus: 'string', id: 'string', isAdminManaged: 'bool', isDefault: 'bool', isInitial: 'bool', isRoot: 'bool', isVerified: 'bool', supportedServices: 'string' },
    filterable: new Set(),
    defaults: Object.keys(rows[0]),
  };
  if (id === undefined) return graphList(req, rows, entity, 'domains');
  const d = rows.find((r) => r.id.toLowerCase() === decodeSegment(id).toLowerCase());
  if (!d) throw new HttpError(404, 'Request_ResourceNotFound', `Resource '${decodeSegment(id)}' does not exist or one of its queried reference-property objects are not present.`);
  return graphEntity(req, d, entity, 'domains');
}

function organization(ctx: Ctx, req: SbRequest): SbReply {
  const t = state(ctx).tenant;
  const row = {
    id: t.id,
    displayName: t.displayName,
    countryLetterCode: t.countryLetterCode,
    preferredLanguage: 'nb',
    tenantType: 'AAD',
    verifiedDomains: t.domains
      .filter((d) => d.isVerified)
      .map((d) => ({ capabilities: 'Email, OfficeCommunicationsOnline', isDefault: d.isDefault, isInitial: d.isInitial, name: d.name, type: 'Managed' })),
  };
  const entity: GraphEntity = {
    entity: 'microsoft.graph.organization',
    schema: Object.fromEntries(Object.keys(row).map((k) => [k, 'string' as const])),
    filterable: new Set(),
    defaults: Object.keys(row),
  };
  return graphList(req, [row], entity, 'organization');
}

type Handler = (ctx: Ctx, req: SbRequest, p: string[]) => SbReply | Promise<SbReply>;
const seg = '([^/]+)';
const router = new Router<Ctx>()
  .on('GET', /^\/users\/?$/, (ctx, req) => listUsers(ctx, req))
  .on('POST', /^\/users\/?$/, (ctx, req) => createUser(ctx, req))
  .on('GET', new RegExp(`^/users/${seg}$`), (ctx, req, p) => getUser(ctx, req, p[0]))
  .on('PATCH', new RegExp(`^/users/${seg}$`), (ctx, req, p) => updateUser(ctx, req, p[0]))
  .on('DELETE', new RegExp(`^/users/${seg}$`), (ctx, req, p) => deleteUser(ctx, req, p[0]))
  .on('POST', new RegExp(`^/users/${seg}/assignLicense$`), (ctx, req, p) => assignLicense(ctx, req, p[0]))
  .on('POST', new RegExp(`^/users/${seg}/reprocessLicenseAssignment$`), (ctx, req, p) => reprocessLicenseAssignment(ctx, req, p[0]))
  .on('GET', new RegExp(`^/users/${seg}/licenseDetails$`), (ctx, req, p) => licenseDetails(ctx, req, p[0]))
  .on('POST', new RegExp(`^/users/${seg}/checkMemberGroups$`), (ctx, req, p) => checkMemberGroups(ctx, req, p[0]))
  .on('GET', /^\/subscribedSkus\/?$/, (ctx, req) => subscribedSkus(ctx, req))
  .on('GET', /^\/domains\/?$/, (ctx, req) => domains(ctx, req))
  .on('GET', new RegExp(`^/domains/${seg}$`), (ctx, req, p) => domains(ctx, req, p[0]))
  .on('GET', /^\/organization\/?$/, (ctx, req) => organization(ctx, req))
  .on('GET', /^\/groups\/?$/, (ctx, req) => graphList(req, state(ctx).graph.groups.map(groupRow), GROUP, 'groups'))
  .on('POST', /^\/groups\/?$/, (ctx, req) => createGroup(ctx, req))
  .on('POST', new RegExp(`^/groups/${seg}/assignLicense$`), (ctx, req, p) => groupAssignLicense(ctx, req, p[0]))
  .on('GET', new RegExp(`^/groups/${seg}$`), (ctx, req, p) => getGroup(ctx, req, p[0]))
  .on('PATCH', new RegExp(`^/groups/${seg}$`), (ctx, req, p) => updateGroup(ctx, req, p[0]))
  .on('GET', new RegExp(`^/groups/${seg}/members$`), (ctx, req, p) => listGroupMembers(ctx, req, p[0], false))
  .on('GET', new RegExp(`^/groups/${seg}/transitiveMembers$`), (ctx, req, p) => listGroupMembers(ctx, req, p[0], true))
  .on('POST', new RegExp(`^/groups/${seg}/members/(?:\\$|%24)ref$`), (ctx, req, p) => addMemberRef(ctx, req, p[0]))
  .on('GET', /^\/me(\/.*)?$/, () => {
    throw new HttpError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  });

/** Handles one Graph request (path relative to /graph/v1.0); errors come back in Graph's format. */
export async function handleGraph(ctx: Ctx, req: SbRequest, batch?: Handler): Promise<SbReply> {
  const path = req.path.startsWith(GRAPH_PREFIX) ? req.path.slice(GRAPH_PREFIX.length) : req.path;
  try {
    if (path === '/$batch' && batch) {
      if (req.method !== 'POST') throw new HttpError(405, 'BadRequest', `The HTTP method '${req.method}' is not allowed for $batch.`);
      return await batch(ctx, req, []);
    }
    // Group licences Entra has processed by now show on every read and write.
    processGroupLicences(ctx);
    const m = router.match(req.method, path);
    if (m === 'method') throw new HttpError(405, 'Request_BadRequest', `The HTTP method '${req.method}' is not supported for this resource.`);
    if (!m) {
      const first = path.split('/').filter(Boolean)[0] ?? '';
      throw new HttpError(400, 'BadRequest', `Resource not found for the segment '${decodeSegment(first)}'.`);
    }
    return await m.handler(ctx, req, m.params);
  } catch (err) {
    if (err instanceof HttpError) return graphError(req, err.status, err.code, err.message, err.headers);
    throw err;
  }
}
