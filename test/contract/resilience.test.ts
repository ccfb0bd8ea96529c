import { SEED, FAST, openTenant, type Tenant } from './tenant';

/** Transient failures are retried by the one HttpPolicy, whichever client sent the request. */
let tenant: Tenant;
beforeAll(async () => {
  tenant = await openTenant();
});
afterAll(async () => {
  await tenant.close();
});
beforeEach(async () => {
  await tenant.control.reset({ settings: FAST });
});

it('honours Retry-After: 1 on a 429 and succeeds on the retry', async () => {
  const { directory, policies } = tenant.clients();
  await tenant.control.fault({ kind: '429', service: 'graph', method: 'GET', pathContains: '/users', retryAfterSeconds: 1 });
  const started = Date.now();
  const user = await directory.getUser(SEED.admin.id);
  const elapsed = Date.now() - started;
  expect(user?.id).toBe(SEED.admin.id);
  expect(elapsed).toBeGreaterThanOrEqual(1000);
  expect(policies.graph.stats).toMatchObject({ requests: 2, retries: 1, throttled: 1 });
});

it('retries a 503 and succeeds', async () => {
  const { sales, stats } = tenant.clients();
  await tenant.control.fault({ kind: '503', service: 'dataverse', method: 'GET', pathContains: 'WhoAmI', retryAfterSeconds: 0 });
  expect((await sales().whoAmI()).organizationId).toBe(SEED.dataverse.organizationId);
  expect(stats().dataverse).toMatchObject({ requests: 2, retries: 1 });
});

it('retries after a connection reset and succeeds', async () => {
  const { businessCentral, policies } = tenant.clients();
  await tenant.control.fault({ kind: 'reset', service: 'bc', method: 'GET', pathContains: '/companies' });
  const companies = await businessCentral().listCompanies();
  expect(companies.map((c) => c.id)).toEqual([SEED.businessCentral.companyId]);
  expect(policies.bc.stats).toMatchObject({ requests: 2, retries: 1 });
});

it('retries a throttled Power Platform call', async () => {
  const { powerPlatform, policies } = tenant.clients();
  await tenant.control.fault({ kind: '429', service: 'bap', retryAfterSeconds: 0 });
  await powerPlatform.addUser(SEED.environment.bapId, SEED.users.kariHansen.id);
  expect(policies.bap.stats).toMatchObject({ requests: 2, retries: 1, throttled: 1 });
});

it('rides out random item-level throttling inside Graph $batch', async () => {
  await tenant.control.settings({ faults: { rate429: 0.25, retryAfterSeconds: 0 }, faultSeed: 7 });
  const { directory } = tenant.clients();
  const ids = [SEED.admin.id, ...Object.values(SEED.users).map((u) => u.id)];
  const items = Array.from({ length: 30 }, (_, i) => ({ id: `g${i}`, method: 'GET' as const, url: `/users/${ids[i % ids.length]}?$select=id` }));
  const results = await directory.batch(items);
  expect(results.map((r) => r.status)).toEqual(items.map(() => 200));
  expect(results.some((r) => r.attempts > 1)).toBe(true);
  const stats = await tenant.control.stats();
  expect(stats.throttled.graph + stats.faults['429']).toBeGreaterThan(0);
});
