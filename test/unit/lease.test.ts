import { MemoryStorage, type StoreItems } from 'botbuilder';
import { LeaseLostError, Leases, underLease, type LeaseRecord } from '../../src/provisioning/run/lease';
import { RecordStore } from '../../src/storage/records';
import { createLogger } from '../../src/log';
import type { Clients } from '../../src/provisioning/clients';
import { Runner } from '../../src/provisioning/run/runner';
import { planDigest, type Action, type Plan, type Run } from '../../src/setup/plan';
import { leaseKey, planKey, runKey } from '../../src/storage/keys';

/**
 * Run leases with an injected clock (jest's fake timers drive the renewals and Date.now) and a
 * storage whose writes can be made to fail or hang: a lease that cannot be renewed stops the work
 * while it is still held, before any other instance may take it over.
 */

const D = 3000;
const PLAN = 'plan-1';

/** Storage whose writes of lease records fail, or never answer, while told to. */
class FlakyStorage extends MemoryStorage {
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  override async write(changes: StoreItems): Promise<void> {
    if (this.mode !== 'ok' && Object.keys(changes).some((key) => key.startsWith('lease:'))) {
      if (this.mode === 'fail') throw new Error('storage unavailable');
      return new Promise<void>(() => undefined);
    }
    return super.write(changes);
  }
}

let storage: FlakyStorage;
let records: RecordStore;
const leases = (holder: string) => new Leases({ records, durationMs: D, holder, now: () => Date.now() });

beforeEach(() => {
  jest.useFakeTimers({ now: Date.parse('2026-03-02T09:00:00.000Z') });
  storage = new FlakyStorage();
  records = new RecordStore(storage);
});
afterEach(() => jest.useRealTimers());

const at = (ms: number) => jest.setSystemTime(Date.parse('2026-03-02T09:00:00.000Z') + ms);

it('is renewed while storage answers, and no other instance can take it', async () => {
  const a = (await leases('a').acquire(PLAN))!;
  await jest.advanceTimersByTimeAsync(3 * D);
  expect(a.lost).toBe(false);
  expect(a.signal.aborted).toBe(false);
  expect(Date.parse((await records.get<LeaseRecord>(leaseKey(PLAN)))!.expiresAt)).toBeGreaterThan(Date.now());
  expect(await leases('b').acquire(PLAN)).toBeUndefined();
  await a.release();
});

it.each(['fail', 'hang'] as const)('whose renewals %s stops the work before it expires; the run is then taken over', async (mode) => {
  const a = (await leases('a').acquire(PLAN))!;
  const expiresAt = Date.parse((await records.get<LeaseRecord>(leaseKey(PLAN)))!.expiresAt);
  expect(expiresAt).toBe(Date.now() + D);
  storage.mode = mode;
  let abortedAt: number | undefined;
  a.signal.addEventListener('abort', () => (abortedAt = Date.now()));

  // One renewal missed: the lease still has two thirds left, the work goes on.
  await jest.advanceTimersByTimeAsync(D / 3);
  expect(a.lost).toBe(false);
  // The second: a third is left, the work stops.
  await jest.advanceTimersByTimeAsync(D / 3);
  expect(a.lost).toBe(true);
  expect(a.signal.reason).toBeInstanceOf(LeaseLostError);
  expect(a.signal.reason).toMatchObject({ planId: PLAN, why: 'not renewed' });
  expect(abortedAt).toBeLessThan(expiresAt);
  expect(expiresAt - abortedAt!).toBeGreaterThanOrEqual(D / 3 - 1);

  // Storage is back; another instance cannot take the lease until it has expired, then it can.
  storage.mode = 'ok';
  const b = leases('b');
  at(expiresAt - 1 - Date.parse('2026-03-02T09:00:00.000Z'));
  expect(await b.acquire(PLAN)).toBeUndefined();
  at(expiresAt - Date.parse('2026-03-02T09:00:00.000Z'));
  const taken = await b.acquire(PLAN);
  expect(taken).toBeDefined();
  expect((await records.get<LeaseRecord>(leaseKey(PLAN)))!).toMatchObject({ holder: 'b', takenOverFrom: 'a' });
  // The stopped holder's release does not touch the new holder's lease.
  await a.release();
  expect((await records.get<LeaseRecord>(leaseKey(PLAN)))!.holder).toBe('b');
  await taken!.release();
});

it('taken over by another holder (its eTag lost) stops at the next renewal', async () => {
  const a = (await leases('a').acquire(PLAN))!;
  await records.update<LeaseRecord>(leaseKey(PLAN), (current) => ({ ...current!, holder: 'b' }));
  await jest.advanceTimersByTimeAsync(D / 3);
  expect(a.lost).toBe(true);
  expect(a.signal.reason).toMatchObject({ why: 'taken over' });
  await a.release();
  expect((await records.get<LeaseRecord>(leaseKey(PLAN)))!.holder).toBe('b');
});

it('underLease hands the signal to the work, which stops when renewals fail; released otherwise', async () => {
  const mine = leases('a');
  const steps: number[] = [];
  const work = underLease(mine, PLAN, async (lease) => {
    for (let step = 0; step < 100 && !lease!.lost; step++) {
      steps.push(step);
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(timer);
          reject(lease!.signal.reason as Error);
        };
        const timer = setTimeout(() => {
          lease!.signal.removeEventListener('abort', onAbort);
          resolve();
        }, 100);
        lease!.signal.addEventListener('abort', onAbort, { once: true });
      }).catch(() => undefined);
    }
  });
  await jest.advanceTimersByTimeAsync(500);
  storage.mode = 'fail';
  await jest.advanceTimersByTimeAsync(D);
  await work;
  // It stopped within two renewal periods of the failure, long before its 100 steps.
  expect(steps.length).toBeGreaterThan(4);
  expect(steps.length).toBeLessThan(5 + (2 * D) / 3 / 100 + 2);
  // Released leases are free at once for anyone.
  storage.mode = 'ok';
  const done = underLease(mine, 'plan-2', async () => undefined);
  await done;
  expect((await records.get<LeaseRecord>(leaseKey('plan-2')))!.releasedAt).toBeDefined();
  expect(await leases('b').acquire('plan-2')).toBeDefined();
});

describe('acquiring', () => {
  it('a free lease is taken; while it is held and unexpired nobody else gets it; its holder gets it again', async () => {
    const a = leases('a');
    const held = (await a.acquire(PLAN))!;
    expect(held).toBeDefined();
    expect(await records.get<LeaseRecord>(leaseKey(PLAN))).toMatchObject({ planId: PLAN, holder: 'a', expiresAt: new Date(Date.now() + D).toISOString() });
    expect(await leases('b').acquire(PLAN)).toBeUndefined();
    const again = await a.acquire(PLAN);
    expect(again).toBeDefined();
    expect((await records.get<LeaseRecord>(leaseKey(PLAN)))!.takenOverFrom).toBeUndefined();
    await again!.release();
    await held.release();
  });

  it('a released lease is free at once, and taking it is no takeover', async () => {
    const held = (await leases('a').acquire(PLAN))!;
    at(1000);
    await held.release();
    expect(await records.get<LeaseRecord>(leaseKey(PLAN))).toMatchObject({ holder: 'a', releasedAt: new Date(Date.now()).toISOString(), expiresAt: new Date(Date.now()).toISOString() });
    const b = (await leases('b').acquire(PLAN))!;
    expect(b).toBeDefined();
    const record = (await records.get<LeaseRecord>(leaseKey(PLAN)))!;
    expect(record.holder).toBe('b');
    expect(record.takenOverFrom).toBeUndefined();
    await b.release();
  });

  it('by the clock the leases are given, not the wall clock: a lease expired by that clock is taken over', async () => {
    let now = Date.parse('2030-01-01T00:00:00.000Z');
    const clocked = (holder: string) => new Leases({ records, durationMs: D, holder, now: () => now });
    const a = (await clocked('a').acquire(PLAN))!;
    expect((await records.get<LeaseRecord>(leaseKey(PLAN)))!.expiresAt).toBe('2030-01-01T00:00:03.000Z');
    now += D - 1;
    expect(await clocked('b').acquire(PLAN)).toBeUndefined();
    now += 1;
    const b = (await clocked('b').acquire(PLAN))!;
    expect(await records.get<LeaseRecord>(leaseKey(PLAN))).toMatchObject({ holder: 'b', takenOverFrom: 'a', acquiredAt: '2030-01-01T00:00:03.000Z' });
    await b.release();
    await a.release();
  });
});

describe('watching for runs to take over', () => {
  it('relaunches every half lease, one look at a time, from the first watch only; close stops it', async () => {
    const mine = leases('a');
    let looks = 0;
    let finishLook: (() => void) | undefined;
    const relaunch = () => {
      looks++;
      return new Promise<void>((resolve) => (finishLook = resolve));
    };
    mine.watch(relaunch);
    mine.watch(relaunch); // a second watch changes nothing
    await jest.advanceTimersByTimeAsync(D / 2);
    expect(looks).toBe(1);
    // The look has not answered: the next tick does not start another.
    await jest.advanceTimersByTimeAsync(D / 2);
    expect(looks).toBe(1);
    finishLook!();
    await jest.advanceTimersByTimeAsync(D / 2);
    expect(looks).toBe(2);
    finishLook!();
    mine.close();
    await jest.advanceTimersByTimeAsync(3 * D);
    expect(looks).toBe(2);
  });
});

describe('a run whose lease cannot be renewed', () => {
  const ENV = { dataverseUrl: 'https://contoso.crm4.dynamics.com', bapEnvironmentId: 'env-1', bcEnvironment: 'Production' };
  const act = (user: string): Action => ({ key: `addUserToEnvironment:${user}:env-1`, type: 'addUserToEnvironment', target: { userId: user, userPrincipalName: `${user}@contoso.no` }, params: { bapEnvironmentId: 'env-1' } });

  it('stops executing before the lease lapses, journals nothing it did not finish, and is finished by the instance that takes the lease', async () => {
    // Three users to add to the environment; the second takes its time to appear as a Sales user.
    const present = new Set<string>();
    const added: string[] = [];
    let slow = true;
    const clients = {
      sales: () => ({ findSystemUserByAadObjectId: async (id: string) => (present.has(id) ? { isDisabled: false } : undefined) }),
      powerPlatform: {
        addUser: async (_environment: string, id: string) => {
          added.push(id);
          if (id !== 'u2' || !slow) present.add(id);
        },
      },
    } as unknown as Clients;
    const input = { kind: 'admin' as const, environment: ENV, actions: ['u1', 'u2', 'u3'].map(act) };
    const plan: Plan = { ...input, id: PLAN, digest: planDigest(input), conversationId: 'a:chat', createdBy: {}, createdAt: new Date().toISOString() };
    await records.put(planKey(PLAN), plan);
    const runner = (holder: string) =>
      new Runner({ records, clients, logger: createLogger({ level: 'silent' }), settings: { addUserRetryMs: 100, addUserTimeoutMs: 600_000, pollMs: 100 }, leases: leases(holder), now: () => Date.now() });

    const a = runner('a');
    await a.start(plan, { conversationId: 'a:chat' });
    await jest.advanceTimersByTimeAsync(500); // u1 done, u2 waiting for its Sales user
    expect(added).toEqual(['u1', 'u2']);
    storage.mode = 'fail';
    const failedAt = Date.now();
    await jest.advanceTimersByTimeAsync(D);
    await a.settled(PLAN);
    const stopped = (await records.get<Run>(runKey(PLAN)))!;
    expect(stopped.status).toBe('running');
    expect(Object.fromEntries(Object.entries(stopped.journal).map(([key, o]) => [key.split(':')[1], o.status]))).toEqual({ u1: 'done', u2: 'pending', u3: 'pending' });
    expect(added).toEqual(['u1', 'u2']); // nothing after the lease was given up
    const lease = (await records.get<LeaseRecord>(leaseKey(PLAN)))!;
    expect(Date.parse(lease.expiresAt)).toBeGreaterThan(failedAt + D / 3);

    // Storage back, the lease expired: another instance takes the run over and finishes it.
    storage.mode = 'ok';
    slow = false;
    at(Date.parse(lease.expiresAt) - Date.parse('2026-03-02T09:00:00.000Z'));
    const b = runner('b');
    await b.resumeAll();
    await jest.advanceTimersByTimeAsync(1000);
    await b.settled(PLAN);
    const run = (await records.get<Run>(runKey(PLAN)))!;
    expect(run.status).toBe('completed');
    expect(added).toEqual(['u1', 'u2', 'u2', 'u3']); // u1 once; u2 observed and applied again; u3 once
    expect((await records.get<LeaseRecord>(leaseKey(PLAN)))!).toMatchObject({ holder: 'b', takenOverFrom: 'a' });
    leases('b').close();
  });
});
