import { SEED } from '../../src/sandbox';
import { SCOPE, tokenFor } from '../helpers/sandboxAuth';
import { TestTenant } from './helpers';

let t: TestTenant;
beforeAll(async () => {
  t = await TestTenant.start();
});
afterAll(() => t.close());
beforeEach(() => t.control('POST', '/reset'));

async function requestToken(fields: Record<string, string>, tenant: string = SEED.tenantId) {
  const res = await fetch(`${t.url}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: (await res.json()) };
}

const good = (scope: string) => ({ grant_type: 'client_credentials', client_id: SEED.app.clientId, client_secret: SEED.app.clientSecret, scope });

function claims(token: string): any {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

const bcApi = `/bc/v2.0/${SEED.tenantId}/${SEED.businessCentral.environment}/api/v2.0/companies`;
const bapApi = `/bap/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?api-version=2020-10-01`;

describe('Sandbox token endpoint (Entra v2.0 client credentials)', () => {
  it('answers a client-credentials request with a Bearer JWT whose aud is the resource and roles the app permissions', async () => {
    const { status, body } = await requestToken(good(SCOPE.graph));
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    const header = JSON.parse(Buffer.from(body.access_token.split('.')[0], 'base64url').toString('utf8'));
    expect(header).toMatchObject({ typ: 'JWT', alg: 'RS256' });
    const keys = (await (await fetch(`${t.url}/${SEED.tenantId}/discovery/v2.0/keys`)).json());
    expect(keys.keys.map((k: any) => k.kid)).toContain(header.kid);
    const c = claims(body.access_token);
    expect(c).toMatchObject({
      aud: 'https://graph.microsoft.com',
      iss: `https://login.microsoftonline.com/${SEED.tenantId}/v2.0`,
      tid: SEED.tenantId,
      appid: SEED.app.clientId,
      azp: SEED.app.clientId,
      idtyp: 'app',
      roles: SEED.app.graphRoles,
    });
    expect(c.exp - c.iat).toBe(3599);

    const audiences = await Promise.all([SCOPE.bap, SCOPE.bc, SCOPE.dataverse(t.url)].map(async (s) => claims(await tokenFor(t.url, s))));
    expect(audiences.map((x) => x.aud)).toEqual(['https://service.powerapps.com/', 'https://api.businesscentral.dynamics.com', `${t.url}/dataverse`]);
    expect(audiences.map((x) => x.roles)).toEqual([undefined, SEED.app.businessCentralRoles, undefined]);
  });

  it('refuses like Entra: unknown tenant, app, secret, scope and resource, each with its AADSTS code', async () => {
    const cases: [Record<string, string>, string, number, string, number][] = [
      [{ ...good(SCOPE.graph), client_id: '11111111-2222-3333-4444-555555555555' }, SEED.tenantId, 400, 'unauthorized_client', 700016],
      [{ ...good(SCOPE.graph), client_secret: 'wrong' }, SEED.tenantId, 401, 'invalid_client', 7000215],
      [{ grant_type: 'client_credentials', client_id: SEED.app.clientId, scope: SCOPE.graph }, SEED.tenantId, 401, 'invalid_client', 7000216],
      [good('https://graph.microsoft.com/User.Read.All'), SEED.tenantId, 400, 'invalid_scope', 70011],
      [good('https://api.bap.microsoft.com/.default'), SEED.tenantId, 400, 'invalid_resource', 500011],
      [good(SCOPE.graph), '00000000-0000-0000-0000-000000000000', 400, 'invalid_tenant', 90002],
      [{ ...good(SCOPE.graph), grant_type: 'password' }, SEED.tenantId, 400, 'unsupported_grant_type', 70003],
    ];
    for (const [fields, tenant, status, error, code] of cases) {
      const res = await requestToken(fields, tenant);
      expect({ status: res.status, error: res.body.error, codes: res.body.error_codes }).toEqual({ status, error, codes: [code] });
      expect(res.body.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
      expect(res.body).toEqual(expect.objectContaining({ trace_id: expect.any(String), correlation_id: expect.any(String), timestamp: expect.any(String) }));
      expect(JSON.stringify(res.body)).not.toContain(SEED.app.clientSecret);
    }
  });

  it('accepts the tenant by a verified domain name too', async () => {
    expect((await requestToken(good(SCOPE.graph), SEED.domains.verified)).status).toBe(200);
  });
});

describe('Every sandbox API checks the token: audience, signature, lifetime', () => {
  it('answers a token for another audience with 401 in each service\'s own format', async () => {
    const bapToken = await tokenFor(t.url, SCOPE.bap);
    const graphToken = await tokenFor(t.url, SCOPE.graph);
    const wrong = { authorization: `Bearer ${bapToken}` };
    const graph = await t.call('GET', '/graph/v1.0/users', undefined, wrong);
    expect(graph.status).toBe(401);
    expect(graph.body.error).toMatchObject({ code: 'InvalidAuthenticationToken', message: 'Access token validation failure. Invalid audience.' });
    const dv = await t.call('GET', '/dataverse/api/data/v9.2/WhoAmI', undefined, wrong);
    expect(dv.status).toBe(401);
    expect(dv.headers.get('www-authenticate')).toContain(`resource_id=${t.url}/dataverse/`);
    const bap = await t.call('GET', bapApi, undefined, { authorization: `Bearer ${graphToken}` });
    expect(bap.status).toBe(401);
    expect(bap.body.error.code).toBe('InvalidAuthenticationTokenAudience');
    expect(bap.body.error.message).toContain("'https://service.powerapps.com/'");
    const bc = await t.call('GET', bcApi, undefined, wrong);
    expect(bc.status).toBe(401);
    expect(bc.body.error.code).toBe('Authentication_InvalidCredentials');
  });

  it('refuses a tampered, foreign-signed or expired token', async () => {
    const token = await tokenFor(t.url, SCOPE.graph);
    const [h, p, sig] = token.split('.');
    const forged = { ...claims(token), roles: ['Directory.ReadWrite.All'] };
    const tampered = `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${sig}`;
    // The genuine token is accepted first (the sandbox remembers its check): that changes nothing
    // for the tampered one, nor for the genuine one sent to another service.
    expect((await t.call('GET', '/graph/v1.0/users', undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await t.call('GET', bcApi, undefined, { authorization: `Bearer ${token}` })).status).toBe(401);
    expect((await t.call('GET', '/graph/v1.0/users', undefined, { authorization: `Bearer ${tampered}` })).body.error.message).toBe('Access token validation failure.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    expect((await t.call('GET', '/graph/v1.0/users', undefined, { authorization: `Bearer ${unsigned}` })).status).toBe(401);
    expect((await t.call('GET', '/graph/v1.0/users', undefined, { authorization: 'Bearer not-a-jwt' })).status).toBe(401);

    // A token from another run of the sandbox (another signing key) is not accepted either.
    const other = await TestTenant.start();
    try {
      const foreign = await tokenFor(other.url, SCOPE.graph);
      expect((await t.call('GET', '/graph/v1.0/users', undefined, { authorization: `Bearer ${foreign}` })).status).toBe(401);
    } finally {
      await other.close();
    }

    await t.control('PATCH', '/settings', { tokenLifetimeSeconds: 0 });
    const expired = await tokenFor(t.url, SCOPE.graph);
    const res = await t.call('GET', '/graph/v1.0/users', undefined, { authorization: `Bearer ${expired}` });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('Lifetime validation failed, the token is expired.');
  });
});

describe('Every sandbox API checks the permission the endpoint needs', () => {
  it('Graph: 403 Authorization_RequestDenied without any of the permissions Learn lists; a higher one is enough', async () => {
    await t.control('PATCH', '/app', { graphRoles: ['Organization.Read.All'] });
    const users = await t.graph('GET', '/users?$select=id');
    expect(users.status).toBe(403);
    expect(users.body.error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
    expect((await t.graph('GET', '/subscribedSkus')).status).toBe(200);
    expect((await t.graph('POST', `/users/${SEED.admin.id}/checkMemberGroups`, { groupIds: [SEED.approverGroupId] })).status).toBe(403);

    // User.ReadWrite.All includes reading users and assigning licences (Learn: Get user, assignLicense).
    await t.control('PATCH', '/app', { graphRoles: ['User.ReadWrite.All'] });
    expect((await t.graph('GET', `/users/${SEED.admin.id}`)).status).toBe(200);
    const assign = await t.graph('POST', `/users/${SEED.users.oysteinBakke.id}/assignLicense`, { addLicenses: [{ skuId: SEED.skus.sales, disabledPlans: [] }], removeLicenses: [] });
    expect(assign.status).toBe(200);
    expect((await t.graph('GET', '/organization')).status).toBe(403);
    // Directory.Read.All reads users but does not write them.
    await t.control('PATCH', '/app', { graphRoles: ['Directory.Read.All'] });
    expect((await t.graph('GET', `/users/${SEED.admin.id}`)).status).toBe(200);
    expect((await t.graph('PATCH', `/users/${SEED.admin.id}`, { jobTitle: 'x' })).status).toBe(403);
  });

  it('Graph $batch: each item is checked on its own, the envelope answers 200', async () => {
    await t.control('PATCH', '/app', { graphRoles: ['Organization.Read.All'] });
    const res = await t.graph('POST', '/$batch', {
      requests: [
        { id: '1', method: 'GET', url: '/subscribedSkus' },
        { id: '2', method: 'GET', url: `/users/${SEED.admin.id}` },
      ],
    });
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.responses.map((r: any) => [r.id, r]));
    expect(byId['1'].status).toBe(200);
    expect(byId['2'].status).toBe(403);
    expect(byId['2'].body.error.code).toBe('Authorization_RequestDenied');
  });

  it('Dataverse: not an application user → 403 0x80072560; no System Administrator → 403 missing privilege; WhoAmI still answers', async () => {
    await t.control('PATCH', '/app', { dataverseSystemAdministrator: false });
    expect((await t.dv('GET', 'WhoAmI')).status).toBe(200);
    const read = await t.dv('GET', 'systemusers?$select=fullname');
    expect(read.status).toBe(403);
    expect(read.body.error.code).toBe('0x80040220');
    expect(read.body.error.message).toMatch(/is missing prvRead\w+ privilege/);

    await t.control('PATCH', '/app', { dataverseApplicationUser: false });
    const who = await t.dv('GET', 'WhoAmI');
    expect(who.status).toBe(403);
    expect(who.body.error).toEqual({ code: '0x80072560', message: 'The user is not a member of the organization.' });

    const back = await t.control('PATCH', '/app', { dataverseApplicationUser: true, dataverseSystemAdministrator: true });
    expect(back.body).toMatchObject({ dataverseApplicationUser: true, dataverseSystemAdministrator: true });
    expect((await t.dv('GET', 'WhoAmI')).body.UserId).toBe(SEED.dataverse.systemUsers.assistantApp);
    expect((await t.dv('GET', 'systemusers?$select=fullname')).status).toBe(200);
  });

  it('Power Platform admin API: 403 Forbidden "does not have permission to access the path" unless a management app', async () => {
    expect((await t.call('GET', bapApi)).status).toBe(200);
    await t.control('PATCH', '/app', { powerPlatformManagementApp: false });
    const res = await t.call('GET', bapApi);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('Forbidden');
    expect(res.body.error.message).toContain(`The service principal with id '${SEED.servicePrincipals.assistant}' for application ${SEED.app.clientId} does not have permission to access the path`);
  });

  it('Business Central: 401 Authentication_InvalidCredentials without API.ReadWrite.All or the Entra application registration', async () => {
    expect((await t.call('GET', bcApi)).status).toBe(200);
    await t.control('PATCH', '/app', { businessCentralEntraApplication: false });
    expect((await t.call('GET', bcApi)).body.error.code).toBe('Authentication_InvalidCredentials');
    await t.control('PATCH', '/app', { businessCentralEntraApplication: true, businessCentralRoles: [] });
    const res = await t.call('GET', bcApi);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/^The server has rejected the client credentials\./);
  });

  it('the control API shows the registration without the secret, validates a patch, and a reset restores the README grants', async () => {
    const view = await t.control('GET', '/app');
    expect(view.body).toMatchObject({ clientId: SEED.app.clientId, graphRoles: SEED.app.graphRoles, powerPlatformManagementApp: true, businessCentralEntraApplication: true, dataverseApplicationUser: true, dataverseSystemAdministrator: true });
    expect(JSON.stringify(view.body)).not.toMatch(/secret/i);
    expect((await t.control('PATCH', '/app', { graphRoles: ['not a permission'] })).status).toBe(400);
    expect((await t.control('PATCH', '/app', { owner: 'x' })).status).toBe(400);
    await t.control('PATCH', '/app', { graphRoles: [] });
    await t.control('POST', '/reset');
    expect((await t.control('GET', '/app')).body.graphRoles).toEqual(SEED.app.graphRoles);
    expect(JSON.stringify((await t.control('GET', '/state')).body)).not.toContain(SEED.app.clientSecret);
  });
});
