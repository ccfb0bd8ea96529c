/** Business Central API v2.0 subset: companies and salespeoplePurchasers, paged. */
import { type Ctx, state } from './context';
import { routeCompanyInformation } from './bcCompanyInformation';
import { routeCouplings } from './bcCouplings';
import { bcError } from './errors';
import { HttpError, decodeSegment, decodeSkipToken, isGuid, nextLink, type SbReply, type SbRequest } from './http';
import { ODataError, compileFilter, type Schema } from './odata';
import { compileOrderBy, parseSelect, project } from './odataOptions';
import type { BcEnvironment, Company, Salesperson } from './state';

export const BC_PREFIX = '/bc/v2.0';
const BC_CT = 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';
const PATH = /^\/([^/]+)\/([^/]+)\/api\/v2\.0\/(.*)$/;
const RESOURCE = /^companies(?:\(([^)]*)\))?(?:\/salespeoplePurchasers(?:\(([^)]*)\))?)?\/?$/;
type Row = Record<string, unknown>;

const COMPANY: Schema = {
  id: 'guid', systemVersion: 'string', timestamp: 'int', name: 'string', displayName: 'string', businessProfileId: 'string',
  systemCreatedAt: 'datetime', systemCreatedBy: 'guid', systemModifiedAt: 'datetime', systemModifiedBy: 'guid',
};
const SALESPERSON: Schema = {
  id: 'guid', code: 'string', displayName: 'string', email: 'string', email2: 'string', phoneNo: 'string', jobTitle: 'string',
  commisionPercent: 'number', blocked: 'bool', privacyBlocked: 'bool', lastModifiedDateTime: 'datetime',
};

const notFound = (message: string) => new HttpError(404, 'BadRequest_NotFound', message);

function companyRow(c: Company): Row {
  const { salespeople: _omit, ...rest } = c;
  return { ...rest };
}

/** The wire shape of APIV2 page 30075, which spells the commission field `commisionPercent`. */
function salespersonRow(p: Salesperson): Row {
  const { commissionPercent, ...rest } = p;
  return { ...rest, commisionPercent: commissionPercent };
}

function etag(row: Row): string {
  const stamp = String(row.lastModifiedDateTime ?? row.systemModifiedAt ?? row.timestamp ?? '');
  return `W/"JzE5OzE${Buffer.from(`${String(row.id)}|${stamp}`).toString('base64').slice(0, 24)}MTsn"`;
}

function odata<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ODataError) throw new HttpError(400, 'BadRequest', err.message);
    throw err;
  }
}

function keyOf(raw: string): string {
  const k = decodeSegment(raw);
  if (!isGuid(k)) throw new HttpError(400, 'BadRequest', `Bad Request - Error in query syntax. '${k}' is not a valid id.`);
  return k.toLowerCase();
}

function collection(ctx: Ctx, req: SbRequest, rows: Row[], schema: Schema, entity: string, context: string): SbReply {
  const select = odata(() => parseSelect(req.query.get('$select'), schema, entity));
  let out = rows;
  const f = req.query.get('$filter');
  if (f !== null) {
    const compiled = odata(() => compileFilter(f, { entity, fields: schema, functions: new Set(['startswith', 'endswith', 'contains']) }));
    out = out.filter((r) => compiled.test(r));
  }
  const cmp = odata(() => compileOrderBy(req.query.get('$orderby'), schema, entity));
  if (cmp) out = [...out].sort(cmp);
  const topText = req.query.get('$top');
  const top = topText === null ? Infinity : Number(topText);
  if (topText !== null && (!Number.isInteger(top) || top < 0)) throw new HttpError(400, 'BadRequest', `Invalid value for $top: '${topText}'.`);
  const skipText = req.query.get('$skip');
  const skip = skipText === null ? 0 : Number(skipText);
  if (!Number.isInteger(skip) || skip < 0) throw new HttpError(400, 'BadRequest', `Invalid value for $skip: '${skipText}'.`);
  const offset = decodeSkipToken(req.query.get('$skiptoken'));
  if (offset === null) throw new HttpError(400, 'BadRequest', 'The $skiptoken value is not valid.');
  const limited = out.slice(skip, skip + Math.min(top, out.length));
  const size = ctx.settings().bcPageSize;
  const page = limited.slice(offset, offset + size);
  const body: Row = { '@odata.context': `${context}${select ? `(${select.join(',')})` : ''}` };
  body.value = page.map((r) => ({ '@odata.etag': etag(r), ...project(r, select, Object.keys(schema)) }));
  if (offset + size < limited.length) body['@odata.nextLink'] = nextLink(req.origin, req.path, req.query, offset + size);
  return { status: 200, headers: { 'Content-Type': BC_CT }, body };
}

function single(req: SbRequest, row: Row, schema: Schema, entity: string, context: string): SbReply {
  const select = odata(() => parseSelect(req.query.get('$select'), schema, entity));
  return {
    status: 200,
    headers: { 'Content-Type': BC_CT },
    body: { '@odata.context': `${context}${select ? `(${select.join(',')})` : ''}/$entity`, '@odata.etag': etag(row), ...project(row, select, Object.keys(schema)) },
  };
}

function route(ctx: Ctx, req: SbRequest): SbReply {
  const rel = req.path.slice(BC_PREFIX.length);
  const m = PATH.exec(rel);
  if (!m) throw notFound(`No HTTP resource was found that matches the request URI '${req.path}'.`);
  const [, tenantRaw, envRaw, resource] = m;
  const s = state(ctx);
  const tenant = decodeSegment(tenantRaw).toLowerCase();
  if (tenant !== s.tenant.id && !s.tenant.domains.some((d) => d.isVerified && d.name === tenant)) {
    throw notFound(`The tenant '${tenant}' was not found.`);
  }
  const envName = decodeSegment(envRaw);
  const env: BcEnvironment | undefined = s.bc.environments.find((e) => e.name.toLowerCase() === envName.toLowerCase());
  if (!env) throw notFound(`The environment '${envName}' does not exist for the tenant '${s.tenant.id}'.`);
  const r = RESOURCE.exec(resource);
  if (!r) throw notFound(`No HTTP resource was found that matches the request URI '${req.path}'.`);
  if (req.method !== 'GET') throw new HttpError(405, 'BadRequest_MethodNotAllowed', `'${req.method}' requests for '${resource}' of EdmType 'Entity' are not allowed within Dynamics 365 Business Central OData web services.`);
  const base = `${req.origin}${BC_PREFIX}/${tenantRaw}/${envRaw}/api/v2.0/$metadata#`;
  const [, companyKey, personKey] = r;
  const isPeople = resource.includes('salespeoplePurchasers');
  if (companyKey === undefined) {
    if (isPeople) throw notFound(`No HTTP resource was found that matches the request URI '${req.path}'.`);
    return collection(ctx, req, env.companies.map(companyRow), COMPANY, 'Microsoft.NAV.company', `${base}companies`);
  }
  const companyId = keyOf(companyKey);
  const company = env.companies.find((c) => c.id === companyId);
  if (!company) throw notFound(`The company with id '${companyId}' does not exist.`);
  if (!isPeople) return single(req, companyRow(company), COMPANY, 'Microsoft.NAV.company', `${base}companies`);
  const ctxUrl = `${base}companies(${companyId})/salespeoplePurchasers`;
  if (personKey === undefined) {
    return collection(ctx, req, company.salespeople.map(salespersonRow), SALESPERSON, 'Microsoft.NAV.salespersonPurchaser', ctxUrl);
  }
  const personId = keyOf(personKey);
  const person = company.salespeople.find((p) => p.id === personId);
  if (!person) throw notFound(`The salespersonPurchaser with id '${personId}' does not exist.`);
  return single(req, salespersonRow(person), SALESPERSON, 'Microsoft.NAV.salespersonPurchaser', ctxUrl);
}

/** Handles one Business Central request (path under /bc/v2.0). */
export function handleBc(ctx: Ctx, req: SbRequest): SbReply {
  try {
    return routeCouplings(ctx, req) ?? routeCompanyInformation(ctx, req) ?? route(ctx, req);
  } catch (err) {
    if (err instanceof HttpError) return bcError(err.status, err.code, err.message, err.headers);
    throw err;
  }
}
