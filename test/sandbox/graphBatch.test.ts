import { SEED } from '../../src/sandbox';
import { TestTenant, newUser } from './helpers';

let t: TestTenant;
beforeAll(async () => {
  t = await TestTenant.start();
});
afterAll(() => t.close());
beforeEach(() => t.control('POST', '/reset'));

const JSON_H = { 'Content-Type': 'application/json' };
const batch = (requests: unknown[]) => t.graph('POST', '/$batch', { requests });

describe('Graph $batch', () => {
  it('runs each request and answers by id, in an order different from the request', async () => {
    const requests = Array.from({ length: 6 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: i % 2 ? '/users?$select=id&$top=1' : 'organization' }));
    const res = await batch(requests);
    expect(res.status).toBe(200);
    const ids = res.body.responses.map((r: any) => r.id);
    expect([...ids].sort()).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(ids).not.toEqual(['1', '2', '3', '4', '5', '6']);
    for (const r of res.body.responses) {
      expect(r.status).toBe(200);
      expect(r.headers['Content-Type']).toContain('application/json');
    }
    const two = await batch(requests.slice(0, 2));
    expect(two.body.responses.map((r: any) => r.id)).toEqual(['2', '1']);
  });

  it('creates and licenses users through items, with dependsOn respected', async () => {
    const upn = 'siri.lunde@contoso.no';
    const res = await batch([
      { id: 'create', method: 'POST', url: '/users', headers: JSON_H, body: newUser(upn, { usageLocation: 'NO' }) },
      { id: 'lic', method: 'POST', url: `/users/${upn}/assignLicense`, headers: JSON_H, body: { addLicenses: [{ skuId: SEED.skus.sales, disabledPlans: [] }], removeLicenses: [] }, dependsOn: ['create'] },
    ]);
    const byId = Object.fromEntries(res.body.responses.map((r: any) => [r.id, r]));
    expect(byId.create.status).toBe(201);
    expect(byId.lic.status).toBe(200);
    expect(byId.lic.body.userPrincipalName).toBe(upn);
  });

  it('answers 424 FailedDependency for an item whose dependency failed', async () => {
    const res = await batch([
      { id: '1', method: 'POST', url: '/users', headers: JSON_H, body: newUser('kari.hansen@contoso.no') },
      { id: '2', method: 'POST', url: '/users/kari.hansen@contoso.no/assignLicense', headers: JSON_H, body: { addLicenses: [], removeLicenses: [] }, dependsOn: ['1'] },
      { id: '3', method: 'GET', url: '/users/kari.hansen@contoso.no?$select=id', dependsOn: ['2'] },
    ]);
    const byId = Object.fromEntries(res.body.responses.map((r: any) => [r.id, r]));
    expect(byId['1'].status).toBe(400);
    expect(byId['1'].body.error.message).toContain('already exists');
    expect(byId['2'].status).toBe(424);
    expect(byId['2'].body.error.code).toBe('FailedDependency');
    expect(byId['3'].status).toBe(424);
  });

  describe('is fully parallel or fully sequential', () => {
    const location = (id: string, user: string, dependsOn?: string[]) => ({ id, method: 'PATCH', url: `/users/${user}`, headers: JSON_H, body: { usageLocation: 'NO' }, ...(dependsOn ? { dependsOn } : {}) });
    const licence = (id: string, user: string, dependsOn?: string[]) => ({
      id, method: 'POST', url: `/users/${user}/assignLicense`, headers: JSON_H, body: { addLicenses: [{ skuId: SEED.skus.sales, disabledPlans: [] }], removeLicenses: [] }, ...(dependsOn ? { dependsOn } : {}),
    });
    const licensed = async (user: string) => (await t.graph('GET', `/users/${user}?$select=assignedLicenses`)).body.assignedLicenses.length;

    it.each([
      ['a chain next to an independent item', [location('u0', SEED.users.marteNilsen.id), licence('l0', SEED.users.marteNilsen.id, ['u0']), licence('l1', SEED.users.oysteinBakke.id)]],
      ['two chains in one envelope', [location('u0', SEED.users.marteNilsen.id), licence('l0', SEED.users.marteNilsen.id, ['u0']), location('u1', SEED.users.oysteinBakke.id), licence('l1', SEED.users.oysteinBakke.id, ['u1'])]],
      ['a chain whose dependency comes later', [licence('l0', SEED.users.marteNilsen.id, ['u0']), location('u0', SEED.users.marteNilsen.id)]],
      ['a request depending on two', [location('u0', SEED.users.marteNilsen.id), location('u1', SEED.users.oysteinBakke.id, ['u0']), licence('l0', SEED.users.marteNilsen.id, ['u0', 'u1'])]],
    ])('refuses %s as a whole with 400 and runs nothing', async (_name, requests) => {
      const before = await licensed(SEED.users.oysteinBakke.id);
      const res = await batch(requests);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'BadRequest', message: 'Batch should be either fully sequential or fully parallel' });
      expect(await licensed(SEED.users.oysteinBakke.id)).toBe(before);
      expect((await t.graph('GET', `/users/${SEED.users.marteNilsen.id}?$select=usageLocation`)).body.usageLocation).toBeNull();
    });

    it('accepts one chain where each request depends on the one before', async () => {
      const user = SEED.users.marteNilsen.id;
      const res = await batch([location('u0', user), licence('l0', user, ['u0']), { id: 'r0', method: 'GET', url: `/users/${user}?$select=assignedLicenses`, dependsOn: ['l0'] }]);
      expect(res.status).toBe(200);
      const byId = Object.fromEntries(res.body.responses.map((r: any) => [r.id, r]));
      expect([byId.u0.status, byId.l0.status, byId.r0.status]).toEqual([204, 200, 200]);
      expect(byId.r0.body.assignedLicenses.map((l: any) => l.skuId)).toContain(SEED.skus.sales);
    });
  });

  it('can hold a 429 with its own Retry-After inside a 200 batch', async () => {
    await t.control('POST', '/faults', { kind: '429', service: 'graph', pathContains: '/assignLicense', count: 1, retryAfterSeconds: 7 });
    const body = { addLicenses: [{ skuId: SEED.skus.sales, disabledPlans: [] }], removeLicenses: [] };
    const res = await batch([
      { id: 'a', method: 'POST', url: `/users/${SEED.users.oysteinBakke.id}/assignLicense`, headers: JSON_H, body },
      { id: 'b', method: 'POST', url: `/users/${SEED.users.hegePedersen.id}/assignLicense`, headers: JSON_H, body },
    ]);
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.responses.map((r: any) => [r.id, r]));
    expect(byId.a.status).toBe(429);
    expect(byId.a.headers['Retry-After']).toBe('7');
    expect(byId.a.body.error.code).toBe('TooManyRequests');
    expect(byId.b.status).toBe(200);
    const stats = (await t.control('GET', '/stats')).body;
    expect(stats.batchItems.graph).toBe(2);
    expect(stats.faults['429']).toBe(1);
  });

  it('counts each item against the Graph limit, not the envelope', async () => {
    await t.control('PATCH', '/settings', { limits: { graph: { requests: 3, windowMs: 60_000, reads: { requests: 3, windowMs: 60_000 } } } });
    const res = await batch(Array.from({ length: 5 }, (_, i) => ({ id: `${i}`, method: 'GET', url: '/organization' })));
    expect(res.status).toBe(200);
    const statuses = res.body.responses.map((r: any) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const throttled = res.body.responses.find((r: any) => r.status === 429);
    expect(Number(throttled.headers['Retry-After'])).toBeGreaterThanOrEqual(59);
  });

  it('refuses more than 20 requests, duplicate ids, unknown dependencies and writes without Content-Type', async () => {
    const many = await batch(Array.from({ length: 21 }, (_, i) => ({ id: `${i}`, method: 'GET', url: '/organization' })));
    expect(many.status).toBe(400);
    expect(many.body.error.code).toBe('BadRequest');
    const dup = await batch([{ id: '1', method: 'GET', url: '/organization' }, { id: '1', method: 'GET', url: '/domains' }]);
    expect(dup.status).toBe(400);
    expect(dup.body.error.message).toContain('duplicated');
    const dep = await batch([{ id: '1', method: 'GET', url: '/organization', dependsOn: ['9'] }]);
    expect(dep.status).toBe(400);
    const noCt = await batch([{ id: '1', method: 'POST', url: '/users', body: newUser('n@contoso.no') }]);
    expect(noCt.status).toBe(400);
    expect(noCt.body.error.message).toBe('Write request id : 1 does not contain Content-Type header or body.');
    const garbage = await t.graph('POST', '/$batch', 'not json');
    expect(garbage.status).toBe(400);
  });
});
