/**
 * The coupling endpoint as a tenant would publish it: a custom Business Central API page
 * (publisher contoso, group crm, v1.0) over the CRM Integration Record table, listing and making
 * salesperson ↔ Sales user couplings. It applies Business Central's own rule: pages 5340
 * "Users - Dataverse" and 7209 "Couple Dataverse Users with Salespersons" list only Sales users
 * with `IsIntegrationUser = false, IsDisabled = false, IsLicensed = true` (their SourceTableView in
 * the base app's CRMSystemuserList.Page.al and CDSCoupleSalespersons.Page.al), so only those can be
 * coupled; and each side at most once.
 */
import { type Ctx, state } from './context';
import { HttpError, decodeSegment, decodeSkipToken, isGuid, isObject, jsonBody, nextLink, uuid, type SbReply, type SbRequest } from './http';
import type { BcEnvironment, Coupling } from './state';

const PATH = /^\/bc\/v2\.0\/([^/]+)\/([^/]+)\/api\/contoso\/crm\/v1\.0\/companies\(([^)]*)\)\/crmCouplings\/?$/;
const CT = 'application/json; odata.metadata=minimal; charset=utf-8';

const notFound = (message: string) => new HttpError(404, 'BadRequest_NotFound', message);

function environment(ctx: Ctx, tenantRaw: string, envRaw: string): BcEnvironment {
  const s = state(ctx);
  const tenant = decodeSegment(tenantRaw).toLowerCase();
  if (tenant !== s.tenant.id && !s.tenant.domains.some((d) => d.isVerified && d.name === tenant)) throw notFound(`The tenant '${tenant}' was not found.`);
  const name = decodeSegment(envRaw).toLowerCase();
  const env = s.bc.environments.find((e) => e.name.toLowerCase() === name);
  if (!env) throw notFound(`The environment '${decodeSegment(envRaw)}' does not exist for the tenant '${s.tenant.id}'.`);
  return env;
}

const row = (c: Coupling) => ({ id: c.id, salespersonId: c.salespersonId, salespersonCode: c.salespersonCode, systemUserId: c.systemUserId, coupledAt: c.coupledAt });

function list(ctx: Ctx, req: SbRequest, couplings: Coupling[]): SbReply {
  const offset = decodeSkipToken(req.query.get('$skiptoken'));
  if (offset === null) throw new HttpError(400, 'BadRequest', 'The $skiptoken value is not valid.');
  const size = ctx.settings().bcPageSize;
  const body: Record<string, unknown> = { value: couplings.slice(offset, offset + size).map(row) };
  if (offset + size < couplings.length) body['@odata.nextLink'] = nextLink(req.origin, req.path, req.query, offset + size);
  return { status: 200, headers: { 'Content-Type': CT }, body };
}

function create(ctx: Ctx, req: SbRequest, env: BcEnvironment, companyId: string): SbReply {
  const s = state(ctx);
  const b = jsonBody(req, 'BadRequest', 'The request body is not valid JSON.');
  if (!isObject(b) || !isGuid(b.salespersonId) || !isGuid(b.systemUserId)) {
    throw new HttpError(400, 'BadRequest', 'salespersonId and systemUserId (GUIDs) are required.');
  }
  const company = env.companies.find((c) => c.id === companyId)!;
  const person = company.salespeople.find((p) => p.id === (b.salespersonId as string).toLowerCase());
  if (!person) throw notFound(`The salespersonPurchaser with id '${String(b.salespersonId)}' does not exist.`);
  const userId = (b.systemUserId).toLowerCase();
  const user = s.dataverse.systemUsers.find((u) => u.systemuserid === userId);
  if (!user) throw new HttpError(400, 'BadRequest', `The Sales user ${userId} does not exist.`);
  if (person.blocked) throw new HttpError(400, 'BadRequest', `Salesperson ${person.code} is blocked.`);
  const why = [user.isdisabled && 'disabled', !user.islicensed && 'not licensed', user.isintegrationuser && 'an integration user'].filter(Boolean);
  if (why.length > 0) {
    throw new HttpError(400, 'BadRequest', `The Sales user ${user.domainname || userId} cannot be coupled: it is ${why.join(', ')}. Only licensed, enabled Sales users that are not integration users can be coupled.`);
  }
  env.couplings ??= [];
  const clash = env.couplings.find((c) => c.companyId === companyId && (c.salespersonId === person.id || c.systemUserId === userId));
  if (clash) throw new HttpError(409, 'Internal_EntityWithSameKeyExists', `Salesperson ${clash.salespersonCode} is already coupled to the Sales user ${clash.systemUserId}.`);
  const coupling: Coupling = { id: uuid(), companyId, salespersonId: person.id, salespersonCode: person.code, systemUserId: userId, coupledAt: new Date(ctx.now()).toISOString() };
  env.couplings.push(coupling);
  ctx.store.touch();
  return { status: 201, headers: { 'Content-Type': CT }, body: row(coupling) };
}

/** The reply for a coupling request, or null when the path is not the coupling API. */
export function routeCouplings(ctx: Ctx, req: SbRequest): SbReply | null {
  const m = PATH.exec(req.path);
  if (!m) return null;
  const env = environment(ctx, m[1], m[2]);
  const companyId = decodeSegment(m[3]).toLowerCase();
  if (!isGuid(companyId)) throw new HttpError(400, 'BadRequest', `'${companyId}' is not a valid id.`);
  if (!env.companies.some((c) => c.id === companyId)) throw notFound(`The company with id '${companyId}' does not exist.`);
  if (req.method === 'GET') return list(ctx, req, (env.couplings ?? []).filter((c) => c.companyId === companyId));
  if (req.method === 'POST') return create(ctx, req, env, companyId);
  throw new HttpError(405, 'BadRequest_MethodNotAllowed', `'${req.method}' requests for 'crmCouplings' are not allowed.`);
}
