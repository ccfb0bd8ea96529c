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
}

/** Sandbox mode: the local tenant accepts any bearer token. */
export class DevelopmentTokenProvider implements TokenProvider {
  constructor(private readonly token: string) {}
  async getToken(): Promise<string> {
    return this.token;
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
    case 'development':
      return new DevelopmentTokenProvider(config.token);
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

/** The OAuth scope of each service. Dataverse's scope is its organisation URL. */
export function scopesFor(endpoints: Endpoints, mode: 'sandbox' | 'tenant') {
  if (mode === 'sandbox') {
    const s = 'https://sandbox.invalid/.default';
    return { graph: s, dataverse: s, bap: s, bc: s };
  }
  return {
    graph: 'https://graph.microsoft.com/.default',
    dataverse: `${new URL(endpoints.dataverse).origin}/.default`,
    bap: 'https://api.bap.microsoft.com/.default',
    bc: 'https://api.businesscentral.dynamics.com/.default',
  };
}
