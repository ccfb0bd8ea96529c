import { randomUUID } from 'node:crypto';
import { SEED, type SandboxHandle } from '../../src/sandbox';
import { BlobStorage } from '../../src/storage/blobStorage';
import { RecordStore } from '../../src/storage/records';
import { type LeaseRecord } from '../../src/provisioning/run/lease';
import type { Run } from '../../src/setup/plan';
import { ADMIN } from '../helpers/harness';
import { action, inputValues } from '../helpers/cards';
import { startBotProcess, startCluster, waitUntil, type Azurite, type BotProcess, type Cluster } from '../helpers/processes';
import { cardText, FakeConnector, TeamsConversation } from '../helpers/teams';
import { expectExactSalespeople } from '../helpers/salespeopleState';
import { leaseKey } from '../../src/storage/keys';

/**
 * A bot process killed (SIGKILL) in the middle of a run of 300 salespeople: a new process resumes
 * the run by itself once the dead holder's lease has expired, and the tenant ends exactly as
 * planned — each account, licence, Sales user and role once.
 */

const N = 300;
const LEASE_MS = 1500;
const SETTINGS = { latencyMs: 40, syncDelayMs: 300, licensePropagationMs: 200 };

let cluster: Cluster;
let azurite: Azurite;
let sandbox: SandboxHandle;
let connector: FakeConnector;
let stateDir: string;
let bots: BotProcess[];

beforeAll(async () => {
  cluster = await startCluster(SETTINGS, 'bc-setup-crash-');
  ({ azurite, sandbox, connector, stateDir, bots } = cluster);
}, 60_000);

afterAll(() => cluster?.stop(), 60_000);

it('a run killed mid-way resumes in a new process and ends with each change made once', async () => {
  await fetch(`${sandbox.url}/_sandbox/reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seed: { syntheticSalespeople: N }, settings: SETTINGS }),
  });
  const container = `crash-${randomUUID().slice(0, 8)}`;
  const records = new RecordStore(BlobStorage.fromConnectionString(azurite.connectionString, container));
  const env = {
    MODE: 'sandbox',
    SANDBOX_URL: sandbox.url,
    STATE_DIR: stateDir,
    STORAGE: 'blob',
    STORAGE_CONNECTION_STRING: azurite.connectionString,
    STORAGE_CONTAINER: container,
    RUN_LEASE_MS: String(LEASE_MS),
    COUPLING_URL: 'none',
  };
  const first = await startBotProcess(env);
  bots.push(first);

  // Through the conversation: set up → salespeople → Show the plan → Approve.
  const chat = new TeamsConversation({ botUrl: first.url, connector, tenantId: SEED.tenantId });
  await chat.say(ADMIN, 'set up');
  const cardActivityId = connector.activities.at(-1)!.activityId!;
  expect((await chat.execute(ADMIN, 'env.save', { ...inputValues(connector.cards().at(-1)), deployment: 'online' }, cardActivityId)).status).toBe(200);
  await chat.say(ADMIN, 'salespeople');
  const list = connector.cards().at(-1)!;
  const listActivityId = connector.activities.at(-1)!.activityId!;
  const planned = await chat.execute(ADMIN, 'salespeople.plan', { ...inputValues(list), ...action(list, 'salespeople.plan').data }, listActivityId);
  expect(planned.status).toBe(200);
  const approve = action(planned.body.value, 'plan.approve');
  const planId = String(approve.data.planId);
  expect((await chat.execute(ADMIN, 'plan.approve', approve.data, listActivityId)).status).toBe(200);

  const runOf = () => records.get<Run>(`run:${planId}`);
  const doneCount = (run?: Run) => Object.values(run?.journal ?? {}).filter((o) => o.status === 'done').length;
  // Mid-run: the accounts are made (at least N actions done), the run is not finished.
  expect(await waitUntil(async () => doneCount(await runOf()) >= N, 60, 25)).toBe(true);
  const before = (await runOf())!;
  const total = Object.keys(before.journal).length;
  expect(before.status).toBe('running');
  expect(doneCount(before)).toBeLessThan(total);
  const heldBy = (await records.get<LeaseRecord>(leaseKey(planId)))!;
  expect(heldBy.holder).toBe(first.instance);
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));

  // A new process: nobody says "resume"; it finds the unfinished run and takes it over once the lease has expired.
  const second = await startBotProcess(env);
  bots.push(second);
  expect(await waitUntil(async () => (await runOf())?.status === 'completed', 90, 200)).toBe(true);
  const run = (await runOf())!;
  expect(Object.values(run.journal).filter((o) => o.status !== 'done')).toEqual([]);
  const lease = (await records.get<LeaseRecord>(leaseKey(planId)))!;
  expect(lease.holder).toBe(second.instance);
  expect(lease.takenOverFrom).toBe(first.instance);
  expect(Date.parse(lease.acquiredAt)).toBeGreaterThanOrEqual(Date.parse(heldBy.expiresAt) - 5);
  // The new process did the rest: it logged the remaining phases.
  expect(second.logs('bulk phase done').filter((e) => e.planId === planId).length).toBeGreaterThan(0);

  await expectExactSalespeople(sandbox.url, N);
  // The card ends as applied, updated by the process that finished the run.
  expect(
    await waitUntil(() => {
      const updates = connector.activities.filter((x) => x.method === 'PUT' && x.activityId === listActivityId);
      return cardText(updates.at(-1)?.activity).includes('Applied: all');
    }, 10),
  ).toBe(true);
}, 180_000);
