/** Power Platform admin API (BAP) subset: read environments, force-add a user to an environment. */
import { type Ctx, dynamicsLicensedAt, state } from './context';
import { bapError } from './errors';
import { HttpError, decodeSegment, isGuid, isObject, jsonBody, type SbReply, type SbRequest } from './http';
import { DV_PREFIX } from './dataverseQuery';
import { createSystemUserFor, syncDataverse, touchSystemUser } from './dataverseSync';
import { environmentAdmits } from './graphGroups';
import type { PowerPlatformEnvironment } from './state';

export const BAP_PREFIX = '/bap/providers/Microsoft.BusinessAppPlatform';
const ENV_PATH = /^\/scopes\/admin\/environments(?:\/([^/]+))?(\/addUser)?\/?$/;

/**
 * The environment as BAP lists it. The sandbox serves Dataverse for one environment (the one whose
 * organisation is the sandbox's, at `{origin}/dataverse/`); the others carry the instance URL a
 * real environment in their region would have (`https://<org>.crm<N>.dynamics.com/`, crm4 in
 * Europe, crm in the United States), which the sandbox does not serve. An environment without
 * Dataverse has `databaseType` "None" and `linkedEnvironmentMetadata` null (terraform-provider-
 * power-platform `internal/services/environment/tests/datasource/Validate_Read/get_environments.json`).
 */
function envJson(req: SbRequest, e: PowerPlatformEnvironment, served: boolean): Record<string, unknown> {
  const hasDataverse = e.hasDataverse !== false;
  const crm = e.location === 'unitedstates' ? 'crm' : 'crm4';
  const instanceUrl = served ? `${req.origin}/dataverse/` : `https://${e.dataverseOrg}.${crm}.dynamics.com/`;
  const instanceApiUrl = served ? `${req.origin}${DV_PREFIX}` : `https://${e.dataverseOrg}.api.${crm}.dynamics.com`;
  return {
    id: `/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${e.id}`,
    type: 'Microsoft.BusinessAppPlatform/scopes/environments',
    location: e.location,
    name: e.id,
    properties: {
      displayName: e.displayName,
      environmentSku: e.environmentSku,
      azureRegion: e.azureRegion ?? 'norwayeast',
      isDefault: e.environmentSku === 'Default',
      databaseType: hasDataverse ? 'CommonDataService' : 'None',
      provisioningState: 'Succeeded',
      states: { management: { id: 'Ready' }, runtime: { id: e.runtimeState ?? 'Enabled' } },
      linkedEnvironmentMetadata: hasDataverse
        ? {
            type: 'Dynamics365Instance',
            resourceId: e.id,
            friendlyName: e.displayName,
            uniqueName: e.dataverseOrg,
            domainName: e.dataverseOrg,
            version: '9.2.25014.00163',
            instanceUrl,
            instanceApiUrl,
            instanceState: 'Ready',
            ...(e.securityGroupId ? { securityGroupId: e.securityGroupId } : {}),
          }
        : null,
    },
  };
}

/** The environment whose Dataverse the sandbox serves. */
function served(ctx: Ctx, e: PowerPlatformEnvironment): boolean {
  return e.hasDataverse !== false && e.dataverseOrg === state(ctx).dataverse.organizationName;
}

function findEnv(ctx: Ctx, rawId: string): PowerPlatformEnvironment {
  const id = decodeSegment(rawId).toLowerCase();
  const e = state(ctx).bap.environments.find((x) => x.id.toLowerCase() === id);
  if (!e) {
    throw new HttpError(404, 'EnvironmentNotFound', `The environment '${id}' could not be found in the tenant '${state(ctx).tenant.id}'.`);
  }
  return e;
}

function addUser(ctx: Ctx, req: SbRequest, env: PowerPlatformEnvironment): SbReply {
  const s = state(ctx);
  const b = jsonBody(req, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
  if (!isObject(b) || !isGuid(b.objectId)) {
    throw new HttpError(400, 'InvalidRequestContent', "The request body must be a JSON object with the user's Microsoft Entra 'objectId'.");
  }
  const objectId = b.objectId.toLowerCase();
  const user = s.graph.users.find((u) => u.id === objectId);
  if (!user) throw new HttpError(404, 'UserNotFound', `The user with object id '${objectId}' was not found in the tenant '${s.tenant.id}'.`);
  syncDataverse(ctx);
  let su = s.dataverse.systemUsers.find((u) => u.azureactivedirectoryobjectid === objectId && u.applicationid === null);
  const reply = () =>
    ({ status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: {
      systemUserId: su!.systemuserid, objectId, environmentId: env.id, domainName: su!.domainname, state: su!.isdisabled ? 'Disabled' : 'Enabled',
    } }) satisfies SbReply;
  // An enabled user whose licence has not reached it yet is synchronised again. Unverified: Learn
  // says only that addUser (Add-AdminPowerAppsSyncUser) "adds a user to Dataverse"; that it
  // refreshes an existing user's licence state is assumed.
  if (su && !su.isdisabled && su.islicensed) return reply();
  if (!user.accountEnabled) {
    throw new HttpError(400, 'userDisabled', `The user '${user.userPrincipalName}' is disabled in Microsoft Entra ID and cannot be added to the environment.`);
  }
  if (!environmentAdmits.asMember(s, env, user.id)) {
    // Learn "Control user access to environments" says only members of the environment's security
    // group are admitted; the exact code and text of addUser's refusal are not published
    // (unverified), so the code says what is wrong and the message names the group.
    throw new HttpError(403, 'UserNotMemberOfSecurityGroup',
      `The user '${user.userPrincipalName}' is not a member of the security group '${env.securityGroupId}' of the environment '${env.id}'. Add the user to the group and try again.`);
  }
  const licensedAt = dynamicsLicensedAt(user, s.graph.skus);
  if (licensedAt === null || ctx.now() < licensedAt + ctx.settings().licensePropagationMs) {
    throw new HttpError(400, 'userNotLicensed',
      `The user '${user.userPrincipalName}' is not licensed for this environment. Assign a Dynamics 365 licence and try again once it has propagated.`);
  }
  if (su) {
    su.isdisabled = false;
    su.islicensed = true;
    su.sync = { enabled: true, licensed: true };
    touchSystemUser(su, ctx.now());
  } else {
    su = createSystemUserFor(s, user, ctx.now());
  }
  ctx.store.touch();
  return reply();
}

/** Handles one BAP request (path under /bap/providers/Microsoft.BusinessAppPlatform). */
export function handleBap(ctx: Ctx, req: SbRequest): SbReply {
  const path = req.path.startsWith(BAP_PREFIX) ? req.path.slice(BAP_PREFIX.length) : req.path;
  try {
    const m = ENV_PATH.exec(path);
    if (!m) throw new HttpError(404, 'NotFound', `The resource '${path}' was not found.`);
    if (!req.query.get('api-version')) {
      throw new HttpError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    }
    const [, envId, isAddUser] = m;
    if (envId === undefined) {
      if (req.method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', `The HTTP method '${req.method}' is not supported.`);
      return { status: 200, body: { value: state(ctx).bap.environments.map((e) => envJson(req, e, served(ctx, e))) } };
    }
    const env = findEnv(ctx, envId);
    if (isAddUser) {
      if (req.method !== 'POST') throw new HttpError(405, 'MethodNotAllowed', `The HTTP method '${req.method}' is not supported.`);
      // The sandbox keeps one Dataverse organisation; the other environments are listed only.
      if (!served(ctx, env)) throw new HttpError(400, 'EnvironmentNotServedBySandbox', `The sandbox does not serve the Dataverse of the environment '${env.id}'.`);
      return addUser(ctx, req, env);
    }
    if (req.method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', `The HTTP method '${req.method}' is not supported.`);
    return { status: 200, body: envJson(req, env, served(ctx, env)) };
  } catch (err) {
    if (err instanceof HttpError) return bapError(err.status, err.code, err.message, err.headers);
    throw err;
  }
}
