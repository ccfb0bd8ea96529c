import { SEED } from '../../src/sandbox';
import { TestTenant, q } from './helpers';

let t: TestTenant;
beforeAll(async () => {
  t = await TestTenant.start({ seed: { syntheticSalespeople: 30 }, settings: { bcPageSize: 10 } });
});
afterAll(() => t.close());

const api = `/bc/v2.0/${SEED.tenantId}/${SEED.businessCentral.environment}/api/v2.0`;
const companyId = SEED.businessCentral.companyId;
const people = `${api}/companies(${companyId})/salespeoplePurchasers`;

describe('Business Central API v2.0', () => {
  it('lists companies', async () => {
    const res = await t.call('GET', `${api}/companies`);
    expect(res.status).toBe(200);
    expect(res.body['@odata.context']).toContain('/api/v2.0/$metadata#companies');
    expect(res.body.value).toEqual([
      expect.objectContaining({ id: companyId, name: 'CRONUS Norge AS', displayName: 'CRONUS Norge AS', systemVersion: expect.any(String), '@odata.etag': expect.stringMatching(/^W\//) }),
    ]);
    expect((await t.call('GET', `${api}/companies(${companyId})?$select=id,name`)).body).toMatchObject({ id: companyId, name: 'CRONUS Norge AS' });
  });

  it('pages salespeople with @odata.nextLink and $skiptoken (bcPageSize)', async () => {
    const all: any[] = [];
    let url: string | undefined = `${t.url}${people}`;
    let pages = 0;
    while (url) {
      const res: any = await t.call('GET', url);
      expect(res.status).toBe(200);
      expect(res.body.value.length).toBeLessThanOrEqual(10);
      all.push(...res.body.value);
      url = res.body['@odata.nextLink'];
      if (url) expect(url).toContain('$skiptoken=');
      pages++;
    }
    expect(pages).toBe(5);
    expect(all).toHaveLength(42);
    expect(new Set(all.map((p) => p.id)).size).toBe(42);
    const keys = ['id', 'code', 'displayName', 'email', 'email2', 'phoneNo', 'jobTitle', 'commisionPercent', 'blocked', 'privacyBlocked', 'lastModifiedDateTime'];
    for (const k of keys) expect(all[0]).toHaveProperty(k);
    expect(all.find((p) => p.code === 'S00030')).toMatchObject({ email: 'sales00030@contoso.no', blocked: false });
  });

  it('serves a whole company of salespeople in one page by default, as Business Central online (at most 20,000 per page)', async () => {
    const online = await TestTenant.start({ seed: { syntheticSalespeople: 1200 } });
    try {
      const res = await online.call('GET', `${online.url}${people}`);
      expect(res.status).toBe(200);
      expect(res.body.value).toHaveLength(1212);
      expect(res.body['@odata.nextLink']).toBeUndefined();
    } finally {
      await online.close();
    }
  });

  it('holds the seeded edge cases', async () => {
    const first = await t.call('GET', `${people}?$top=12`);
    const second = await t.call('GET', first.body['@odata.nextLink']);
    const value = [...first.body.value, ...second.body.value];
    expect(value).toHaveLength(12);
    const byCode = Object.fromEntries(value.map((p: any) => [p.code, p]));
    expect(byCode.OO.email).toBe("ola.o'brien@contoso.no");
    expect(byCode.AK.blocked).toBe(true);
    expect(byCode.TM.email).toBe('');
    expect(byCode.JD.email).toBe('jonas.dahl@fabrikam-demo.com');
    expect(byCode['ØB'].displayName).toBe('Øystein Bakke');
    for (const p of value) expect(p.code.length).toBeLessThanOrEqual(20);
  });

  it('honours $top and a simple $filter', async () => {
    const top = await t.call('GET', `${people}?$top=3`);
    expect(top.body.value).toHaveLength(3);
    expect(top.body['@odata.nextLink']).toBeUndefined();
    const top15 = await t.call('GET', `${people}?$top=15`);
    expect(top15.body.value).toHaveLength(10);
    const rest = await t.call('GET', top15.body['@odata.nextLink']);
    expect(rest.body.value).toHaveLength(5);
    expect(rest.body['@odata.nextLink']).toBeUndefined();
    const f = await t.call('GET', `${people}${q({ $filter: "email eq 'ola.o''brien@contoso.no'" })}`);
    expect(f.body.value.map((p: any) => p.code)).toEqual(['OO']);
    const blocked = await t.call('GET', `${people}${q({ $filter: 'blocked eq true', $select: 'code' })}`);
    expect(blocked.body.value.map((p: any) => p.code)).toEqual(['AK']);
    const one = await t.call('GET', `${people}(${f.body.value[0].id})`);
    expect(one.body.displayName).toBe("Ola O'Brien");
  });

  it('answers unknown tenant, environment and company with 404 BadRequest_NotFound', async () => {
    for (const path of [
      `/bc/v2.0/00000000-0000-0000-0000-000000000001/Production/api/v2.0/companies`,
      `/bc/v2.0/${SEED.tenantId}/Staging/api/v2.0/companies`,
      `${api}/companies(00000000-0000-0000-0000-000000000002)/salespeoplePurchasers`,
    ]) {
      const res = await t.call('GET', path);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('BadRequest_NotFound');
    }
    const noAuth = await fetch(`${t.url}${api}/companies`);
    expect(noAuth.status).toBe(401);
  });

  it('raises the Sales seats so that N + 50 are free with N synthetic salespeople', async () => {
    const skus = (await t.graph('GET', '/subscribedSkus')).body.value;
    const sales = skus.find((s: any) => s.skuId === SEED.skus.sales);
    expect(sales.prepaidUnits.enabled - sales.consumedUnits).toBe(80);
  });
});
