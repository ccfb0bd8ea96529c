/**
 * The sandbox's Microsoft Entra ID: a token endpoint shaped like Entra's v2.0 endpoint for the
 * client credentials flow (`POST /{tenant}/oauth2/v2.0/token`), the signing keys
 * (`GET /{tenant}/discovery/v2.0/keys`), and the access tokens themselves: RS256 JWTs whose `aud`
 * is the requested resource and whose `roles` are the application permissions the app
 * registration holds for that resource (Learn: "Microsoft identity platform and the OAuth 2.0
 * client credentials flow"; "Access token claims reference").
 */
import { createHash, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import type { SandboxSettings } from './settings';
import type { SbReply, SbRequest } from './http';
import type { AppRegistration, SandboxState, Store } from './state';

/** What the token endpoint reads of the handlers' context (context.ts's Ctx has it). */
interface TokenContext {
  store: Store;
  settings(): SandboxSettings;
  now(): number;
}

/** The resources the sandbox issues tokens for, as Entra names them (the token's `aud`). */
export const RESOURCES = {
  graph: 'https://graph.microsoft.com',
  /** Power Platform admin API (api.bap.microsoft.com): its audience is the PowerApps service. */
  bap: 'https://service.powerapps.com/',
  bc: 'https://api.businesscentral.dynamics.com',
} as const;

export type Audience = 'graph' | 'dataverse' | 'bap' | 'bc';

/** The Dataverse environment's resource: its organisation URL (in the sandbox, `{origin}/dataverse`). */
export function dataverseResource(origin: string): string {
  return `${origin}/dataverse`;
}

/** Entra's v2.0 issuer for the tenant. */
export function issuerFor(tenantId: string): string {
  return `https://login.microsoftonline.com/${tenantId}/v2.0`;
}

export const TOKEN_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token\/?$/;
export const KEYS_PATH = /^\/([^/]+)\/discovery\/v2\.0\/keys\/?$/;

/** One RSA key per sandbox run; tokens from an earlier run fail validation (as a rotated key would). */
export class SigningKey {
  readonly kid: string;
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  constructor() {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.kid = createHash('sha256').update(pair.publicKey.export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 27);
  }

  sign(claims: Record<string, unknown>): string {
    const header = b64(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: this.kid }));
    const payload = b64(JSON.stringify(claims));
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), this.privateKey).toString('base64url');
    return `${header}.${payload}.${signature}`;
  }

  jwk(): Record<string, unknown> {
    const jwk = this.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    return { kty: 'RSA', use: 'sig', kid: this.kid, n: jwk.n, e: jwk.e };
  }
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

// ---------------------------------------------------------------- token endpoint

interface EntraError {
  status: number;
  error: string;
  code: number;
  description: string;
}

/** Entra's error response: `error`, `error_description` (AADSTS code first), `error_codes`, ids, time. */
function entraError(e: EntraError): SbReply {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
  return {
    status: e.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
    body: {
      error: e.error,
      error_description: `AADSTS${e.code}: ${e.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [e.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${e.code}`,
    },
  };
}

function tenantMatches(s: SandboxState, tenant: string): boolean {
  const t = tenant.toLowerCase();
  return t === s.tenant.id || s.tenant.domains.some((d) => d.isVerified && d.name === t);
}

/** The resource a `.default` scope names, and which service that is; null when the tenant has no such resource. */
export function resourceOf(scope: string, origin: string): { resource: string; audience: Audience } | null {
  const resource = scope.slice(0, -'/.default'.length);
  const bare = resource.replace(/\/+$/, '').toLowerCase();
  if (bare === RESOURCES.graph) return { resource: RESOURCES.graph, audience: 'graph' };
  if (bare === RESOURCES.bap.replace(/\/$/, '')) return { resource: RESOURCES.bap, audience: 'bap' };
  if (bare === RESOURCES.bc) return { resource: RESOURCES.bc, audience: 'bc' };
  if (bare === dataverseResource(origin).toLowerCase()) return { resource: dataverseResource(origin), audience: 'dataverse' };
  return null;
}

/** The application permissions a token for this resource carries (Dataverse and BAP have none). */
export function rolesFor(app: AppRegistration, audience: Audience): string[] {
  if (audience === 'graph') return [...app.graphRoles];
  if (audience === 'bc') return [...app.businessCentralRoles];
  return [];
}

export function handleToken(ctx: TokenContext, key: SigningKey, req: SbRequest, tenant: string): SbReply {
  const s = ctx.store.state;
  if (req.method !== 'POST') {
    return entraError({ status: 400, error: 'invalid_request', code: 900561, description: 'The endpoint only accepts POST requests.' });
  }
  if (!tenantMatches(s, decodeURIComponent(tenant))) {
    return entraError({
      status: 400,
      error: 'invalid_tenant',
      code: 90002,
      description: `Tenant '${decodeURIComponent(tenant)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    });
  }
  const form = new URLSearchParams(req.body.toString('utf8'));
  for (const name of ['grant_type', 'client_id', 'scope']) {
    if (!form.get(name)) {
      return entraError({ status: 400, error: 'invalid_request', code: 900144, description: `The request body must contain the following parameter: '${name}'.` });
    }
  }
  const grantType = form.get('grant_type')!;
  if (grantType !== 'client_credentials') {
    return entraError({ status: 400, error: 'unsupported_grant_type', code: 70003, description: `The app requested an unsupported grant type '${grantType}'.` });
  }
  const clientId = form.get('client_id')!.toLowerCase();
  if (clientId !== s.app.clientId) {
    return entraError({
      status: 400,
      error: 'unauthorized_client',
      code: 700016,
      description: `Application with identifier '${clientId}' was not found in the directory '${s.tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    });
  }
  const secret = form.get('client_secret');
  if (!secret) {
    return entraError({ status: 401, error: 'invalid_client', code: 7000216, description: "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type." });
  }
  if (createHash('sha256').update(secret).digest('hex') !== s.app.clientSecretSha256) {
    return entraError({
      status: 401,
      error: 'invalid_client',
      code: 7000215,
      description: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    });
  }
  const scope = form.get('scope')!.trim();
  if (!/^\S+\/\.default$/.test(scope)) {
    return entraError({
      status: 400,
      error: 'invalid_scope',
      code: 70011,
      description: `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    });
  }
  const target = resourceOf(scope, req.origin);
  if (!target) {
    return entraError({
      status: 400,
      error: 'invalid_resource',
      code: 500011,
      description: `The resource principal named ${scope.slice(0, -'/.default'.length)} was not found in the tenant named ${s.tenant.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    });
  }
  const now = Math.floor(ctx.now() / 1000);
  const lifetime = ctx.settings().tokenLifetimeSeconds;
  const roles = rolesFor(s.app, target.audience);
  const claims: Record<string, unknown> = {
    aud: target.resource,
    iss: issuerFor(s.tenant.id),
    iat: now,
    nbf: now,
    exp: now + lifetime,
    aio: randomUUID(),
    azp: s.app.clientId,
    azpacr: '1',
    appid: s.app.clientId,
    appidacr: '1',
    idtyp: 'app',
    oid: s.app.servicePrincipalId,
    sub: s.app.servicePrincipalId,
    tid: s.tenant.id,
    uti: randomUUID().replace(/-/g, '').slice(0, 22),
    ver: '2.0',
    ...(roles.length ? { roles } : {}),
  };
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
    body: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: key.sign(claims) },
  };
}

export function handleKeys(key: SigningKey): SbReply {
  return { status: 200, body: { keys: [key.jwk()] } };
}

// ---------------------------------------------------------------- validation

export interface TokenClaims {
  aud: string;
  iss: string;
  exp: number;
  nbf?: number;
  tid: string;
  appid?: string;
  azp?: string;
  oid?: string;
  roles?: string[];
}

export type TokenProblem =
  | { kind: 'missing' }
  | { kind: 'malformed' }
  | { kind: 'signature' }
  | { kind: 'expired'; exp: number }
  | { kind: 'audience'; aud: string }
  | { kind: 'issuer' };

const sameResource = (a: string, b: string) => a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();

/**
 * Tokens this key has checked (their claims, whether the header and signature hold), by the token's text:
 * a client sends the same token with every request until it expires, and a Graph `$batch` has
 * each of its items authorised with it, so the RSA check is made once per token rather than once
 * per request. The claims are still checked against the request each time (time, audience).
 */
interface Checked {
  claims: TokenClaims;
  valid: boolean;
}
const checkedTokens = new WeakMap<SigningKey, Map<string, Checked | null>>();
const CHECKED_TOKENS_KEPT = 64;

function checkSignature(token: string, key: SigningKey): Checked | null {
  let cache = checkedTokens.get(key);
  if (!cache) checkedTokens.set(key, (cache = new Map<string, Checked | null>()));
  const known = cache.get(token);
  if (known !== undefined) return known;
  const parts = token.split('.');
  let checked: Checked | null;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as TokenClaims;
    const valid =
      !!header && header.alg === 'RS256' && header.kid === key.kid && verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), key.publicKey, Buffer.from(parts[2], 'base64url'));
    checked = { claims, valid };
  } catch {
    checked = null;
  }
  if (cache.size >= CHECKED_TOKENS_KEPT) cache.delete(cache.keys().next().value!);
  cache.set(token, checked);
  return checked;
}

/** Checks the bearer token of a request for the given resource: signature, issuer, lifetime, audience. */
export function validateToken(
  req: SbRequest,
  key: SigningKey,
  expected: { resource: string; tenantId: string; now: number },
): { ok: true; claims: TokenClaims } | { ok: false; problem: TokenProblem } {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return { ok: false, problem: { kind: 'missing' } };
  if (m[1].split('.').length !== 3) return { ok: false, problem: { kind: 'malformed' } };
  const checked = checkSignature(m[1], key);
  if (!checked) return { ok: false, problem: { kind: 'malformed' } };
  const { claims } = checked;
  if (!claims || typeof claims !== 'object') return { ok: false, problem: { kind: 'malformed' } };
  if (!checked.valid) return { ok: false, problem: { kind: 'signature' } };
  if (claims.iss !== issuerFor(expected.tenantId) || claims.tid !== expected.tenantId) return { ok: false, problem: { kind: 'issuer' } };
  const nowSeconds = expected.now / 1000;
  if (typeof claims.exp !== 'number' || nowSeconds >= claims.exp) return { ok: false, problem: { kind: 'expired', exp: Number(claims.exp) } };
  if (typeof claims.nbf === 'number' && nowSeconds < claims.nbf) return { ok: false, problem: { kind: 'malformed' } };
  if (typeof claims.aud !== 'string' || !sameResource(claims.aud, expected.resource)) {
    return { ok: false, problem: { kind: 'audience', aud: String(claims.aud) } };
  }
  return { ok: true, claims };
}
