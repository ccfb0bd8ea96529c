/**
 * Business Central API v2.0 `companyInformation` (page 30011 "APIV2 - Company Information",
 * microsoft/ALAppExtensions `Apps/W1/APIV2/app/src/pages/APIV2CompanyInformation.Page.al`): one
 * entity per company, keyed by SystemId; `currencyCode` is General Ledger Setup's "LCY Code",
 * read-only. Served with the fields the health check reads and the company's identity.
 */
import { type Ctx, state } from './context';
import { HttpError, decodeSegment, type SbReply, type SbRequest } from './http';

const PATH = /^\/bc\/v2\.0\/([^/]+)\/([^/]+)\/api\/v2\.0\/companies\(([^)]*)\)\/companyInformation(?:\(([^)]*)\))?\/?$/;
const CT = 'application/json; odata.metadata=minimal; charset=utf-8';
const notFound = (message: string) => new HttpError(404, 'BadRequest_NotFound', message);

/** The local currency a company has when none was set (the Norwegian demo company's). */
export const DEFAULT_LOCAL_CURRENCY = 'NOK';

export function routeCompanyInformation(ctx: Ctx, req: SbRequest): SbReply | undefined {
  const m = PATH.exec(req.path);
  if (!m) return undefined;
  const [, tenantRaw, envRaw, companyRaw] = m;
  const s = state(ctx);
  const tenant = decodeSegment(tenantRaw).toLowerCase();
  if (tenant !== s.tenant.id && !s.tenant.domains.some((d) => d.isVerified && d.name === tenant)) throw notFound(`The tenant '${tenant}' was not found.`);
  const env = s.bc.environments.find((e) => e.name.toLowerCase() === decodeSegment(envRaw).toLowerCase());
  if (!env) throw notFound(`The environment '${decodeSegment(envRaw)}' does not exist for the tenant '${s.tenant.id}'.`);
  const companyId = decodeSegment(companyRaw).replace(/^'|'$/g, '').toLowerCase();
  const company = env.companies.find((c) => c.id === companyId);
  if (!company) throw notFound(`The company with id '${companyId}' does not exist.`);
  if (req.method !== 'GET') throw new HttpError(405, 'BadRequest_MethodNotAllowed', `'${req.method}' requests for 'companyInformation' are not allowed by this sandbox.`);
  const row = {
    id: company.id,
    displayName: company.displayName,
    country: 'NO',
    currencyCode: company.localCurrency ?? DEFAULT_LOCAL_CURRENCY,
    lastModifiedDateTime: company.systemModifiedAt,
  };
  const context = `${req.origin}/bc/v2.0/${tenantRaw}/${envRaw}/api/v2.0/$metadata#companies(${company.id})/companyInformation`;
  return { status: 200, headers: { 'Content-Type': CT }, body: { '@odata.context': context, value: [row] } };
}
