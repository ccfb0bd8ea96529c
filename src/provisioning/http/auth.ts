import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import { AppError } from '../../errors';
import { t, type StringKey } from '../../i18n';
import type { CredentialConfig, Endpoints } from '../../config';

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
      const localized = { key: 'tokenUnreachable' as const, vars: { authority: new URL(this.tokenEndpoint).origin, resource: hostOf(scope) } };
      throw new AppError('auth_failed', t('en', localized.key, localized.vars), { cause, localized });
    }
    const lifetime = Number(parsed.expires_in);
    if (!response.ok || !parsed.access_token || !Number.isFinite(lifetime)) {
      const code = parsed.error_codes?.[0];
      const localized = tokenFailure(scope, code, this.options);
      throw new AppError('auth_failed', t('en', localized.key, localized.vars), {
        localized,
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

/** What an admin does about a refused token request (Entra's AADSTS codes), as a string key. */
function tokenFailure(scope: string, code: number | undefined, o: ClientCredentialsOptions): { key: StringKey; vars: Record<string, string> } {
  const vars = { resource: hostOf(scope), app: o.clientId, tenant: o.tenantId, setting: o.secretSetting };
  switch (code) {
    case 7000215:
    case 7000216:
    case 7000222:
      return { key: 'tokenSecret', vars };
    case 700016:
      return { key: 'tokenApp', vars };
    case 90002:
      return { key: 'tokenTenant', vars };
    case 500011:
    case 70011:
      return { key: 'tokenResource', vars };
    default:
      return { key: 'tokenOther', vars };
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
      const localized = { key: 'tokenOther' as const, vars: { resource: hostOf(scope) } };
      throw new AppError('auth_failed', t('en', localized.key, localized.vars), { cause, localized });
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
