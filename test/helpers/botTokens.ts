import { createHmac, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The Bot Connector's side of authentication, offline: an OpenID metadata document and a keys
 * document (JWK with Bot Framework's `endorsements`) on loopback, with keys made here, and tokens
 * signed with them. Shapes as Microsoft Learn, "Authentication with the Bot Connector API",
 * "Connector to Bot" steps 2–4, describes them; a second pair of documents stands for Entra ID's
 * (the Emulator and skill path's), so such tokens are genuinely signed by a key the SDK would find.
 */

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  endorsements?: string[];
}

export function signingKey(kid: string, endorsements?: string[]): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey, endorsements };
}

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export interface TokenParts {
  header?: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** An RS256 JWT signed with `key` (header kid = key.kid unless the header says otherwise). */
export function signRs256(key: SigningKey, { header = {}, claims }: TokenParts): string {
  const head = b64({ alg: 'RS256', typ: 'JWT', kid: key.kid, x5t: key.kid, ...header });
  const body = b64(claims);
  const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key.privateKey).toString('base64url');
  return `${head}.${body}.${signature}`;
}

/** HS256 with the published public key as the HMAC secret: the classic algorithm-confusion forgery. */
export function signHs256WithPublicKey(key: SigningKey, claims: Record<string, unknown>): string {
  const head = b64({ alg: 'HS256', typ: 'JWT', kid: key.kid });
  const body = b64(claims);
  const secret = key.publicKey.export({ type: 'spki', format: 'pem' });
  return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
}

export function unsigned(claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  return `${b64({ alg: 'none', typ: 'JWT', ...header })}.${b64(claims)}.`;
}

function jwk(key: SigningKey) {
  const { n, e } = key.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  return { kty: 'RSA', use: 'sig', kid: key.kid, x5t: key.kid, n, e, ...(key.endorsements ? { endorsements: key.endorsements } : {}) };
}

/** Loopback OpenID documents: `/channel/...` for the Bot Connector, `/entra/...` for Entra ID. */
export class OpenIdServer {
  private server?: http.Server;
  url = '';
  /** Paths requested, in order. */
  readonly requests: string[] = [];

  constructor(
    private readonly channelKeys: SigningKey[],
    private readonly entraKeys: SigningKey[],
  ) {}

  get channelMetadataUrl(): string {
    return `${this.url}/channel/v1/.well-known/openidconfiguration`;
  }

  get entraMetadataUrl(): string {
    return `${this.url}/entra/v2.0/.well-known/openid-configuration`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.requests.push(req.url ?? '');
      const send = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      switch (req.url) {
        case '/channel/v1/.well-known/openidconfiguration':
          return send({
            issuer: 'https://api.botframework.com',
            authorization_endpoint: 'https://invalid.botframework.com',
            jwks_uri: `${this.url}/channel/v1/.well-known/keys`,
            id_token_signing_alg_values_supported: ['RS256'],
            token_endpoint_auth_methods_supported: ['private_key_jwt'],
          });
        case '/channel/v1/.well-known/keys':
          return send({ keys: this.channelKeys.map(jwk) });
        case '/entra/v2.0/.well-known/openid-configuration':
          return send({ issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0', jwks_uri: `${this.url}/entra/discovery/v2.0/keys` });
        case '/entra/discovery/v2.0/keys':
          return send({ keys: this.entraKeys.map(jwk) });
        default:
          res.writeHead(404);
          res.end();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
