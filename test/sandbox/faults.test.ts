import { SEED } from '../../src/sandbox';
import { TestTenant, newUser } from './helpers';

let t: TestTenant;
/** The sandbox's clock: real time plus what a test moves it on by (instead of sleeping). */
let ahead = 0;
beforeAll(async () => {
  t = await TestTenant.start({ now: () => Date.now() + ahead });
});
afterAll(() => t.close());
beforeEach(() => t.control('POST', '/reset'));

const bc = `/bc/v2.0/${SEED.tenantId}/Production/api/v2.0/companies`;

describe('throttling', () => {
  it('answers 429 with Retry-After in each service format once the window is full', async () => {
    await t.control('PATCH', '/settings', {
      limits: { graph: { requests: 1000, windowMs: 2500, reads: { requests: 2, windowMs: 2500 } }, dataverse: { requests: 1, windowMs: 1000 }, bc: { requests: 1, windowMs: 1000 } },
    });
    expect((await t.graph('GET', '/organization')).status).toBe(200);
    expect((await t.graph('GET', '/organization')).status).toBe(200);
    const g = await t.graph('GET', '/organization');
    expect(g.status).toBe(429);
    expect(['2', '3']).toContain(g.headers.get('retry-after'));
    expect(g.body.error.code).toBe('TooManyRequests');
    expect(g.body.error.innerError['request-id']).toBeDefined();

    expect((await t.dv('GET', 'WhoAmI')).status).toBe(200);
    const d = await t.dv('GET', 'WhoAmI');
    expect(d.status).toBe(429);
    expect(d.body.error.code).toBe('0x80072322');
    expect(d.body.error.message).toMatch(/exceeded the limit of 1 over time window of 1 seconds/);
    expect(d.headers.get('retry-after')).toBe('1');

    expect((await t.call('GET', bc)).status).toBe(200);
    const b = await t.call('GET', bc);
    expect(b.status).toBe(429);
    expect(b.body.error.code).toBe('TooManyRequests');

    const stats = (await t.control('GET', '/stats')).body;
    expect(stats.throttled).toMatchObject({ graph: 1, dataverse: 1, bc: 1, bap: 0 });
    expect(stats.requests.graph).toBe(3);
    // control routes are exempt
    expect((await t.control('GET', '/settings')).status).toBe(200);
  });

  it('keeps Graph reads (resource units) and writes (write quota) in separate windows', async () => {
    await t.control('PATCH', '/settings', { limits: { graph: { requests: 1, windowMs: 60_000, reads: { requests: 2, windowMs: 60_000 } } } });
    expect((await t.graph('POST', '/users', newUser('w1@contoso.no'))).status).toBe(201);
    // The write quota is spent; reads still pass, up to their own quota.
    expect((await t.graph('GET', '/organization')).status).toBe(200);
    expect((await t.graph('GET', '/organization')).status).toBe(200);
    expect((await t.graph('GET', '/organization')).status).toBe(429);
    const write = await t.graph('POST', '/users', newUser('w2@contoso.no'));
    expect(write.status).toBe(429);
    expect(Number(write.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
  });

  it('frees the window after windowMs', async () => {
    await t.control('PATCH', '/settings', { limits: { bc: { requests: 1, windowMs: 300 } } });
    expect((await t.call('GET', bc)).status).toBe(200);
    expect((await t.call('GET', bc)).status).toBe(429);
    ahead += 320;
    expect((await t.call('GET', bc)).status).toBe(200);
  });

  it('limits concurrent requests', async () => {
    await t.control('PATCH', '/settings', { latencyMs: 150, limits: { graph: { requests: 100, windowMs: 1000, concurrent: 2 } } });
    const results = await Promise.all([1, 2, 3].map(() => t.graph('GET', '/organization')));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 429]);
  });
});

describe('scripted faults', () => {
  it('429 and 503 carry Retry-After and consume their count', async () => {
    await t.control('POST', '/faults', { kind: '503', service: 'dataverse', count: 2, retryAfterSeconds: 4 });
    const first = await t.dv('GET', 'WhoAmI');
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('4');
    expect(first.body.error.code).toMatch(/^0x/);
    expect((await t.dv('GET', 'WhoAmI')).status).toBe(503);
    expect((await t.dv('GET', 'WhoAmI')).status).toBe(200);
    await t.control('POST', '/faults', { kind: '429', service: 'bap' });
    const bap = await t.call('GET', `/bap/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${SEED.environment.bapId}?api-version=2023-06-01`);
    expect(bap.status).toBe(429);
    expect(bap.headers.get('retry-after')).toBe('1');
    expect(bap.body.error.code).toBe('TooManyRequests');
  });

  it('reset destroys the connection without processing the request', async () => {
    await t.control('POST', '/faults', { kind: 'reset', service: 'graph', method: 'POST', pathContains: '/users' });
    await expect(t.graph('POST', '/users', newUser('reset.me@contoso.no'))).rejects.toThrow();
    expect((await t.graph('GET', '/users/reset.me@contoso.no')).status).toBe(404);
    expect((await t.control('GET', '/stats')).body.faults.reset).toBe(1);
  });

  it('lost processes the write, then destroys the connection', async () => {
    await t.control('POST', '/faults', { kind: 'lost', service: 'graph', method: 'POST', pathContains: '/users' });
    await expect(t.graph('POST', '/users', newUser('lost.me@contoso.no'))).rejects.toThrow();
    expect((await t.graph('GET', '/users/lost.me@contoso.no')).status).toBe(200);
    const retry = await t.graph('POST', '/users', newUser('lost.me@contoso.no'));
    expect(retry.body.error.message).toContain('already exists');
  });

  it('lost on a GET behaves as reset; a lost Graph $batch applies its items', async () => {
    await t.control('POST', '/faults', { kind: 'lost', service: 'graph', method: 'GET' });
    await expect(t.graph('GET', '/organization')).rejects.toThrow();
    expect((await t.control('GET', '/stats')).body.faults).toMatchObject({ reset: 1, lost: 0 });
    await t.control('POST', '/faults', { kind: 'lost', service: 'graph', pathContains: '/users' });
    const requests = [{ id: '1', method: 'POST', url: '/users', headers: { 'Content-Type': 'application/json' }, body: newUser('in.batch@contoso.no') }];
    await expect(t.graph('POST', '/$batch', { requests })).rejects.toThrow();
    expect((await t.graph('GET', '/users/in.batch@contoso.no')).status).toBe(200);
  });

  it('lists and clears rules', async () => {
    await t.control('POST', '/faults', { kind: '429', count: 3 });
    expect((await t.control('GET', '/faults')).body.rules).toEqual([expect.objectContaining({ kind: '429', remaining: 3 })]);
    await t.control('DELETE', '/faults');
    expect((await t.graph('GET', '/organization')).status).toBe(200);
    expect((await t.control('POST', '/faults', { kind: 'boom' })).status).toBe(400);
  });
});

describe('random faults and latency', () => {
  const run = async () => {
    const out: string[] = [];
    for (let i = 0; i < 30; i++) {
      try {
        out.push(String((await t.call('GET', bc)).status));
      } catch {
        out.push('reset');
      }
    }
    return out;
  };

  it('are deterministic for a given faultSeed', async () => {
    await t.control('POST', '/reset', { settings: { faultSeed: 42, faults: { rate429: 0.2, rate503: 0.2, rateReset: 0.1 } } });
    const a = await run();
    await t.control('POST', '/reset', { settings: { faultSeed: 42, faults: { rate429: 0.2, rate503: 0.2, rateReset: 0.1 } } });
    const b = await run();
    expect(a).toEqual(b);
    expect(new Set(a)).toEqual(new Set(['200', '429', '503', 'reset']));
    const stats = (await t.control('GET', '/stats')).body;
    expect(stats.faults['429'] + stats.faults['503'] + stats.faults.reset).toBe(a.filter((s) => s !== '200').length);
  });

  it('adds latency to service requests only', async () => {
    await t.control('PATCH', '/settings', { latencyMs: 120 });
    const started = Date.now();
    await t.call('GET', bc);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    const c = Date.now();
    await t.control('GET', '/stats');
    expect(Date.now() - c).toBeLessThan(100);
  });
});
