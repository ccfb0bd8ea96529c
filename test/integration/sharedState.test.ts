import { randomUUID } from 'node:crypto';
import { SEED, type SandboxHandle } from '../../src/sandbox';
import { BlobStorage } from '../../src/storage/blobStorage';
import { CREATE_ONLY } from '../../src/storage/fileStorage';
import { RecordStore } from '../../src/storage/records';
import { AuditLog } from '../../src/approvals/audit';
import { type LeaseRecord } from '../../src/provisioning/run/lease';
import type { Run } from '../../src/setup/plan';
import { ADMIN } from '../helpers/harness';
import { action, inputValues } from '../helpers/cards';
import { startBotProcess, startCluster, waitUntil, type Azurite, type BotProcess, type Cluster } from '../helpers/processes';
import { cardText, FakeConnector, TeamsConversation } from '../helpers/teams';
import { salesUserWithRoles } from '../helpers/tenant';
import { leaseKey } from '../../src/storage/keys';

/**
 * Several bot instances on one Azure Blob container (Azurite): eTags as the service sends them,
 * one run per approval however many instances receive it, and a run taken over when the
 * instance executing it dies.
 */

const LEASE_MS = 3000; // long enough that a loaded machine does not let a live holder's lease lapse
const SANDBOX_SETTINGS = { syncDelayMs: 200, licensePropagationMs: 300 };
const ROLES = SEED.dataverse.roles;

let cluster: Cluster;
let azurite: Azurite;
let sandbox: SandboxHandle;
let connector: FakeConnector;
let stateDir: string;
let bots: BotProcess[];

beforeAll(async () => {
  cluster = await startCluster(SANDBOX_SETTINGS, 'bc-setup-shared-');
  ({ azurite, sandbox, connector, stateDir, bots } = cluster);
}, 60_000);

afterAll(() => cluster?.stop(), 60_000);

function storageFor(container: string) {
  return BlobStorage.fromConnectionString(azurite.connectionString, container);
}

describe('BlobStorage on Azurite', () => {
  it('maps eTags to If-Match and CREATE_ONLY to If-None-Match: *, with the conflict text RecordStore retries on', async () => {
    const storage = storageFor(`unit-${randomUUID().slice(0, 8)}`);
    expect(await storage.read(['missing'])).toEqual({});

    await storage.write({ a: { value: 1, eTag: CREATE_ONLY } });
    await expect(storage.write({ a: { value: 2, eTag: CREATE_ONLY } })).rejects.toThrow('Storage: eTag conflict for key "a" (exists)');

    const first = (await storage.read(['a'])).a as { value: number; eTag: string };
    expect(first.value).toBe(1);
    expect(first.eTag).toMatch(/^"0x[0-9A-F]+"$/);
    await storage.write({ a: { value: 3, eTag: first.eTag } });
    await expect(storage.write({ a: { value: 4, eTag: first.eTag } })).rejects.toThrow('Storage: eTag conflict for key "a"');
    expect(((await storage.read(['a'])).a as { value: number }).value).toBe(3);

    await storage.write({ a: { value: 5, eTag: '*' } }); // unconditional
    expect(((await storage.read(['a'])).a as { value: number }).value).toBe(5);
    await storage.delete(['a', 'never-written']);
    expect(await storage.read(['a'])).toEqual({});
  });

  it('two stores on one container never lose an update: concurrent eTag-guarded increments all count', async () => {
    const container = `counter-${randomUUID().slice(0, 8)}`;
    const [one, two] = [new RecordStore(storageFor(container)), new RecordStore(storageFor(container))];
    expect(await one.create('counter', { n: 0 })).toBe(true);
    expect(await two.create('counter', { n: 100 })).toBe(false);
    await Promise.all(
      Array.from({ length: 16 }, (_, i) => (i % 2 ? one : two).update<{ n: number }>('counter', (c) => ({ n: (c?.n ?? 0) + 1 }), 100)),
    );
    expect(await one.get('counter')).toEqual({ n: 16 });
  }, 60_000);

  it('lists records by key prefix in key order, the last n on request: the audit trail of two instances, refusals folded exactly', async () => {
    const container = `audit-${randomUUID().slice(0, 8)}`;
    const [one, two] = [new RecordStore(storageFor(container)), new RecordStore(storageFor(container))];
    let time = Date.parse('2026-03-02T09:00:00.000Z');
    const clock = () => new Date(time);
    const [a, b] = [new AuditLog(one, clock), new AuditLog(two, clock)];
    for (let i = 0; i < 30; i++) {
      time += 1;
      await (i % 2 ? a : b).append({ event: 'plan.requested', planId: `p${i}` });
    }
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? a : b).refusal({ event: 'access.refused', actor: { aadObjectId: 'x', name: 'Silje' }, conversationId: 'a:chat', subject: 'status', outcome: 'not an admin' }),
      ),
    );
    await one.put('approval:other', { planId: 'not listed' });
    const all = await b.all();
    expect(all.map((r) => r.planId ?? r.count)).toEqual([...Array.from({ length: 30 }, (_, i) => `p${i}`), 60]);
    expect((await a.latest(3)).map((r) => r.planId ?? r.count)).toEqual([60, 'p29', 'p28']);
    expect(await one.list('approved:')).toEqual([]);
  }, 60_000);
});

describe('two bot instances on shared Azure Blob state', () => {
  let container: string;
  let records: RecordStore;

  beforeEach(async () => {
    container = `bots-${randomUUID().slice(0, 8)}`;
    records = new RecordStore(storageFor(container));
    await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ settings: SANDBOX_SETTINGS }) });
    connector.clear();
    await Promise.all(bots.splice(0).map((bot) => bot.stop()));
    const env = {
      MODE: 'sandbox',
      SANDBOX_URL: sandbox.url,
      STATE_DIR: stateDir,
      STORAGE: 'blob',
      STORAGE_CONNECTION_STRING: azurite.connectionString,
      STORAGE_CONTAINER: container,
      RUN_LEASE_MS: String(LEASE_MS),
    };
    bots.push(...(await Promise.all([startBotProcess(env), startBotProcess(env)])));
  }, 90_000);

  const chatWith = (bot: BotProcess, id: string) => new TeamsConversation({ botUrl: bot.url, connector, tenantId: SEED.tenantId, conversationId: id });

  /** "set up" → Continue → Show the plan, through the first instance. Returns the plan card and its activity id. */
  async function planThrough(bot: BotProcess, chat: TeamsConversation, upn: string) {
    await chat.say(ADMIN, 'set up');
    const cardActivityId = connector.activities.at(-1)!.activityId!;
    const saved = await chat.execute(ADMIN, 'env.save', { ...inputValues(connector.cards().at(-1)), deployment: 'online' }, cardActivityId);
    expect(saved.status).toBe(200);
    const planned = await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: upn, nonAdminRoleIds: ROLES.root.salesManager }, cardActivityId);
    expect(planned.status).toBe(200);
    return { plan: planned.body.value, cardActivityId };
  }

  const runOf = (planId: string) => records.get<Run>(`run:${planId}`);
  const leaseOf = (planId: string) => records.get<LeaseRecord>(leaseKey(planId));
  const actionsDone = (bot: BotProcess, planId: string) => bot.logs('action done').filter((entry) => entry.planId === planId);

  it('one approval delivered to both instances gives exactly one run', async () => {
    const [a, b] = bots;
    const id = `a:${randomUUID()}`;
    const { plan, cardActivityId } = await planThrough(a, chatWith(a, id), SEED.admin.upn);
    const approve = action(plan, 'plan.approve');
    const planId = String(approve.data.planId);

    const responses = await Promise.all([
      chatWith(a, id).execute(ADMIN, 'plan.approve', approve.data, cardActivityId),
      chatWith(b, id).execute(ADMIN, 'plan.approve', approve.data, cardActivityId),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);

    // Finished: the run completed and its executor let go of the lease (after reporting the end).
    expect(await waitUntil(async () => (await runOf(planId))?.status === 'completed' && !!(await leaseOf(planId))?.releasedAt, 30)).toBe(true);
    const run = (await runOf(planId))!;
    expect(Object.values(run.journal).map((o) => o.status)).toEqual(['done', 'done']);
    // Applied once: no action found its change already made by a second executor.
    expect(Object.values(run.journal).map((o) => (o.status === 'done' ? o.note : 'not done'))).toEqual([undefined, undefined]);
    // Every action was executed once, all in one process.
    const done = [actionsDone(a, planId), actionsDone(b, planId)];
    expect(done.map((d) => d.length).sort()).toEqual([0, 2]);
    const lease = (await leaseOf(planId))!;
    expect(lease.takenOverFrom).toBeUndefined();
    expect(lease.holder).toBe((done[0].length ? a : b).instance);

    const user = await salesUserWithRoles(sandbox.url, SEED.admin.id);
    expect(user!.systemuserroles_association.map((r) => r.roleid).sort()).toEqual(
      [ROLES.root.systemAdministrator, ROLES.root.systemCustomizer, ROLES.root.salesManager].sort(),
    );
    const updates = connector.activities.filter((x) => x.method === 'PUT' && x.activityId === cardActivityId);
    expect(cardText(updates.at(-1)?.activity)).toContain('Applied: all 2 changes done.');
  }, 90_000);

  it('a run whose instance dies is taken over by the other once its lease expires', async () => {
    // Slow service calls, so the run is still going when its instance is killed.
    await fetch(`${sandbox.url}/_sandbox/settings`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 250 }) });
    const [a] = bots;
    const id = `a:${randomUUID()}`;
    const silje = SEED.users.siljeAndersen;
    const { plan, cardActivityId } = await planThrough(a, chatWith(a, id), silje.upn);
    expect(cardText(plan)).toContain(`Assign the licence Dynamics 365 for Sales Enterprise Edition to ${silje.upn}`);
    const approve = action(plan, 'plan.approve');
    const planId = String(approve.data.planId);
    expect((await chatWith(a, id).execute(ADMIN, 'plan.approve', approve.data, cardActivityId)).status).toBe(200);

    // Mid-run: at least one action done, not all, and a live lease.
    const midRun = await waitUntil(async () => {
      const run = await runOf(planId);
      const done = Object.values(run?.journal ?? {}).filter((o) => o.status === 'done').length;
      return run?.status === 'running' && done >= 1 && !!(await leaseOf(planId));
    }, 30, 50);
    expect(midRun).toBe(true);
    const heldBy = (await leaseOf(planId))!;
    const victim = bots.find((bot) => bot.instance === heldBy.holder)!;
    const survivor = bots.find((bot) => bot !== victim)!;
    expect(victim).toBeDefined();
    expect(survivor.instance).toBeDefined();
    const doneBeforeKill = Object.values((await runOf(planId))!.journal).filter((o) => o.status === 'done').length;
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((resolve) => victim.child.once('exit', resolve));
    expect(doneBeforeKill).toBeLessThan(5);

    expect(await waitUntil(async () => (await runOf(planId))?.status === 'completed' && !!(await leaseOf(planId))?.releasedAt, 45)).toBe(true);
    const lease = (await leaseOf(planId))!;
    expect(lease.holder).toBe(survivor.instance);
    expect(lease.takenOverFrom).toBe(heldBy.holder);
    // Not before the dead instance's lease had expired.
    expect(Date.parse(lease.acquiredAt)).toBeGreaterThanOrEqual(Date.parse(heldBy.expiresAt) - 5);
    expect(Date.now() - killedAt).toBeLessThan(30_000);

    const run = (await runOf(planId))!;
    expect(Object.values(run.journal).every((o) => o.status === 'done')).toBe(true);
    expect(Object.keys(run.journal)).toHaveLength(5);
    expect(actionsDone(survivor, planId).length).toBeGreaterThanOrEqual(5 - doneBeforeKill);
    const user = await salesUserWithRoles(sandbox.url, silje.id);
    expect(user?.isdisabled).toBe(false);
    expect(user!.systemuserroles_association.map((r) => r.roleid).sort()).toEqual(
      [ROLES.root.systemAdministrator, ROLES.root.systemCustomizer, ROLES.root.salesManager].sort(),
    );
    // The survivor reports the end on the same card.
    expect(
      await waitUntil(() => {
        const updates = connector.activities.filter((x) => x.method === 'PUT' && x.activityId === cardActivityId);
        return cardText(updates.at(-1)?.activity).includes('Applied: all 5 changes done.');
      }, 10),
    ).toBe(true);
  }, 120_000);
});
