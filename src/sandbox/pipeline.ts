/**
 * The path every service request takes: the access token (signature, lifetime, audience → 401),
 * the permission the endpoint needs (→ 403, or 401 where the service answers so), scripted/random
 * faults, throttling limits, latency, then the service handler. Graph $batch items take a shorter
 * path of their own, with their own permission check.
 */
import type { Ctx } from './context';
import { DV_PREFIX } from './dataverseQuery';
import {
  bapNotManagementApp,
  concurrencyError,
  dataverseMissingPrivilege,
  dataverseNotMember,
  errorReply,
  graphForbidden,
  throttledError,
  unauthorizedReply,
  unavailableError,
} from './errors';
import { type FaultScope, type Target, sleep } from './faults';
import { GRAPH_PREFIX } from './graphQuery';
import { type SbReply, type SbRequest } from './http';
import { BC_ADMIN_PREFIX, bcAdminError } from './bcAdmin';
import { applicationUser, businessCentralAdminCenterAllows, businessCentralAllows, graphAllows, graphRule, holdsSystemAdministrator } from './permissions';
import type { Service } from './state';
import { RESOURCES, dataverseResource, validateToken, type TokenClaims } from './tokens';

export type Outcome = { kind: 'reply'; reply: SbReply } | { kind: 'destroy' };

export interface ServiceCall {
  service: Service;
  /** which fault kinds apply to the HTTP request as a whole */
  scope: FaultScope;
  /** the request and, for a $batch, its inner requests (for matching fault rules) */
  targets: Target[];
  /** how many requests this counts as against the service's limit (0 = not counted) */
  units: number;
  run(): SbReply | Promise<SbReply>;
}

export async function serve(ctx: Ctx, req: SbRequest, call: ServiceCall): Promise<Outcome> {
  const { service } = call;
  const guard = ctx.guard;
  guard.stats.requests[service]++;
  const denied = authorize(ctx, req, service);
  if (denied) return { kind: 'reply', reply: denied };
  const fault = guard.pickFault(service, call.targets, call.scope);
  if (fault?.kind === 'reset') return { kind: 'destroy' };
  if (fault?.kind === '429') return { kind: 'reply', reply: errorReply(service, req, throttledError(service, fault.retryAfterSeconds)) };
  if (fault?.kind === '503') return { kind: 'reply', reply: errorReply(service, req, unavailableError(service, fault.retryAfterSeconds)) };
  if (call.units > 0) {
    const retryAfter = guard.takeRate(service, call.units, ctx.now());
    if (retryAfter !== null) {
      const limit = ctx.settings().limits[service] ?? undefined;
      return { kind: 'reply', reply: errorReply(service, req, throttledError(service, retryAfter, limit)) };
    }
  }
  if (!guard.enter(service)) {
    const c = ctx.settings().limits[service]?.concurrent ?? 0;
    return { kind: 'reply', reply: errorReply(service, req, concurrencyError(service, c)) };
  }
  let reply: SbReply;
  try {
    await sleep(ctx.settings().latencyMs);
    reply = await call.run();
  } finally {
    guard.leave(service);
  }
  if (req.method !== 'GET') ctx.store.touch();
  if (fault?.kind === 'lost') return { kind: 'destroy' };
  return { kind: 'reply', reply };
}

/** One item of a Graph $batch: its own faults (429/503) and its own place in the Graph limit. */
export function serveGraphItem(ctx: Ctx, req: SbRequest, run: () => Promise<SbReply>): Promise<SbReply> {
  const guard = ctx.guard;
  guard.stats.batchItems.graph++;
  // Each item is authorised on its own (Learn "json-batching": the batch only bundles requests).
  const denied = authorize(ctx, req, 'graph');
  if (denied) return Promise.resolve(denied);
  const fault = guard.pickFault('graph', [{ method: req.method, path: req.path }], 'item');
  if (fault?.kind === '429') return Promise.resolve(errorReply('graph', req, throttledError('graph', fault.retryAfterSeconds)));
  if (fault?.kind === '503') return Promise.resolve(errorReply('graph', req, unavailableError('graph', fault.retryAfterSeconds)));
  const retryAfter = guard.takeRate('graph', 1, ctx.now());
  if (retryAfter !== null) return Promise.resolve(errorReply('graph', req, throttledError('graph', retryAfter)));
  return run();
}

/** The token's audience each service accepts. */
function resourceFor(service: Service, req: SbRequest): string {
  switch (service) {
    case 'graph':
      return RESOURCES.graph;
    case 'dataverse':
      return dataverseResource(req.origin);
    case 'bap':
      return RESOURCES.bap;
    case 'bc':
      return RESOURCES.bc;
  }
}

/** null when the request may go on; otherwise the service's 401/403 reply. */
export function authorize(ctx: Ctx, req: SbRequest, service: Service): SbReply | null {
  const s = ctx.store.state;
  const resource = resourceFor(service, req);
  const checked = validateToken(req, ctx.signingKey, { resource, tenantId: s.tenant.id, now: ctx.now() });
  if (!checked.ok) return unauthorizedReply(service, req, checked.problem, { tenantId: s.tenant.id, resource });
  return permitted(ctx, req, service, checked.claims);
}

function permitted(ctx: Ctx, req: SbRequest, service: Service, claims: TokenClaims): SbReply | null {
  const s = ctx.store.state;
  const roles = Array.isArray(claims.roles) ? claims.roles : [];
  const appId = claims.appid ?? claims.azp ?? '';
  switch (service) {
    case 'graph': {
      const relative = req.path.startsWith(GRAPH_PREFIX) ? req.path.slice(GRAPH_PREFIX.length) : req.path;
      const rule = graphRule(req, relative);
      return rule && !graphAllows(rule, roles) ? graphForbidden(req) : null;
    }
    case 'dataverse': {
      const user = applicationUser(s, appId);
      if (!user) return dataverseNotMember();
      const relative = req.path.slice(DV_PREFIX.length);
      if (/^\/WhoAmI(\(\))?$/.test(relative) || holdsSystemAdministrator(s, user)) return null;
      const entity = /^\/([A-Za-z_]+)/.exec(relative)?.[1] ?? 'systemuser';
      const roleCount = s.dataverse.userRoles.filter((a) => a.ownerid === user.systemuserid).length;
      return dataverseMissingPrivilege(user.systemuserid, roleCount, req.method, entity === '$batch' ? 'SystemUser' : entity.replace(/s$/, ''));
    }
    case 'bap':
      return s.app.powerPlatformManagementApp && appId === s.app.clientId ? null : bapNotManagementApp(req, claims);
    case 'bc':
      if (req.path.startsWith(`${BC_ADMIN_PREFIX}/`)) {
        return businessCentralAdminCenterAllows(s.app, roles) && appId === s.app.clientId
          ? null
          : bcAdminError(401, 'Unauthorized', 'The app is not authorized to call the Business Central administration center API for this tenant.');
      }
      return businessCentralAllows(s.app, roles) && appId === s.app.clientId
        ? null
        : unauthorizedReply('bc', req, { kind: 'signature' }, { tenantId: s.tenant.id, resource: RESOURCES.bc });
  }
}
