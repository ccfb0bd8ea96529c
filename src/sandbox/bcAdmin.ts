/**
 * Business Central administration center API subset: the tenant's environments.
 *
 * Learn "Business Central Admin Center API - Environments" (business-central/dev-itpro/administration/
 * administration-center-api_environments): `GET /admin/v2.x/applications/environments` and
 * `GET /admin/v2.x/applications/{applicationFamily}/environments` answer `{ value: [environment] }`
 * with friendlyName, type, name, countryCode, applicationFamily, aadTenantId, applicationVersion,
 * status, webClientLoginUrl, webServiceUrl, locationName, platformVersion, ringName, appInsightsKey,
 * SoftDeletedOn, HardDeletePendingOn, DeleteReason, AppSourceAppsUpdateCadence; no paging is
 * documented. An unknown family is `applicationTypeDoesNotExist`. Errors are `{ code, message }`
 * at the top level (Learn "The Business Central Administration Center API", "Error Format").
 *
 * `linkedPowerPlatformEnvironmentId` is not on the Learn page version read here; public admin
 * center clients read it from the same answer (into a "Linked PowerPlatform Env ID" field), and
 * Business Central itself proposes that environment when Dataverse is set up: codeunit 7203
 * "CDS Environment" (`SetLinkedDataverseEnvironmentUrl`) takes the Dataverse environment whose
 * `EnvironmentId` is `EnvironmentInformation.GetLinkedPowerPlatformEnvironmentId()` and marks it
 * `Linked` in the list it offers. The value for an environment without a link (null here) and
 * the admin center's answer to an app without AdminCenter.ReadWrite.All (401 here, as a public
 * report describes it; body unverified) are not from Microsoft's material.
 */
import { type Ctx, state } from './context';
import { HttpError, decodeSegment, type SbReply, type SbRequest } from './http';
import type { BcEnvironment } from './state';

export const BC_ADMIN_PREFIX = '/bc/admin';
const PATH = /^\/v2\.(\d+)\/applications(?:\/([^/]+))?\/environments\/?$/;
const FAMILY = 'BusinessCentral';

/** The admin center's error body: `{ code, message }`, not wrapped in `error`. */
export function bcAdminError(status: number, code: string, message: string): SbReply {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: { code, message } };
}

function environmentJson(req: SbRequest, tenantId: string, e: BcEnvironment): Record<string, unknown> {
  return {
    friendlyName: e.name,
    type: e.type ?? 'Production',
    name: e.name,
    countryCode: e.countryCode ?? 'NO',
    applicationFamily: FAMILY,
    aadTenantId: tenantId,
    applicationVersion: '25.3.28755.30010',
    status: 'Active',
    webClientLoginUrl: `https://businesscentral.dynamics.com/${tenantId}/${e.name}/`,
    webServiceUrl: `${req.origin}/bc/v2.0/${tenantId}/${e.name}`,
    locationName: 'Norway East',
    platformVersion: '25.0.28729.0',
    ringName: 'PROD',
    appInsightsKey: '',
    SoftDeletedOn: null,
    HardDeletePendingOn: null,
    DeleteReason: null,
    AppSourceAppsUpdateCadence: 'DuringMajorUpgrade',
    linkedPowerPlatformEnvironmentId: e.linkedPowerPlatformEnvironmentId ?? null,
  };
}

/** Handles one admin center request (path under /bc/admin). */
export function handleBcAdmin(ctx: Ctx, req: SbRequest): SbReply {
  try {
    const m = PATH.exec(req.path.slice(BC_ADMIN_PREFIX.length));
    if (!m) throw new HttpError(404, 'NotFound', `No resource was found that matches the request URI '${req.path}'.`);
    if (req.method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', `The HTTP method '${req.method}' is not supported.`);
    const family = m[2] === undefined ? FAMILY : decodeSegment(m[2]);
    if (family.toLowerCase() !== FAMILY.toLowerCase()) {
      throw new HttpError(404, 'applicationTypeDoesNotExist', `The application family '${family}' does not exist.`);
    }
    const s = state(ctx);
    return { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: { value: s.bc.environments.map((e) => environmentJson(req, s.tenant.id, e)) } };
  } catch (err) {
    if (err instanceof HttpError) return bcAdminError(err.status, err.code, err.message);
    throw err;
  }
}
