import { isAppError, userMessage } from '../../src/errors';
import { ClientCredentialsTokenProvider, SCOPES, scopesFor, type TokenProvider } from '../../src/provisioning/http/auth';
import { createClients } from '../../src/provisioning/clients';
import { FAST, SEED, openTenant, rejection, type Tenant } from './tenant';

let tenant: Tenant;
beforeAll(async () => {
  tenant = await openTenant();
});
afterAll(async () => {
  await tenant.close();
});
beforeEach(() => tenant.control.reset({ settings: FAST }));

function provider(overrides: Partial<ConstructorParameters<typeof ClientCredentialsTokenProvider>[0]> = {}) {
  const requests: { url: string; body: URLSearchParams }[] = [];
  let now = Date.parse('2026-01-01T00:00:00Z');
  const p = new ClientCredentialsTokenProvider({
    authorityHost: tenant.url,
    tenantId: SEED.tenantId,
    clientId: SEED.app.clientId,
    clientSecret: SEED.app.clientSecret,
    secretSetting: 'SANDBOX_CLIENT_SECRET',
    now: () => now,
    fetch: async (input, init) => {
      requests.push({ url: String(input), body: new URLSearchParams(String(init?.body)) });
      return fetch(input, init);
    },
    ...overrides,
  });
  return { p, requests, advance: (ms: number) => (now += ms) };
}

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

describe('the scopes the product asks for', () => {
  it('are the same real scopes in both modes; only the Dataverse environment URL differs', () => {
    expect(scopesFor({ graph: 'x', dataverse: 'https://contoso.crm4.dynamics.com', bap: 'y', bc: 'z' })).toEqual({
      graph: 'https://graph.microsoft.com/.default',
      bap: 'https://service.powerapps.com/.default',
      bc: 'https://api.businesscentral.dynamics.com/.default',
      dataverse: 'https://contoso.crm4.dynamics.com/.default',
    });
    // Sandbox mode: the same table; the environment URL is the sandbox's /dataverse.
    expect(scopesFor(tenant.config.endpoints)).toEqual({
      graph: 'https://graph.microsoft.com/.default',
      bap: 'https://service.powerapps.com/.default',
      bc: 'https://api.businesscentral.dynamics.com/.default',
      dataverse: `${tenant.url}/dataverse/.default`,
    });
  });
});

describe('ClientCredentialsTokenProvider against the sandbox token endpoint', () => {
  it('sends one form-encoded client-credentials request per scope and caches each token until shortly before it expires', async () => {
    const { p, requests, advance } = provider();
    const graph = await p.getToken(SCOPES.graph);
    expect(claims(graph)).toMatchObject({ aud: 'https://graph.microsoft.com', roles: SEED.app.graphRoles });
    expect(claims(await p.getToken(SCOPES.bap)).aud).toBe('https://service.powerapps.com/');
    expect(await p.getToken(SCOPES.graph)).toBe(graph);
    expect(requests).toHaveLength(2);
    expect(requests[0].url).toBe(`${tenant.url}/${SEED.tenantId}/oauth2/v2.0/token`);
    expect(Object.fromEntries(requests[0].body)).toEqual({ grant_type: 'client_credentials', client_id: SEED.app.clientId, client_secret: SEED.app.clientSecret, scope: SCOPES.graph });

    advance(3599_000 - 300_000 - 1); // just before the refresh point (five minutes before expiry)
    expect(await p.getToken(SCOPES.graph)).toBe(graph);
    advance(2);
    await p.getToken(SCOPES.graph);
    expect(requests).toHaveLength(3);
    p.invalidate(SCOPES.bap);
    await p.getToken(SCOPES.bap);
    expect(requests).toHaveLength(4);
  });

  it('asks once for concurrent callers of the same scope', async () => {
    const { p, requests } = provider();
    const tokens = await Promise.all([1, 2, 3].map(() => p.getToken(SCOPES.bc)));
    expect(new Set(tokens).size).toBe(1);
    expect(requests).toHaveLength(1);
  });

  it('turns a refused secret into auth_failed naming the setting, never the secret', async () => {
    const { p } = provider({ clientSecret: 'not-the-secret' });
    const error = await rejection(p.getToken(SCOPES.graph));
    expect(error).toMatchObject({ code: 'auth_failed', serviceCode: 'AADSTS7000215', status: 401 });
    expect(error.message).toBe(`Could not get an access token for graph.microsoft.com: the sign-in service refused the client secret of app ${SEED.app.clientId}. Check SANDBOX_CLIENT_SECRET.`);
    expect(error.message).not.toContain('not-the-secret');
    expect(userMessage(error, 'nb')).toBe(`Fikk ikke tilgangstoken for graph.microsoft.com: påloggingstjenesten avviste klienthemmeligheten til appen ${SEED.app.clientId}. Kontroller SANDBOX_CLIENT_SECRET.`);
    const unknown = await rejection(provider({ clientId: '11111111-2222-4333-8444-555555555555' }).p.getToken(SCOPES.graph));
    expect(unknown.serviceCode).toBe('AADSTS700016');
    expect(unknown.message).toContain('is not registered in tenant');
  });

  it('the HTTP policy renews a token the service refuses (401) once, then reports the refusal', async () => {
    const real = provider().p;
    let stale = true;
    const asked: string[] = [];
    const tokens: TokenProvider = {
      getToken: async (scope) => (asked.push(scope), stale ? 'stale.token.value' : real.getToken(scope)),
      invalidate: () => {
        stale = false;
      },
    };
    const clients = createClients({ config: tenant.config, tokens, policy: { retry: { baseDelayMs: 5, maxDelayMs: 40 } } });
    expect((await clients.directory.getOrganization()).id).toBe(SEED.tenantId);
    expect(asked).toEqual([SCOPES.graph, SCOPES.graph]);

    const never: TokenProvider = { getToken: async () => 'stale.token.value', invalidate: () => undefined };
    const refused = await rejection(createClients({ config: tenant.config, tokens: never }).directory.getOrganization());
    expect(isAppError(refused, 'auth_failed')).toBe(true);
  });

  it('a 403 names the README permission the request relies on', async () => {
    await tenant.control.app({ graphRoles: ['User.ReadWrite.All'] });
    const error = await rejection(tenant.clients().directory.listSubscribedSkus());
    expect(error).toMatchObject({ code: 'forbidden', status: 403, serviceCode: 'Authorization_RequestDenied', grant: 'graph:Organization.Read.All' });
    expect(error.message).toContain('needs the Microsoft Graph application permission Organization.Read.All');
  });
});
