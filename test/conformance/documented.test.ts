/**
 * Microsoft's documented examples (fixtures/*.ts, each naming its source), held against the
 * product from both sides:
 *  (a) the sandbox answers each documented request as documented: the status, and every field
 *      the product reads is there with the documented JSON kind;
 *  (b) each client parses each documented response (fed to it through a stub fetch in the HTTP
 *      policy, with tenant-mode URLs exactly as Microsoft's examples have them).
 */
import type { Config } from '../../src/config';
import { createClients, DirectoryClient, type Clients } from '../../src/provisioning/clients';
import { lookUpUsers } from '../../src/provisioning/observe/directoryReads';
import { FAST, SEED, openTenant, type Tenant } from '../contract/tenant';
import * as bap from './fixtures/bap';
import * as bc from './fixtures/bc';
import * as dataverse from './fixtures/dataverse';
import * as graph from './fixtures/graph';
import type { DocumentedExample } from './fixtures/types';

// --- helpers ---------------------------------------------------------------------------------

type Kind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object' | 'absent';
const kindOf = (v: unknown): Kind => (v === undefined ? 'absent' : v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as Kind));

/** Values at a path such as `value[].servicePlans[].servicePlanId` (every element of each array). */
function at(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  for (const raw of path.split('.')) {
    const each = raw.endsWith('[]');
    const key = each ? raw.slice(0, -2) : raw;
    current = current.map((v) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined));
    if (each) current = current.flatMap((v) => (Array.isArray(v) ? v : [undefined]));
  }
  return current;
}

/** Every field the product reads has, in `actual`, the kind the documented body gives it. */
function expectReadsLikeDocumented(example: DocumentedExample, actual: unknown): void {
  const problems: string[] = [];
  for (const path of example.reads) {
    const all = new Set(at(example.response.body, path).map(kindOf));
    const documented = new Set(all);
    documented.delete('absent');
    if (documented.size === 0) continue;
    const got = at(actual, path);
    if (got.length === 0) problems.push(`${path}: absent`);
    for (const value of got) {
      const kind = kindOf(value);
      // Absent is right only where the documented body leaves the field out too (e.g. no Dataverse).
      if (kind === 'absent' && all.has('absent')) continue;
      if (!documented.has(kind) && !documented.has('null')) problems.push(`${path}: ${kind} (${JSON.stringify(value)?.slice(0, 60)}), documented ${[...documented].join('/')}`);
    }
  }
  expect({ example: example.name, problems }).toEqual({ example: example.name, problems: [] });
}

const tenantConfig: Config = {
  mode: 'tenant',
  access: { adminIds: [], approverIds: [], approvalMode: 'first', twoPersonRule: false, expiryMs: 86_400_000 },
  port: 3978,
  logLevel: 'silent',
  stateDir: '.state',
  tenantId: '7a1c5f3e-0b6d-4c2a-9e51-3d8f2b6a4c10',
  endpoints: {
    graph: 'https://graph.microsoft.com/v1.0',
    dataverse: 'https://contoso.crm4.dynamics.com',
    bap: 'https://api.bap.microsoft.com',
    bc: 'https://api.businesscentral.dynamics.com/v2.0',
  },
  defaults: { dataverseUrl: 'https://contoso.crm4.dynamics.com', bapEnvironmentId: '00000000-0000-0000-0000-000000000001', bcEnvironment: 'Production' },
  bot: { appId: '', appType: 'SingleTenant', appTenantId: '' },
  credential: { kind: 'secret', tenantId: '7a1c5f3e-0b6d-4c2a-9e51-3d8f2b6a4c10', clientId: '00000000-0000-0000-0000-000000000002', clientSecret: 'unused' },
};

interface Seen {
  method: string;
  url: string;
  body?: string;
}

/** Clients in tenant mode whose fetch answers with the documented responses, in order. */
function documentedClients(responses: DocumentedExample['response'][]): { clients: Clients; seen: Seen[]; waits: number[] } {
  const seen: Seen[] = [];
  const waits: number[] = [];
  const queue = [...responses];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    seen.push({ method: init?.method ?? 'GET', url: String(input), body: typeof init?.body === 'string' ? init.body : undefined });
    const next = queue.shift();
    if (!next) throw new Error(`no documented response left for ${init?.method} ${String(input)}`);
    const text = next.text ?? (next.body === undefined ? '' : JSON.stringify(next.body));
    const status = next.status;
    return new Response(status === 204 || text === '' ? null : text, { status, headers: { 'content-type': 'application/json', ...next.headers } });
  };
  const clients = createClients({
    config: tenantConfig,
    tokens: { getToken: async () => 'documented' },
    policy: { fetch: fetch, sleep: async (ms) => void waits.push(ms), random: () => 0.5 },
    batchRetry: { sleep: async (ms) => void waits.push(ms) },
  });
  return { clients, seen, waits };
}

// --- (a) the sandbox answers the documented requests as documented ---------------------------

describe('the sandbox answers Microsoft\'s documented requests as documented', () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await openTenant();
  });
  afterAll(async () => {
    await tenant.close();
  });
  beforeEach(() => tenant.control.reset({ settings: FAST }));

  const graphUrl = (path: string) => `${tenant.config.endpoints.graph}${path}`;
  const dvUrl = (path: string) => `${tenant.config.endpoints.dataverse}/api/data/v9.2/${path}`;
  const bapUrl = (path: string) => `${tenant.config.endpoints.bap}/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments${path}`;
  const bcUrl = (path: string) => `${tenant.config.endpoints.bc}/${SEED.tenantId}/${SEED.businessCentral.environment}/api/v2.0/${path}`;

  async function send(service: 'graph' | 'bap' | 'bc' | 'dataverse', example: DocumentedExample, url: string, body: unknown = example.request.body) {
    const clients = tenant.clients({ retry: { maxAttempts: 1 } });
    const policy = service === 'dataverse' ? (clients.sales(), clients.policies.dataverse.values().next().value!) : clients.policies[service];
    const response = await policy.send({ method: example.request.method, url, headers: example.request.headers, json: body });
    expect({ example: example.name, status: response.status, body: response.text.slice(0, 300) }).toEqual({ example: example.name, status: example.response.status, body: expect.any(String) });
    return { response, body: response.text ? response.json<Record<string, unknown>>() : undefined };
  }

  it(`${graph.createUser.name}: 201, and only Graph's default properties come back`, async () => {
    const doc = graph.createUser;
    const body = { ...(doc.request.body as Record<string, unknown>), userPrincipalName: `AdeleV@${SEED.domains.initial}` };
    const { body: created } = await send('graph', doc, graphUrl('/users'), body);
    expectReadsLikeDocumented(doc, created);
    expect(Object.keys(created!).filter((k) => !k.startsWith('@odata.') && !graph.USER_DEFAULT_PROPERTIES.includes(k))).toEqual([]);
  });

  it(`${graph.getUser.name}: 200 with the default property set only`, async () => {
    const { body } = await send('graph', graph.getUser, graphUrl(`/users/${SEED.admin.id}`));
    expectReadsLikeDocumented(graph.getUser, body);
    expect(Object.keys(body!).filter((k) => !k.startsWith('@odata.') && !graph.USER_DEFAULT_PROPERTIES.includes(k))).toEqual([]);
  });

  it(`${graph.assignLicense.name}: 200`, async () => {
    await send('graph', graph.assignLicense, graphUrl(`/users/${SEED.users.oysteinBakke.id}/assignLicense`), { addLicenses: [{ disabledPlans: [], skuId: SEED.skus.sales }], removeLicenses: [] });
  });

  it(`${graph.subscribedSkus.name}: 200 with every field the product reads`, async () => {
    const { body } = await send('graph', graph.subscribedSkus, graphUrl('/subscribedSkus'));
    expectReadsLikeDocumented(graph.subscribedSkus, body);
  });

  it(`${graph.listOrganization.name}: 200 with the verified domains`, async () => {
    const { body } = await send('graph', graph.listOrganization, graphUrl('/organization'));
    expectReadsLikeDocumented(graph.listOrganization, body);
  });

  it(`${graph.listUsersEndsWith.name}: 200 with @odata.count`, async () => {
    const doc = graph.listUsersEndsWith;
    const path = doc.request.url.replace('https://graph.microsoft.com/v1.0', '').replace("'a@contoso.com'", `'@${SEED.domains.verified}'`);
    const { body } = await send('graph', doc, graphUrl(path.replace(/ /g, '%20')));
    expect(typeof body!['@odata.count']).toBe('number');
    expectReadsLikeDocumented(doc, body);
  });

  // The page's example addresses /directoryObjects/{id}; its HTTP request section lists
  // /users/{id | userPrincipalName}/checkMemberGroups, the form the product sends.
  it(`${graph.checkMemberGroups.name}: 200 on /users/{id}`, async () => {
    const doc = graph.checkMemberGroups;
    const other = '00000000-0000-4000-8000-000000000001';
    const { body } = await send('graph', doc, graphUrl(`/users/${SEED.admin.id}/checkMemberGroups`), { groupIds: [SEED.approverGroupId, other] });
    expectReadsLikeDocumented(doc, body);
    expect(body!.value).toEqual([SEED.approverGroupId]);
  });

  it(`${graph.paging.name}: the next link is absolute and keeps the query`, async () => {
    const { body } = await send('graph', graph.paging, graphUrl('/users?$top=5'));
    const next = String(body!['@odata.nextLink']);
    expect(next.startsWith(`${tenant.config.endpoints.graph}/users?`)).toBe(true);
    expect(new URL(next).searchParams.get('$top')).toBe('5');
    expect(new URL(next).searchParams.get('$skiptoken')).toBeTruthy();
  });

  it(`${graph.throttled.name}: 429, Retry-After in seconds, error code TooManyRequests`, async () => {
    await tenant.control.fault({ kind: '429', service: 'graph', pathContains: '/subscribedSkus', count: 1, retryAfterSeconds: 2 });
    const { response, body } = await send('graph', graph.throttled, graphUrl('/subscribedSkus'));
    expect(response.headers.get('retry-after')).toMatch(/^\d+(\.\d+)?$/);
    expect(body).toMatchObject({ error: { code: 'TooManyRequests', message: expect.any(String) } });
  });

  it(`${graph.batch.name}: 200 envelope, one response per id, each with status and body`, async () => {
    const doc = graph.batch;
    const { body } = await send('graph', doc, graphUrl('/$batch'), {
      requests: [{ id: '5', url: 'users?$select=id,displayName,userPrincipalName&$filter=city eq null&$count=true', method: 'GET', headers: { ConsistencyLevel: 'eventual' } }],
    });
    const responses = body!.responses as { id: string; status: number; body: Record<string, unknown> }[];
    expect(responses.map((r) => [r.id, r.status])).toEqual([['5', 200]]);
    expect(typeof responses[0].body['@odata.count']).toBe('number');
    expect(Object.keys((responses[0].body.value as object[])[0] ?? {}).sort()).toEqual(['displayName', 'id', 'userPrincipalName']);
  });

  it(`${dataverse.whoAmI.name}: 200 with the three ids`, async () => {
    const { body } = await send('dataverse', dataverse.whoAmI, dvUrl('WhoAmI'));
    expectReadsLikeDocumented(dataverse.whoAmI, body);
  });

  it(`${dataverse.systemUsers.name}: 200 with every column the product reads`, async () => {
    const state = await tenant.control.state<{ dataverse: { systemUsers: { systemuserid: string; azureactivedirectoryobjectid: string | null }[] } }>();
    const admin = state.dataverse.systemUsers.find((u) => u.systemuserid === SEED.dataverse.systemUsers.admin)!;
    const { body } = await send('dataverse', dataverse.systemUsers, dvUrl(`systemusers?$filter=${encodeURIComponent(`azureactivedirectoryobjectid eq ${admin.azureactivedirectoryobjectid}`)}`));
    expect((body!.value as unknown[]).length).toBe(1);
    expectReadsLikeDocumented(dataverse.systemUsers, body);
  });

  it(`${dataverse.associateRole.name}: 204 on systemuserroles_association`, async () => {
    const root = dvUrl('');
    await send('dataverse', dataverse.associateRole, dvUrl(`systemusers(${SEED.dataverse.systemUsers.admin})/systemuserroles_association/$ref`), {
      '@odata.id': `${root}roles(${SEED.dataverse.roles.root.salesManager})`,
    });
  });

  it(`${dataverse.notFoundError.name}: 404 { error: { code, message } } for an unknown segment`, async () => {
    const { body } = await send('dataverse', dataverse.notFoundError, dvUrl('Account'));
    expect(body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it(`${dataverse.throttled.name}: 429 with Retry-After and the documented error code`, async () => {
    await tenant.control.fault({ kind: '429', service: 'dataverse', pathContains: '/WhoAmI', count: 1, retryAfterSeconds: 5 });
    const { response, body } = await send('dataverse', dataverse.throttled, dvUrl('WhoAmI'));
    expect(response.headers.get('retry-after')).toBe('5');
    // The product reads the code and Retry-After; the sandbox words a scripted fault's message generically.
    expect(body).toMatchObject({ error: { code: '0x80072322', message: expect.stringMatching(/^Number of requests exceeded/) } });
  });

  it(`${bap.getEnvironment.name}: 200 with every field the product reads`, async () => {
    const { body } = await send('bap', bap.getEnvironment, bapUrl(`/${SEED.environment.bapId}?api-version=2023-06-01`));
    expectReadsLikeDocumented(bap.getEnvironment, body);
    expect(body!.id).toBe(`/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${SEED.environment.bapId}`);
  });

  it(`${bap.listEnvironments.name}: 200 { value: [...] }`, async () => {
    const { body } = await send('bap', bap.listEnvironments, bapUrl('?api-version=2023-06-01'));
    expectReadsLikeDocumented(bap.listEnvironments, body);
  });

  it(`${bap.addUser.name}: 200 for a licensed user`, async () => {
    await send('bap', bap.addUser, bapUrl(`/${SEED.environment.bapId}/addUser?api-version=2023-06-01`), { objectId: SEED.admin.id });
  });

  it(`${bc.companies.name}: 200 with the documented fields`, async () => {
    const { body } = await send('bc', bc.companies, bcUrl('companies'));
    expectReadsLikeDocumented(bc.companies, body);
  });

  it(`${bc.salespeople.name}: exactly the fields page 30075 declares`, async () => {
    const { body } = await send('bc', bc.salespeople, bcUrl(`companies(${SEED.businessCentral.companyId})/salespeoplePurchasers`));
    expectReadsLikeDocumented(bc.salespeople, body);
    const first = (body!.value as Record<string, unknown>[])[0];
    expect(Object.keys(first).filter((k) => !k.startsWith('@odata.')).sort()).toEqual([...bc.SALESPERSON_FIELDS].sort());
  });
});

// --- (b) the clients parse the documented responses ------------------------------------------

describe('the clients parse Microsoft\'s documented responses', () => {
  it(`${graph.createUser.name}`, async () => {
    const { clients, seen } = documentedClients([graph.createUser.response]);
    const body = graph.createUser.request.body as { userPrincipalName: string; displayName: string; mailNickname: string; passwordProfile: { password: string } };
    const created = await clients.directory.createUser({ userPrincipalName: body.userPrincipalName, displayName: body.displayName, mailNickname: body.mailNickname, password: body.passwordProfile.password });
    expect(created).toMatchObject({ id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd', userPrincipalName: 'AdeleV@contoso.onmicrosoft.com', displayName: 'Adele Vance', givenName: 'Adele', surname: 'Vance' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: 'https://graph.microsoft.com/v1.0/users' });
    expect(JSON.parse(seen[0].body!)).toMatchObject(graph.createUser.request.body as object);
  });

  it(`${graph.getUser.name}`, async () => {
    const { clients } = documentedClients([graph.getUser.response]);
    const user = await clients.directory.getUser('87d349ed-44d7-43e1-9a83-5f2406dee5bd');
    expect(user).toMatchObject({ id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd', userPrincipalName: 'AdeleV@contoso.com', mail: 'AdeleV@contoso.com', jobTitle: 'Retail Manager', usageLocation: null, accountEnabled: null, assignedLicenses: [] });
  });

  it(`${graph.assignLicense.name}`, async () => {
    const { clients, seen } = documentedClients([graph.assignLicense.response]);
    await clients.directory.assignLicense('87d349ed-44d7-43e1-9a83-5f2406dee5bd', '45715bb8-13f9-4bf6-927f-ef96c102d394', ['11b0131d-43c8-4bbb-b2c8-e80f9a50834a']);
    expect(JSON.parse(seen[0].body!)).toEqual({ addLicenses: [{ skuId: '45715bb8-13f9-4bf6-927f-ef96c102d394', disabledPlans: ['11b0131d-43c8-4bbb-b2c8-e80f9a50834a'] }], removeLicenses: [] });
  });

  it(`${graph.subscribedSkus.name}`, async () => {
    const { clients } = documentedClients([graph.subscribedSkus.response]);
    const skus = await clients.directory.listSubscribedSkus();
    expect(skus.map((s) => [s.skuPartNumber, s.capabilityStatus, s.consumedUnits, s.freeSeats, s.salesCapable])).toEqual([
      ['ENTERPRISEPREMIUM', 'Enabled', 14, 11, false],
      ['CRMSTANDARD', 'Suspended', 14, 0, false],
    ]);
    expect(skus[0].servicePlans[0]).toEqual({ servicePlanId: '8c098270-9dd4-4350-9b30-ba4703f3b36b', servicePlanName: 'ADALLOM_S_O365', provisioningStatus: 'Success', appliesTo: 'Company' });
  });

  it(`${graph.listOrganization.name}`, async () => {
    const { clients } = documentedClients([graph.listOrganization.response]);
    expect(await clients.directory.getOrganization()).toEqual({
      id: '84841066-274d-4ec0-a5c1-276be684bdd3',
      displayName: 'Contoso',
      countryLetterCode: 'NL',
      preferredLanguage: 'en',
      verifiedDomains: [{ name: 'Contoso.onmicrosoft.com', isDefault: true, isInitial: true, type: 'Managed', capabilities: 'Email, OfficeCommunicationsOnline' }],
    });
  });

  it(`${graph.listUsersEndsWith.name}`, async () => {
    // The product looks users up inside a $batch; the documented list answer is the item's body.
    const { clients } = documentedClients([{ status: 200, body: { responses: [{ id: '1', status: 200, body: graph.listUsersEndsWith.response.body }] } }]);
    const found = await lookUpUsers(clients.directory, { mails: ['gradya@contoso.com'] });
    expect(found.byMail.get('gradya@contoso.com')?.id).toBe('e8b753b5-4117-464e-9a08-713e1ff266b3');
  });

  it(`${graph.checkMemberGroups.name}`, async () => {
    const { clients, seen } = documentedClients([graph.checkMemberGroups.response]);
    const ids = (graph.checkMemberGroups.request.body as { groupIds: string[] }).groupIds;
    expect(await clients.directory.checkMemberGroups('4562bcc8-c436-4f95-b7c0-4f8ce89dca5e', ids)).toEqual((graph.checkMemberGroups.response.body as { value: string[] }).value);
    expect(JSON.parse(seen[0].body!)).toEqual({ groupIds: ids });
  });

  it(`${graph.paging.name}: the next link is requested exactly as Graph gave it`, async () => {
    const last = { status: 200, body: { value: [{ id: 'e8b753b5-4117-464e-9a08-713e1ff266b3', userPrincipalName: 'GradyA@contoso.com' }] } };
    const { clients, seen } = documentedClients([graph.paging.response, last]);
    const paged = new DirectoryClient({ endpoint: tenantConfig.endpoints.graph, policy: clients.policies.graph, pageSize: 5 });
    const users = await paged.listUsers();
    expect(users.map((u) => u.id)).toEqual(['e8b753b5-4117-464e-9a08-713e1ff266b3']);
    expect(seen[1].url).toBe((graph.paging.response.body as Record<string, string>)['@odata.nextLink']);
  });

  it(`${graph.throttled.name}: the policy waits the fractional Retry-After, then succeeds`, async () => {
    const { clients, waits } = documentedClients([graph.throttled.response, graph.subscribedSkus.response]);
    expect(await clients.directory.listSubscribedSkus()).toHaveLength(2);
    expect(waits).toEqual([2128]);
  });

  it(`${graph.batch.name}: results in request order, the 403 item coded forbidden`, async () => {
    const { clients, seen } = documentedClients([graph.batch.response]);
    const requests = (graph.batch.request.body as { requests: { id: string; method: 'GET' | 'DELETE'; url: string; headers?: Record<string, string> }[] }).requests;
    const results = await clients.directory.batch(requests.map((r) => ({ id: r.id, method: r.method, url: r.url, headers: r.headers })));
    expect(results.map((r) => [r.id, r.status])).toEqual([['3', 403], ['5', 200]]);
    expect(results[0].error?.code).toBe('forbidden');
    expect(results[1].error).toBeUndefined();
    expect((results[1].body as { value: { userPrincipalName: string }[] }).value[0].userPrincipalName).toBe('LynneR@contoso.com');
    expect(seen[0].url).toBe('https://graph.microsoft.com/v1.0/$batch');
  });

  it(`${dataverse.whoAmI.name}`, async () => {
    const { clients, seen } = documentedClients([dataverse.whoAmI.response]);
    expect(await clients.sales().whoAmI()).toEqual({ userId: 'd96e9f55-f06d-e511-80d0-00155db07cb1', businessUnitId: 'ded5a64f-f06d-e511-80d0-00155db07cb1', organizationId: '4faf1f34-f06d-e511-80d0-00155db07cb1' });
    expect(seen[0].url).toBe(dataverse.whoAmI.request.url);
  });

  it(`${dataverse.systemUsers.name}`, async () => {
    const { clients } = documentedClients([dataverse.systemUsers.response]);
    expect(await clients.sales().findSystemUserByAadObjectId('00000000-0000-0000-0000-000000000002')).toMatchObject({
      id: '00000000-0000-0000-0000-000000000002',
      domainName: 'jdoe@contoso.onmicrosoft.com',
      aadObjectId: '00000000-0000-0000-0000-000000000002',
      applicationId: null,
      isLicensed: true,
      isIntegrationUser: false,
      businessUnitId: '1360fdcb-b6e1-ee11-904c-002248dad9c1',
      email: 'jdoe@contoso.onmicrosoft.com',
      fullName: '# Joh Doe',
      isDisabled: false,
      accessMode: 0,
    });
  });

  it(`${dataverse.associateRole.name}: a 204 with no body is success`, async () => {
    const { clients, seen } = documentedClients([dataverse.associateRole.response]);
    await clients.sales().assignRole('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001');
    expect(seen[0].url).toBe('https://contoso.crm4.dynamics.com/api/data/v9.2/systemusers(00000000-0000-0000-0000-000000000002)/systemuserroles_association/$ref');
    expect(JSON.parse(seen[0].body!)).toEqual({ '@odata.id': 'https://contoso.crm4.dynamics.com/api/data/v9.2/roles(00000000-0000-0000-0000-000000000001)' });
  });

  it(`${dataverse.notFoundError.name}: the service code is kept, the message is the product's`, async () => {
    const { clients } = documentedClients([dataverse.notFoundError.response]);
    await expect(clients.sales().whoAmI()).rejects.toMatchObject({ code: 'not_found', serviceCode: '0x8006088a', status: 404 });
  });

  it(`${dataverse.throttled.name}: the policy waits Retry-After, then succeeds`, async () => {
    const { clients, waits } = documentedClients([dataverse.throttled.response, dataverse.whoAmI.response]);
    await clients.sales().whoAmI();
    expect(waits).toEqual([5000]);
  });

  it(`${dataverse.changeSetBatch.name}: one result per operation of the set, in order, with the parts' headers`, async () => {
    const { clients, seen } = documentedClients([dataverse.changeSetBatch.response]);
    const operations = (dataverse.changeSetBatch.request.body as Record<string, unknown>[]).map((body) => ({ method: 'POST' as const, url: 'tasks', body }));
    const results = await clients.sales().batch(operations, { changeSet: true });
    expect(results.map((r) => [r.status, r.error])).toEqual([[204, undefined], [204, undefined], [204, undefined]]);
    expect(results.map((r) => r.headers['odata-entityid'])).toEqual(['e73ffc82', 'e83ffc82', 'e93ffc82'].map((id) => `https://contoso.crm4.dynamics.com/api/data/v9.2/tasks(${id}-e292-ed11-aad1-000d3a9933c9)`));
    expect(seen[0].url).toBe(dataverse.changeSetBatch.request.url);
    expect(seen[0].body).toContain('Content-ID: 3');
  });

  it(`${bap.getEnvironment.name}`, async () => {
    const { clients, seen } = documentedClients([bap.getEnvironment.response]);
    expect(await clients.powerPlatform.getEnvironment('00000000-0000-0000-0000-000000000001')).toEqual({
      id: '/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/00000000-0000-0000-0000-000000000001',
      name: '00000000-0000-0000-0000-000000000001',
      displayName: 'displayname',
      location: 'europe',
      region: 'westeurope',
      sku: 'Sandbox',
      instanceUrl: 'https://00000000-0000-0000-0000-000000000001.crm4.dynamics.com/',
      domainName: '00000000-0000-0000-0000-000000000001',
      state: 'Ready',
      // properties.states.runtime.id of the recorded environment: not in administration mode.
      runtimeState: 'Enabled',
      // The recorded environment has no linkedEnvironmentMetadata.securityGroupId: no security group.
      securityGroupId: null,
    });
    expect(seen[0].url).toBe(bap.getEnvironment.request.url);
  });

  it(`${bap.listEnvironments.name}: every environment, with its region and Dataverse URL`, async () => {
    const { clients, seen } = documentedClients([bap.listEnvironments.response]);
    const listed = await clients.powerPlatform.listEnvironments();
    expect(listed.map((e) => [e.name, e.displayName, e.location, e.region, e.sku, e.instanceUrl])).toEqual([
      ['00000000-0000-0000-0000-000000000001', 'displayname', 'europe', 'westeurope', 'Sandbox', 'https://00000000-0000-0000-0000-000000000001.crm4.dynamics.com/'],
      ['00000000-0000-0000-0000-000000000002', 'displayname', 'europe', 'westeurope', 'Sandbox', null],
    ]);
    expect(seen[0].url).toBe(bap.listEnvironments.request.url);
  });

  it(`${bap.addUser.name}: an empty 200 is success, the body is { objectId }`, async () => {
    const { clients, seen } = documentedClients([bap.addUser.response]);
    await clients.powerPlatform.addUser('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002');
    expect(seen[0]).toMatchObject({ method: 'POST', url: bap.addUser.request.url });
    expect(JSON.parse(seen[0].body!)).toEqual(bap.addUser.request.body);
  });

  it(`${bc.companies.name}`, async () => {
    const { clients, seen } = documentedClients([bc.companies.response]);
    expect(await clients.businessCentral().listCompanies()).toEqual([
      { id: '824820a2-508c-ed11-aada-000d3a298ab3', name: 'CRONUS US', displayName: 'CRONUS USA, Inc.', businessProfileId: null, systemVersion: '21.2.49946.51685' },
    ]);
    expect(seen[0].url).toBe(bc.companies.request.url);
  });

  it(`${bc.salespeople.name}`, async () => {
    const { clients, seen } = documentedClients([bc.salespeople.response]);
    expect(await clients.businessCentral().allSalespeople('824820a2-508c-ed11-aada-000d3a298ab3')).toEqual([
      {
        id: '5d115c9c-44e3-ea11-bb43-000d3a2feca1',
        code: 'JR',
        displayName: 'John Roberts',
        email: 'JR@contoso.com',
        email2: '',
        phoneNo: '',
        jobTitle: 'Sales Manager',
        blocked: false,
        privacyBlocked: false,
        lastModifiedDateTime: '2023-01-04T16:55:47.367Z',
      },
    ]);
    expect(seen[0].url).toBe(bc.salespeople.request.url);
  });
});
