import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import { AppError } from '../errors';
import type { CredentialConfig, Endpoints } from '../config';

/** Gives a bearer token for a scope. Tokens never leave this module except in the Authorization header. */
export interface TokenProvider {
  getToken(scope: string): Promise<string>;
  /** Forgets a cached token the service refused (401), so the next request gets a fresh one. */
  invalidate?(scope: string): void;
}

export interface ClientCredentialsOptions {
  /** scheme://host of the authority; the token endpoint is `{authorityHost}/{tenantId}/oauth2/v2.0/token` */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** the setting that holds the secret, named in messages */
  secretSetting: string;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
}

interface EntraTokenResponse {
  token_type?: string;
  expires_in?: number | string;
  access_token?: string;
  error?: string;
  error_description?: string;
  error_codes?: number[];
}

/**
 * The client credentials flow by hand: one form-encoded request per scope to an Entra-shaped v2.0
 * token endpoint (`grant_type=client_credentials`, `client_id`, `client_secret`, `scope`), each
 * token cached until shortly before it expires. Sandbox mode uses it against the sandbox tenant:
 * @azure/identity's ClientSecretCredential refuses an `authorityHost` that is not https ("The
 * authorityHost address must use the 'https' protocol."), and the sandbox runs on
 * http://127.0.0.1 without certificates. Tenant mode keeps @azure/identity.
 */
export class ClientCredentialsTokenProvider implements TokenProvider {
  private readonly cache = new Map<string, { token: string; refreshAt: number }>();
  private readonly pending = new Map<string, Promise<string>>();
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: ClientCredentialsOptions) {
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
  }

  get tokenEndpoint(): string {
    return `${this.options.authorityHost.replace(/\/$/, '')}/${encodeURIComponent(this.options.tenantId)}/oauth2/v2.0/token`;
  }

  async getToken(scope: string): Promise<string> {
    const cached = this.cache.get(scope);
    if (cached && this.now() < cached.refreshAt) return cached.token;
    let request = this.pending.get(scope);
    if (!request) {
      request = this.request(scope).finally(() => this.pending.delete(scope));
      this.pending.set(scope, request);
    }
    return request;
  }

  invalidate(scope: string): void {
    this.cache.delete(scope);
  }

  private async request(scope: string): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret,
      scope,
    });
    const started = this.now();
    let response: Response;
    let parsed: EntraTokenResponse;
    try {
      response = await this.fetch(this.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
      const text = await response.text();
      parsed = (text ? JSON.parse(text) : {}) as EntraTokenResponse;
    } catch (cause) {
      throw new AppError('auth_failed', `Could not reach the sign-in service at ${new URL(this.tokenEndpoint).origin} to get an access token for ${hostOf(scope)}.`, { cause });
    }
    const lifetime = Number(parsed.expires_in);
    if (!response.ok || !parsed.access_token || !Number.isFinite(lifetime)) {
      const code = parsed.error_codes?.[0];
      throw new AppError('auth_failed', tokenFailure(scope, code, this.options), {
        status: response.status,
        serviceCode: code === undefined ? parsed.error : `AADSTS${code}`,
        // The error description names no secret; it stays in the log only.
        cause: new Error(`${response.status} ${parsed.error ?? ''} ${(parsed.error_description ?? '').split(' Trace ID:')[0]}`.trim()),
      });
    }
    // Refresh five minutes before expiry, or halfway through a shorter lifetime.
    const margin = Math.min(300_000, (lifetime * 1000) / 2);
    this.cache.set(scope, { token: parsed.access_token, refreshAt: started + lifetime * 1000 - margin });
    return parsed.access_token;
  }
}

function hostOf(scope: string): string {
  try {
    return new URL(scope).host;
  } catch {
    return scope;
  }
}

/** What an admin does about a refused token request (Entra's AADSTS codes). */
function tokenFailure(scope: string, code: number | undefined, o: ClientCredentialsOptions): string {
  const what = `Could not get an access token for ${hostOf(scope)}`;
  switch (code) {
    case 7000215:
    case 7000216:
    case 7000222:
      return `${what}: the sign-in service refused the client secret of app ${o.clientId}. Check ${o.secretSetting}.`;
    case 700016:
      return `${what}: the app ${o.clientId} is not registered in tenant ${o.tenantId}. Check the client id and the tenant id.`;
    case 90002:
      return `${what}: tenant ${o.tenantId} was not found. Check the tenant id.`;
    case 500011:
    case 70011:
      return `${what}: the tenant does not offer the resource ${scope.replace(/\/\.default$/, '')} to app ${o.clientId}.`;
    default:
      return `${what}. Check the app registration (client id, secret, tenant id).`;
  }
}

/** Tenant mode: @azure/identity does acquisition, caching and refresh. */
export class IdentityTokenProvider implements TokenProvider {
  constructor(private readonly credential: TokenCredential) {}
  async getToken(scope: string): Promise<string> {
    try {
      const token = await this.credential.getToken(scope);
      if (!token) throw new Error('no token returned');
      return token.token;
    } catch (cause) {
      throw new AppError(
        'auth_failed',
        `Could not get an access token for ${new URL(scope).host}. Check AZURE_CREDENTIAL and the app registration (certificate or secret, tenant id, client id).`,
        { cause },
      );
    }
  }
}

export function createTokenProvider(config: CredentialConfig): TokenProvider {
  switch (config.kind) {
    case 'sandbox':
      return new ClientCredentialsTokenProvider({
        authorityHost: config.authorityHost,
        tenantId: config.tenantId,
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        secretSetting: 'SANDBOX_CLIENT_SECRET',
      });
    case 'certificate':
      return new IdentityTokenProvider(
        new ClientCertificateCredential(config.tenantId, config.clientId, {
          certificatePath: config.certificatePath,
          certificatePassword: config.certificatePassword,
        }),
      );
    case 'secret':
      return new IdentityTokenProvider(new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret));
    case 'managed-identity':
      return new IdentityTokenProvider(
        config.clientId ? new ManagedIdentityCredential({ clientId: config.clientId }) : new ManagedIdentityCredential(),
      );
  }
}

/**
 * The OAuth scope of each service, the same in both modes; only the token endpoint differs.
 * Graph: https://graph.microsoft.com/.default. The Power Platform admin API (api.bap.microsoft.com)
 * takes tokens for https://service.powerapps.com/ (microsoft/terraform-provider-power-platform
 * internal/constants: PUBLIC_POWERAPPS_SCOPE for the BAP domain; MSCloudLoginAssistant
 * WorkloadEndpoints.psd1). Dataverse: the organisation URL's /.default (the environment is the
 * audience). Business Central: https://api.businesscentral.dynamics.com/.default.
 */
export const SCOPES = {
  graph: 'https://graph.microsoft.com/.default',
  bap: 'https://service.powerapps.com/.default',
  bc: 'https://api.businesscentral.dynamics.com/.default',
  dataverse: (orgUrl: string) => `${orgUrl.replace(/\/+$/, '')}/.default`,
} as const;

export function scopesFor(endpoints: Endpoints) {
  return { graph: SCOPES.graph, bap: SCOPES.bap, bc: SCOPES.bc, dataverse: SCOPES.dataverse(endpoints.dataverse) };
}
