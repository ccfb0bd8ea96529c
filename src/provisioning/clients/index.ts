import type { Config } from '../../config';
import { AppError } from '../../errors';
import type { Logger } from '../../log';
import { SCOPES, scopesFor, type TokenProvider } from '../http/auth';
import { HttpPolicy, type HttpPolicyOptions, type HttpStats, type PacedLimit } from '../http/policy';
import { BusinessCentralClient } from './businessCentral';
import { ADMIN_CENTER_API_VERSION, BusinessCentralAdminClient } from './businessCentralAdmin';
import { DirectoryClient } from './graph/directory';
import type { BatchRetryOptions } from './graph/batch';
import { PowerPlatformClient } from './powerPlatform';
import { SalesClient } from './dataverse/sales';
import { LruMap } from '../../lru';
import type { HttpRequest } from '../http/types';
import type { RateLimit } from '../http/rateWindow';
import type { Service } from '../../permissions';

export { AccessMode, DEFAULT_NON_INTERACTIVE_LIMIT, SalesClient } from './dataverse/sales';
export { DirectoryClient } from './graph/directory';
export { PowerPlatformClient } from './powerPlatform';
export { BusinessCentralClient, all } from './businessCentral';
export { BusinessCentralAdminClient } from './businessCentralAdmin';

/** Concurrency per service: Dataverse allows 20 concurrent requests per user; we stay below. */
export const SERVICE_CONCURRENCY: Record<Service, number> = { graph: 8, dataverse: 16, bap: 4, bc: 5 };

/**
 * Documented rate windows each client paces itself to (per app and tenant, or per user).
 * - Graph (Learn "Microsoft Graph service-specific throttling limits", Identity and access service
 *   limits, per app and tenant pair): writes 3,000 per 2 min 30 s; reads against a resource-unit
 *   quota per 10 s of 3,500 (tenants under 50 users), 5,000 (up to 500) or 8,000 (larger). The
 *   client cannot know the tenant's size band, so it paces reads to the smallest quota; a request
 *   costs 1 unit here (Learn: a list of users costs 2, less 1 with `$select`, which every read of
 *   this product sends; requests not in Learn's table cost 1). Each `$batch` item counts on its own
 *   (Learn "JSON batching": the batch does not change throttling), by its own method.
 * - Dataverse 6,000 requests per 5 min, where a `$batch` is one request ("A batch can contain up to
 *   1000 operations and will avoid the number of requests limit", Learn "Service protection API
 *   limits"; its combined execution time still counts, which the service answers with 429 and
 *   Retry-After like any other limit).
 * - Business Central 6,000 per 5 min. The Power Platform admin API publishes none.
 */
export const GRAPH_WRITE_RATE: RateLimit = { requests: 3000, windowMs: 150_000 };
export const GRAPH_READ_RATE: RateLimit = { requests: 3500, windowMs: 10_000 };
export const SERVICE_RATE: Record<Exclude<Service, 'graph'>, RateLimit | null> = {
  dataverse: { requests: 6000, windowMs: 300_000 },
  bap: null,
  bc: { requests: 6000, windowMs: 300_000 },
};

/** The methods of a Graph request: a `$batch`'s items (sent as JSON or as a prepared body), or the request itself. */
function graphMethods(request: HttpRequest): string[] {
  if (request.method !== 'POST' || !/\/\$batch(\?|$)/.test(request.url)) return [request.method];
  let payload: unknown = request.json;
  if (payload === undefined && request.body) {
    try {
      payload = JSON.parse(request.body);
    } catch {
      return [request.method];
    }
  }
  const items = (payload as { requests?: { method?: unknown }[] } | undefined)?.requests;
  return Array.isArray(items) ? items.map((item) => (typeof item?.method === 'string' ? item.method.toUpperCase() : 'GET')) : [request.method];
}

/** What a Graph request counts against the write quota: its writes (a `$batch`: its write items). */
export const graphWriteUnits = (request: HttpRequest): number => graphMethods(request).filter((m) => m !== 'GET').length;
/** What a Graph request counts against the resource-unit quota: its reads. */
export const graphReadUnits = (request: HttpRequest): number => graphMethods(request).filter((m) => m === 'GET').length;

/** The windows each service's policy paces to. */
export function serviceRates(service: Service): PacedLimit[] {
  if (service === 'graph') return [{ limit: GRAPH_WRITE_RATE, unitsOf: graphWriteUnits }, { limit: GRAPH_READ_RATE, unitsOf: graphReadUnits }];
  const limit = SERVICE_RATE[service];
  return limit ? [{ limit }] : [];
}

export type PolicyOverrides = Partial<Pick<HttpPolicyOptions, 'maxConcurrent' | 'timeoutMs' | 'retry' | 'sleep' | 'random' | 'fetch' | 'rates'>>;

export interface CreateClientsOptions {
  config: Config;
  tokens: TokenProvider;
  logger?: Logger;
  /** Applied to every service's policy (tests: short delays). */
  policy?: PolicyOverrides;
  /** Per service, over `policy`. */
  policies?: Partial<Record<Service, PolicyOverrides>>;
  /** Item-level retry inside Graph `$batch`. */
  batchRetry?: Partial<BatchRetryOptions>;
}

export interface Clients {
  directory: DirectoryClient;
  /** The Sales client for an environment URL (default: the configured one); cached per URL. */
  sales(orgUrl?: string): SalesClient;
  powerPlatform: PowerPlatformClient;
  /** The Business Central client for an environment (default: the configured one); cached. */
  businessCentral(environment?: string): BusinessCentralClient;
  /** Business Central's administration center API (the environment list), with the BC token. */
  businessCentralAdmin: BusinessCentralAdminClient;
  policies: { graph: HttpPolicy; bap: HttpPolicy; bc: HttpPolicy; dataverse: ReadonlyMap<string, HttpPolicy> };
  /** Request, retry and throttle counts per service (Dataverse summed over environments). */
  stats(): Record<Service, HttpStats>;
}

const DATAVERSE_HOST = /^https:\/\/[a-z0-9-]+\.crm\d*\.dynamics\.com$/;

/**
 * The environment URL in canonical form, or an invalid_input error. In tenant mode only
 * https://<org>.crm<N>.dynamics.com is accepted, so no token is ever sent to another host; in
 * sandbox mode only the sandbox's own origin.
 */
export function checkOrgUrl(orgUrl: string, config: Config): string {
  let url: URL;
  try {
    url = new URL(orgUrl);
  } catch {
    throw new AppError('invalid_input', `"${orgUrl.slice(0, 80)}" is not a URL. Use the environment URL, such as https://contoso.crm4.dynamics.com.`, {
      localized: { key: 'validationNotUrl', vars: { value: orgUrl.slice(0, 80) } },
    });
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (config.mode === 'tenant') {
    const origin = url.origin.toLowerCase();
    if (!DATAVERSE_HOST.test(origin) || path !== '' || url.search || url.hash || url.username || url.password) {
      throw new AppError(
        'invalid_input',
        `"${orgUrl.slice(0, 80)}" is not a Dynamics 365 environment URL. Use the URL shown in the Power Platform admin center, such as https://contoso.crm4.dynamics.com.`,
        { localized: { key: 'validationNotEnvironmentUrl', vars: { value: orgUrl.slice(0, 80) } } },
      );
    }
    return origin;
  }
  const sandbox = new URL(config.endpoints.dataverse);
  if (url.origin !== sandbox.origin || url.search || url.hash) {
    throw new AppError('invalid_input', `"${orgUrl.slice(0, 80)}" is not an environment of the sandbox tenant at ${sandbox.origin}.`, {
      localized: { key: 'validationNotSandboxEnvironment', vars: { value: orgUrl.slice(0, 80), origin: sandbox.origin } },
    });
  }
  return `${url.origin}${path}`;
}

/**
 * The admin center API root beside the BC API root: `https://api.businesscentral.dynamics.com/v2.0`
 * → `https://api.businesscentral.dynamics.com/admin/v2.24` (the same host and token audience).
 */
function adminCenterEndpoint(bcEndpoint: string): string {
  return `${bcEndpoint.replace(/\/+$/, '').replace(/\/v2\.0$/, '')}/admin/${ADMIN_CENTER_API_VERSION}`;
}

/** Environments whose clients are kept at once (each a Dataverse or BC client and its HTTP policy). */
export const MAX_CACHED_ENVIRONMENTS = 32;

export function createClients(options: CreateClientsOptions): Clients {
  const { config, tokens, logger } = options;
  const scopes = scopesFor(config.endpoints);
  const policyFor = (service: Service, scope: string): HttpPolicy =>
    new HttpPolicy({
      service,
      tokens,
      scope,
      logger,
      maxConcurrent: SERVICE_CONCURRENCY[service],
      rates: serviceRates(service),
      ...options.policy,
      ...options.policies?.[service],
    });

  const graph = policyFor('graph', scopes.graph);
  const bap = policyFor('bap', scopes.bap);
  const bc = policyFor('bc', scopes.bc);
  // Keyed by environments an admin types: bounded, least recently used forgotten first.
  const dataversePolicies = new Map<string, HttpPolicy>();
  const salesClients = new LruMap<string, SalesClient>(MAX_CACHED_ENVIRONMENTS, (url) => dataversePolicies.delete(url));
  const bcClients = new LruMap<string, BusinessCentralClient>(MAX_CACHED_ENVIRONMENTS);

  const directory = new DirectoryClient({ endpoint: config.endpoints.graph, policy: graph, batchRetry: options.batchRetry });
  const powerPlatform = new PowerPlatformClient({ endpoint: config.endpoints.bap, policy: bap });
  const businessCentralAdmin = new BusinessCentralAdminClient({ endpoint: adminCenterEndpoint(config.endpoints.bc), policy: bc });

  const sales = (orgUrl: string | undefined = config.defaults.dataverseUrl): SalesClient => {
    if (!orgUrl) throw new AppError('invalid_input', 'No Sales environment is chosen: choose the environments first (set up).');
    const url = checkOrgUrl(orgUrl, config);
    let client = salesClients.get(url);
    if (!client) {
      // Dataverse's token audience is the environment itself, in both modes.
      const policy = policyFor('dataverse', SCOPES.dataverse(url));
      dataversePolicies.set(url, policy);
      client = new SalesClient({ orgUrl: url, policy });
      salesClients.set(url, client);
    }
    return client;
  };

  const businessCentral = (environment: string | undefined = config.defaults.bcEnvironment): BusinessCentralClient => {
    if (!environment) throw new AppError('invalid_input', 'No Business Central environment is chosen: choose the environments first (set up).');
    let client = bcClients.get(environment);
    if (!client) {
      client = new BusinessCentralClient({ endpoint: config.endpoints.bc, tenantId: config.tenantId, environment, policy: bc });
      bcClients.set(environment, client);
    }
    return client;
  };

  const stats = (): Record<Service, HttpStats> => {
    const dataverse: HttpStats = { requests: 0, retries: 0, throttled: 0 };
    for (const policy of dataversePolicies.values()) {
      dataverse.requests += policy.stats.requests;
      dataverse.retries += policy.stats.retries;
      dataverse.throttled += policy.stats.throttled;
    }
    return { graph: { ...graph.stats }, dataverse, bap: { ...bap.stats }, bc: { ...bc.stats } };
  };

  return { directory, sales, powerPlatform, businessCentral, businessCentralAdmin, policies: { graph, bap, bc, dataverse: dataversePolicies }, stats };
}
