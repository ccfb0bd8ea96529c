import { SEED } from '../../src/sandbox';
import { TestTenant } from './helpers';

/**
 * Learn "Join tables using OData": queries that expand collection-valued navigation properties
 * "might return cached data ... that doesn't reflect recent changes"; `If-None-Match: null` asks for
 * current data. The sandbox models the cache with `expandCacheMs`, on its own clock.
 */

let clock = 1_000_000;
let t: TestTenant;
beforeAll(async () => {
  t = await TestTenant.start({ now: () => clock, settings: { expandCacheMs: 5000 } });
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.control('POST', '/reset', { settings: { syncDelayMs: 0, licensePropagationMs: 0, expandCacheMs: 5000 } });
});

const DV = SEED.dataverse;
const FRESH = { 'If-None-Match': 'null' };
const expanded = `systemusers(${DV.systemUsers.admin})?$select=systemuserid&$expand=systemuserroles_association($select=roleid)`;
const rolesIn = (body: any) => (body.systemuserroles_association as { roleid: string }[]).map((r) => r.roleid).sort();
const assign = (roleId: string) =>
  t.dv('POST', `systemusers(${DV.systemUsers.admin})/systemuserroles_association/$ref`, { '@odata.id': `${t.url}/dataverse/api/data/v9.2/roles(${roleId})` });

describe('Dataverse cache of expanded collections', () => {
  it('answers an $expand read without If-None-Match: null from the cache until it is expandCacheMs old', async () => {
    const before = [DV.roles.root.systemAdministrator];
    expect(rolesIn((await t.dv('GET', expanded)).body)).toEqual(before); // fills the cache
    expect((await assign(DV.roles.root.systemCustomizer)).status).toBe(204);
    const both = [DV.roles.root.systemAdministrator, DV.roles.root.systemCustomizer].sort();

    clock += 4999;
    expect(rolesIn((await t.dv('GET', expanded)).body)).toEqual(before); // stale
    expect(rolesIn((await t.dv('GET', expanded, undefined, FRESH)).body)).toEqual(both);
    // The navigation path itself and collection queries with the header are current.
    const nav = await t.dv('GET', `systemusers(${DV.systemUsers.admin})/systemuserroles_association?$select=roleid`);
    expect(nav.body.value.map((r: any) => r.roleid).sort()).toEqual(both);
    const list = await t.dv('GET', `systemusers?$select=systemuserid&$filter=systemuserid eq ${DV.systemUsers.admin}&$expand=systemuserroles_association($select=roleid)`);
    expect(rolesIn(list.body.value[0])).toEqual(before);

    clock += 1;
    expect(rolesIn((await t.dv('GET', expanded)).body)).toEqual(both); // refilled
  });

  it('applies to GET operations inside a $batch by their own headers', async () => {
    await t.dv('GET', expanded);
    await assign(DV.roles.root.systemCustomizer);
    const op = (headers: string) =>
      ['--b', 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', `GET ${t.url}/dataverse/api/data/v9.2/${expanded} HTTP/1.1`, 'Accept: application/json', headers, ''].filter((l) => l !== null).join('\r\n');
    const body = `${op('Prefer: odata.maxpagesize=10')}\r\n${op('If-None-Match: null')}\r\n--b--\r\n`;
    const res = await t.dv('POST', '$batch', body, { 'Content-Type': 'multipart/mixed; boundary=b' });
    expect(res.status).toBe(200);
    const counts = [...res.text.matchAll(/"systemuserroles_association":\[([^\]]*)\]/g)].map((m) => (m[1].match(/roleid/g) ?? []).length);
    expect(counts).toEqual([1, 2]);
  });

  it('is off at 0, the default', async () => {
    await t.control('PATCH', '/settings', { expandCacheMs: 0 });
    await t.dv('GET', expanded);
    await assign(DV.roles.root.systemCustomizer);
    expect(rolesIn((await t.dv('GET', expanded)).body)).toHaveLength(2);
  });
});
