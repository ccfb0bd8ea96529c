/**
 * Tokens for tests that call the sandbox tenant's APIs directly (as an auditor reading the end
 * state would): the client credentials flow against the sandbox's token endpoint, with the seeded
 * app registration, one scope per service as the product asks for them.
 */
import { SEED } from '../../src/sandbox';

export const SCOPE = {
  graph: 'https://graph.microsoft.com/.default',
  bap: 'https://service.powerapps.com/.default',
  bc: 'https://api.businesscentral.dynamics.com/.default',
  dataverse: (sandboxUrl: string) => `${sandboxUrl}/dataverse/.default`,
};

/** The scope a sandbox path belongs to ("/graph/…", "/dataverse/…", "/bap/…", "/bc/…"). */
export function scopeForPath(sandboxUrl: string, pathOrUrl: string): string | undefined {
  const path = pathOrUrl.startsWith('http') ? new URL(pathOrUrl).pathname : pathOrUrl;
  if (path.startsWith('/graph')) return SCOPE.graph;
  if (path.startsWith('/dataverse')) return SCOPE.dataverse(sandboxUrl);
  if (path.startsWith('/bap')) return SCOPE.bap;
  if (path.startsWith('/bc')) return SCOPE.bc;
  return undefined;
}

/** A fresh access token for the scope (not cached: a test may have changed the app's permissions). */
export async function tokenFor(sandboxUrl: string, scope: string): Promise<string> {
  const response = await fetch(`${sandboxUrl}/${SEED.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: SEED.app.clientId, client_secret: SEED.app.clientSecret, scope }).toString(),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token) throw new Error(`sandbox token for ${scope}: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** `{ authorization: 'Bearer …' }` for a request to a sandbox path or URL. */
export async function authFor(sandboxUrl: string, pathOrUrl: string): Promise<Record<string, string>> {
  const scope = scopeForPath(sandboxUrl, pathOrUrl);
  return scope ? { authorization: `Bearer ${await tokenFor(sandboxUrl, scope)}` } : {};
}
