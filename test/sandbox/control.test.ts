import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SEED, startSandbox } from '../../src/sandbox';
import { createSeedState } from '../../src/sandbox/seed';
import { TestTenant, newUser } from './helpers';

describe('persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-state-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps the state across a restart from the same file', async () => {
    const file = path.join(dir, 'nested', 'state.json');
    const first = new TestTenant(await startSandbox({ port: 0, stateFile: file }));
    const created = await first.graph('POST', '/users', newUser('persisted@contoso.no', { usageLocation: 'NO' }));
    await first.graph('POST', `/users/${created.body.id}/assignLicense`, { addLicenses: [{ skuId: SEED.skus.sales, disabledPlans: [] }], removeLicenses: [] });
    await first.dv('PATCH', `systemusers(${SEED.dataverse.systemUsers.kariHansen})`, { accessmode: 2 });
    const before = (await first.control('GET', '/state')).text;
    await first.close();
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['state.json']);

    const second = new TestTenant(await startSandbox({ port: 0, stateFile: file, seed: { syntheticSalespeople: 5 } }));
    try {
      expect((await second.control('GET', '/state')).text).toBe(before);
      expect((await second.graph('GET', '/users/persisted@contoso.no?$select=id')).body.id).toBe(created.body.id);
      expect((await second.dv('GET', `systemusers(${SEED.dataverse.systemUsers.kariHansen})?$select=accessmode`)).body.accessmode).toBe(2);
    } finally {
      await second.close();
    }
  });

  it('will not start a Norwegian environment from an English state file, and says what to do', async () => {
    const file = path.join(dir, 'state.json');
    await (await startSandbox({ port: 0, stateFile: file })).close();
    await expect(startSandbox({ port: 0, stateFile: file, seed: { language: 'nb' } })).rejects.toThrow(/base language is 1033.*nb \(1044\).*SANDBOX_STATE_FILE/);
    const nb = path.join(dir, 'state.nb.json');
    const norwegian = new TestTenant(await startSandbox({ port: 0, stateFile: nb, seed: { language: 'nb' } }));
    try {
      expect((await norwegian.dv('GET', 'organizations?$select=languagecode')).body.value[0].languagecode).toBe(1044);
    } finally {
      await norwegian.close();
    }
  });

  it('writes changes shortly after they happen (debounced), atomically', async () => {
    const file = path.join(dir, 'state.json');
    const t = new TestTenant(await startSandbox({ port: 0, stateFile: file }));
    try {
      await t.graph('PATCH', `/users/${SEED.users.marteNilsen.id}`, { usageLocation: 'SE' });
      await new Promise((r) => setTimeout(r, 250));
      const onDisk = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(onDisk.graph.users.find((u: any) => u.id === SEED.users.marteNilsen.id).usageLocation).toBe('SE');
      expect(fs.readdirSync(dir)).toEqual(['state.json']);
    } finally {
      await t.close();
    }
  });
});

describe('control API', () => {
  let t: TestTenant;
  beforeAll(async () => {
    t = await TestTenant.start();
  });
  afterAll(() => t.close());

  it('answers /healthz', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('serves the state with a stable key order, identical for identical states', async () => {
    await t.control('POST', '/reset');
    const a = (await t.control('GET', '/state')).text;
    await t.graph('GET', '/users');
    await t.dv('GET', 'systemusers?$select=fullname');
    expect((await t.control('GET', '/state')).text).toBe(a);
    await t.graph('PATCH', `/users/${SEED.users.thomasLarsen.id}`, { jobTitle: 'Lager' });
    expect((await t.control('GET', '/state')).text).not.toBe(a);
    await t.control('POST', '/reset');
    expect((await t.control('GET', '/state')).text).toBe(a);
    expect(JSON.parse(a).graph).toBeDefined();
  });

  it('patches and resets settings (partial merge)', async () => {
    const patched = await t.control('PATCH', '/settings', { latencyMs: 5, limits: { bap: { requests: 10, windowMs: 1000 } }, faults: { rate429: 0.5 } });
    expect(patched.body).toMatchObject({ latencyMs: 5, syncDelayMs: 0, limits: { bap: { requests: 10, windowMs: 1000 }, graph: null }, faults: { rate429: 0.5, rate503: 0 } });
    expect((await t.control('PATCH', '/settings', { latencyMs: -1 })).status).toBe(400);
    expect((await t.control('PATCH', '/settings', { unknown: 1 })).status).toBe(400);
    await t.control('POST', '/reset', { settings: { bcPageSize: 7 } });
    expect((await t.control('GET', '/settings')).body).toMatchObject({ latencyMs: 0, bcPageSize: 7, limits: { bap: null }, faults: { rate429: 0 } });
    await t.control('POST', '/reset');
  });

  it('resets with seed options, clearing stats and fault rules', async () => {
    await t.control('POST', '/faults', { kind: '503' });
    await t.graph('GET', '/organization');
    await t.control('POST', '/reset', { seed: { syntheticSalespeople: 3 } });
    expect((await t.control('GET', '/faults')).body.rules).toEqual([]);
    const stats = (await t.control('GET', '/stats')).body;
    expect(stats).toEqual({
      requests: { graph: 0, dataverse: 0, bap: 0, bc: 0 },
      batchItems: { graph: 0, dataverse: 0 },
      throttled: { graph: 0, dataverse: 0, bap: 0, bc: 0 },
      faults: { '429': 0, '503': 0, reset: 0, lost: 0 },
    });
    const people = await t.call('GET', `/bc/v2.0/${SEED.tenantId}/Production/api/v2.0/companies(${SEED.businessCentral.companyId})/salespeoplePurchasers?$top=100`);
    expect(people.body.value).toHaveLength(15);
    await t.graph('GET', '/organization');
    expect((await t.control('GET', '/stats')).body.requests.graph).toBe(1);
    await t.control('DELETE', '/stats');
    expect((await t.control('GET', '/stats')).body.requests.graph).toBe(0);
    await t.control('POST', '/reset', { seed: {} });
  });

  it('sets systemuser fields directly', async () => {
    const id = SEED.dataverse.systemUsers.larsJohansen;
    const res = await t.control('PATCH', `/dataverse/systemusers/${id}`, { isdisabled: true, accessmode: 4, _businessunitid_value: SEED.dataverse.businessUnits.root });
    expect(res.status).toBe(200);
    const su = await t.dv('GET', `systemusers(${id})?$select=isdisabled,accessmode,_businessunitid_value`);
    expect(su.body).toMatchObject({ isdisabled: true, accessmode: 4, _businessunitid_value: SEED.dataverse.businessUnits.root });
    expect((await t.control('PATCH', `/dataverse/systemusers/${id}`, { isdisabled: 'yes' })).status).toBe(400);
    expect((await t.control('PATCH', '/dataverse/systemusers/00000000-0000-0000-0000-000000000000', {})).status).toBe(404);
    await t.control('POST', '/reset');
  });

  it('adds a salesperson in Business Central as a user does on its card (code upper-cased, unique, field lengths)', async () => {
    const company = SEED.businessCentral.companyId;
    const people = `/bc/v2.0/${SEED.tenantId}/${SEED.businessCentral.environment}/api/v2.0/companies(${company})/salespeoplePurchasers`;
    const added = await t.control('POST', '/bc/salespeople', { code: 'ny1', displayName: 'Nora Nyansatt', email: 'nora.nyansatt@contoso.no' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ code: 'NY1', displayName: 'Nora Nyansatt', blocked: false });
    const listed = await t.call('GET', `${people}?$filter=code eq 'NY1'`);
    expect(listed.body.value.map((p: { email: string }) => p.email)).toEqual(['nora.nyansatt@contoso.no']);
    expect((await t.control('POST', '/bc/salespeople', { code: 'NY1', displayName: 'Again' })).status).toBe(409);
    expect((await t.control('POST', '/bc/salespeople', { code: 'X'.repeat(21), displayName: 'Too long' })).status).toBe(400);
    expect((await t.control('POST', '/bc/salespeople', { code: 'NY2', displayName: 'N', companyId: '00000000-0000-0000-0000-000000000000' })).status).toBe(404);
    await t.control('POST', '/reset');
  });

  it('refuses a body over 5 MB with 413 in the service format', async () => {
    const res = await t.graph('POST', '/users', JSON.stringify({ displayName: 'x'.repeat(5 * 1024 * 1024 + 10) }));
    expect(res.status).toBe(413);
    expect(res.body.error.innerError).toBeDefined();
  });

  it('refuses seed options it does not know, with the reason', async () => {
    const response = await t.control('POST', '/reset', { seed: { language: 'de' } });
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/seed.*language/);
  });

  it('answers unknown routes with 404', async () => {
    expect((await t.control('GET', '/nope')).status).toBe(404);
    expect((await fetch(`${t.url}/elsewhere`)).status).toBe(404);
  });
});

describe('seed', () => {
  it('is deterministic and matches the documented shape', () => {
    const a = createSeedState();
    expect(JSON.stringify(createSeedState())).toBe(JSON.stringify(a));
    const nonInteractive = a.dataverse.systemUsers.filter((u) => u.accessmode === 4 && u.applicationid === null);
    expect(nonInteractive).toHaveLength(2);
    const admin = a.dataverse.systemUsers.find((u) => u.systemuserid === SEED.dataverse.systemUsers.admin)!;
    expect(a.dataverse.userRoles.filter((r) => r.ownerid === admin.systemuserid).map((r) => r.roleid)).toEqual([SEED.dataverse.roles.root.systemAdministrator]);
    for (const key of Object.keys(SEED.roleTemplates) as (keyof typeof SEED.roleTemplates)[]) {
      const copies = a.dataverse.roles.filter((r) => r.roletemplateid === SEED.roleTemplates[key]);
      expect(copies.map((r) => r.businessunitid).sort()).toEqual([SEED.dataverse.businessUnits.root, SEED.dataverse.businessUnits.salgVest].sort());
    }
    expect(a.bc.environments[0].companies[0].salespeople).toHaveLength(12);
    // Business Central's integration role has Business Central's own root role id.
    expect(a.dataverse.roles.find((r) => r.businessunitid === SEED.dataverse.businessUnits.root && r.name === SEED.roleNames.bcIntegration)?.roleid).toBe('a2b18661-9ff5-e911-a812-000d3a0b9028');
    expect(a.dataverse.languageCode).toBe(1033);
  });

  it('has a Norwegian variant: base language 1044, localized names, template ids only where Microsoft publishes them', () => {
    const nb = createSeedState({ language: 'nb' });
    expect(nb.dataverse.languageCode).toBe(1044);
    const root = nb.dataverse.roles.filter((r) => r.businessunitid === SEED.dataverse.businessUnits.root);
    expect(root.map((r) => [r.name, r.roletemplateid])).toEqual(expect.arrayContaining([
      ['Systemansvarlig', SEED.roleTemplates.systemAdministrator],
      ['Systemtilpasser', SEED.roleTemplates.systemCustomizer],
      ['Salgssjef', null],
      ['Selger', null],
    ]));
    expect(root.find((r) => r.roleid === SEED.dataverse.roles.root.bcIntegration)?.roletemplateid).toBeNull();
  });

  it('has a variant with three levels of business units whose copies name the root role', () => {
    const nested = createSeedState({ nestedBusinessUnit: true });
    const { salgVest, salgBergen } = SEED.dataverse.businessUnits;
    expect(nested.dataverse.businessUnits.find((b) => b.businessunitid === salgBergen)?.parentbusinessunitid).toBe(salgVest);
    const copy = nested.dataverse.roles.find((r) => r.roleid === SEED.dataverse.roles.salgBergen.salesperson)!;
    expect(copy).toMatchObject({ businessunitid: salgBergen, parentroleid: SEED.dataverse.roles.salgVest.salesperson, parentrootroleid: SEED.dataverse.roles.root.salesperson });
    expect(nested.dataverse.systemUsers.find((u) => u.systemuserid === SEED.dataverse.systemUsers.larsJohansen)?.businessunitid).toBe(salgBergen);
  });

});
