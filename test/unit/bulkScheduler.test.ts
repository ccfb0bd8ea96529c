import { coded } from '../../src/errors';
import type { Clients } from '../../src/provisioning/clients';
import { inGroups, SAVE_EVERY_MS, SAVE_EVERY_OUTCOMES, streamed, type Outcomes } from '../../src/provisioning/run/bulk/phase';
import { runBulk } from '../../src/provisioning/run/bulk/run';
import { planDigest, type Action, type Plan } from '../../src/setup/plan';
import { bulkHarness } from '../helpers/bulkState';

/**
 * The bulk run's scheduler with an injected clock (a number the tests move; nothing sleeps):
 * when the journal is saved while chunks stream, how many chunks are in flight, what a failed
 * chunk or a stop does, and how a phase whose read fails settles its actions and blocks their users.
 */

const T0 = Date.parse('2026-03-02T09:00:00.000Z');

function harness(clients: Partial<Clients> = {}) {
  let time = T0;
  let stop = false;
  const { context, state, saves } = bulkHarness({
    clients,
    settings: { addUserRetryMs: 1, addUserTimeoutMs: 1, pollMs: 1 },
    sleep: async () => undefined,
    now: () => time,
    stopped: () => stop,
  });
  return {
    state,
    context,
    saves,
    /** Sizes of the saves that held outcomes. */
    sizes: () => saves.map((s) => Object.keys(s).length).filter((n) => n > 0),
    advance: (ms: number) => (time += ms),
    stopNow: () => (stop = true),
  };
}

const done = (at: number) => ({ status: 'done' as const, at: new Date(at).toISOString() });
const items = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);
/** A task that gives every item of its chunk an outcome. */
const settle = (h: ReturnType<typeof harness>) => async (chunk: string[], outcomes: Outcomes) => {
  for (const key of chunk) outcomes[key] = done(h.context.now());
};

describe('streamed', () => {
  it(`saves once ${SAVE_EVERY_OUTCOMES} outcomes are unsaved, and the rest at the end`, async () => {
    const h = harness();
    await streamed(h.state, items(1200), 20, 1, settle(h));
    expect(h.sizes()).toEqual([500, 500, 200]);
    // Every outcome saved exactly once.
    expect(h.saves.flatMap((s) => Object.keys(s)).sort()).toEqual(items(1200).sort());
  });

  it(`saves once ${SAVE_EVERY_MS} ms have passed since the last save, however few outcomes`, async () => {
    const h = harness();
    await streamed(h.state, items(100), 10, 1, async (chunk, outcomes) => {
      h.advance(600);
      await settle(h)(chunk, outcomes);
    });
    // 600 ms per chunk: every second chunk is past the second since the last save.
    expect(h.sizes()).toEqual([20, 20, 20, 20, 20]);
  });

  it('starts no chunk after one failed, saves what the others settled, and throws the failure', async () => {
    const h = harness();
    const started: number[] = [];
    const failure = new Error('the envelope failed');
    await expect(
      streamed(h.state, items(50), 10, 1, async (chunk, outcomes) => {
        started.push(Number(chunk[0].slice(1)));
        if (chunk[0] === 'k20') throw failure;
        await settle(h)(chunk, outcomes);
      }),
    ).rejects.toBe(failure);
    expect(started).toEqual([0, 10, 20]);
    expect(h.saves.flatMap((s) => Object.keys(s)).sort()).toEqual(items(20).sort());
  });

  it('starts no chunk once the run is stopped', async () => {
    const h = harness();
    const started: string[] = [];
    await streamed(h.state, items(50), 10, 1, async (chunk, outcomes) => {
      started.push(chunk[0]);
      if (chunk[0] === 'k10') h.stopNow();
      await settle(h)(chunk, outcomes);
    });
    expect(started).toEqual(['k0', 'k10']);
    expect(h.sizes()).toEqual([20]);
  });
});

describe('streamed chunks in flight', () => {
  it('at most `limit` at once, and the next starts as soon as one ends', async () => {
    const h = harness();
    const open = new Map<string, () => void>();
    const order: string[] = [];
    let inFlight = 0;
    let most = 0;
    const running = streamed(h.state, items(4), 1, 2, ([item], outcomes) => {
      inFlight++;
      most = Math.max(most, inFlight);
      order.push(`start ${item}`);
      return new Promise<void>((resolve) =>
        open.set(item, () => {
          inFlight--;
          order.push(`end ${item}`);
          outcomes[item] = done(h.context.now());
          resolve();
        }),
      );
    });
    const flush = () => new Promise((resolve) => setImmediate(resolve));
    await flush();
    expect([...open.keys()]).toEqual(['k0', 'k1']);
    // k1 ends while k0 is still slow: k2 starts at once, not when the slowest of the pair does.
    open.get('k1')!();
    await flush();
    expect([...open.keys()]).toEqual(['k0', 'k1', 'k2']);
    open.get('k2')!();
    await flush();
    open.get('k3')!();
    await flush();
    open.get('k0')!();
    await running;
    expect(order).toEqual(['start k0', 'start k1', 'end k1', 'start k2', 'end k2', 'start k3', 'end k3', 'end k0']);
    expect(most).toBe(2);
    expect(h.sizes()).toEqual([4]);
  });

  it('with fewer chunks than the limit, one task per chunk', async () => {
    const h = harness();
    const seen: string[][] = [];
    await streamed(h.state, ['k7'], 20, 8, async (chunk) => {
      seen.push(chunk);
    });
    expect(seen).toEqual([['k7']]);
  });
});

describe('inGroups', () => {
  it('saves after every group, and stops before the next group once stopped', async () => {
    const h = harness();
    const groups: string[][] = [];
    await inGroups(h.state, items(7), 3, async (group, outcomes) => {
      groups.push(group);
      if (groups.length === 2) h.stopNow();
      await settle(h)(group, outcomes);
    });
    expect(groups).toEqual([
      ['k0', 'k1', 'k2'],
      ['k3', 'k4', 'k5'],
    ]);
    expect(h.sizes()).toEqual([3, 3]);
  });
});

describe('runBulk', () => {
  const user = (name: string) => ({ userPrincipalName: `${name}@contoso.no`, displayName: name });
  const create = (name: string): Action => ({ key: `createUser:${name}`, type: 'createUser', target: user(name), params: { mailNickname: name, usageLocation: 'NO', deliverPassword: false } });
  const license = (name: string): Action => ({
    key: `assignLicense:${name}`,
    type: 'assignLicense',
    target: user(name),
    params: { skuId: '6a4a1628-9b9a-424d-bed5-4118f0ede3fd', skuPartNumber: 'DYN365_BUSCENTRAL_TEAM_MEMBER', usageLocation: 'NO' },
  });
  /** A directory whose every `$batch` is refused (recorded in `batches`); as the client does, an empty batch sends nothing. */
  const refusingDirectory = (refusal: Error, batches: unknown[]) =>
    ({
      batch: async (items: unknown[]) => {
        if (items.length === 0) return [];
        batches.push(items);
        throw refusal;
      },
    }) as unknown as Clients['directory'];
  function bulkPlan(actions: Action[]): Plan {
    const input = { kind: 'salespeople' as const, environment: harness().context.environment, actions };
    return { ...input, id: 'plan-bulk', digest: planDigest(input), conversationId: 'a:chat', createdBy: {}, createdAt: new Date(T0).toISOString() };
  }

  it('a read the account phase depends on fails: its actions fail with the reason at the clock\'s time, and the licences of those users are not attempted', async () => {
    const refusal = coded('service_unavailable', 'failServiceUnavailable', { service: 'graph' });
    const batches: unknown[] = [];
    const h = harness({ directory: refusingDirectory(refusal, batches) });
    h.advance(5_000);
    const plan = bulkPlan([license('kari'), create('kari'), create('lars'), license('lars')]);
    const saved: Outcomes = {};
    const finished = await runBulk(plan, {}, h.context, {
      save: async (outcomes) => void Object.assign(saved, outcomes),
      stopped: () => false,
    });
    expect(finished).toBe(true);
    // One read was tried (the lookup of both accounts); no licence was read or written.
    expect(batches).toHaveLength(1);
    const at = new Date(T0 + 5_000).toISOString();
    expect(saved['createUser:kari']).toEqual({ status: 'failed', at, code: 'service_unavailable', text: { key: 'failServiceUnavailable', params: { service: 'graph' } } });
    expect(saved['createUser:lars']).toMatchObject({ status: 'failed', code: 'service_unavailable' });
    expect(saved['assignLicense:kari']).toEqual({ status: 'failed', at, code: 'blocked', text: { key: 'outcomeBlocked', params: { user: 'kari@contoso.no' } } });
    expect(saved['assignLicense:lars']).toMatchObject({ code: 'blocked', text: { params: { user: 'lars@contoso.no' } } });
  });

  it('a journal write that fails ends the run with that failure, and nothing after it is written to the journal', async () => {
    const refusal = coded('service_unavailable', 'failServiceUnavailable', { service: 'graph' });
    const batches: unknown[] = [];
    const h = harness({ directory: refusingDirectory(refusal, batches) });
    const writes: string[] = [];
    const journalFull = new Error('ENOSPC: no space left on device');
    const run = runBulk(bulkPlan([create('kari'), license('lars')]), {}, h.context, {
      save: async (outcomes) => {
        await Promise.resolve();
        writes.push(...Object.keys(outcomes));
        throw journalFull;
      },
      stopped: () => false,
    });
    await expect(run).rejects.toBe(journalFull);
    // The account phase's outcome was the one write tried. The journal is written in the background,
    // so the next phase may have read before the failure was known; nothing was changed in the tenant.
    expect(writes).toEqual(['createUser:kari']);
    expect((batches as { method: string }[][]).flat().map((item) => item.method)).not.toContain('POST');
  });

  it('licenses each envelope of new accounts at once, before the last accounts are made, and each user once', async () => {
    const sent: string[] = [];
    let n = 0;
    const h = harness({
      directory: {
        batch: async (items: { id: string; method: string; url: string }[]) => {
          await Promise.resolve();
          sent.push(items[0]?.url === '/users' ? 'create' : items[0]?.url.endsWith('/assignLicense') ? 'licence' : 'read');
          return items.map((item) => {
            if (item.method === 'GET') return { id: item.id, status: 200, headers: {}, body: { value: [] }, attempts: 1 };
            if (item.url === '/users') return { id: item.id, status: 201, headers: {}, body: { id: `00000000-0000-4000-8000-${String(n++).padStart(12, '0')}` }, attempts: 1 };
            return { id: item.id, status: 200, headers: {}, body: {}, attempts: 1 };
          });
        },
      } as unknown as Clients['directory'],
    });
    // 9 envelopes of 20 accounts, 8 in flight: the first licences go before the ninth envelope of accounts.
    const names = Array.from({ length: 180 }, (_, i) => `s${i}`);
    const saved: Outcomes = {};
    const saves: string[] = [];
    const finished = await runBulk(bulkPlan(names.flatMap((name) => [create(name), license(name)])), {}, h.context, {
      save: async (outcomes) => {
        saves.push(...Object.keys(outcomes));
        Object.assign(saved, outcomes);
      },
      stopped: () => false,
    });
    expect(finished).toBe(true);
    expect(sent.indexOf('licence')).toBeLessThan(sent.lastIndexOf('create'));
    expect(sent.filter((s) => s === 'create')).toHaveLength(9);
    expect(sent.filter((s) => s === 'licence')).toHaveLength(9);
    for (const name of names) expect(saved[`assignLicense:${name}`]).toMatchObject({ status: 'done' });
    expect(saves.filter((k) => k.startsWith('assignLicense:'))).toHaveLength(names.length);
  });

  it('does nothing for actions the journal has done', async () => {
    const h = harness({
      directory: {
        batch: async () => {
          throw new Error('nothing is read for a plan whose actions are done');
        },
      } as unknown as Clients['directory'],
    });
    const saves: Outcomes[] = [];
    const finished = await runBulk(bulkPlan([create('kari'), license('kari')]), { 'createUser:kari': done(T0), 'assignLicense:kari': done(T0) }, h.context, {
      save: async (outcomes) => void saves.push(outcomes),
      stopped: () => false,
    });
    expect(finished).toBe(true);
    expect(saves).toEqual([]);
  });

  it('stops between phases once stopped: resolves false, and the next phase reads nothing', async () => {
    const batches: unknown[] = [];
    const h = harness({
      directory: {
        batch: async (items: unknown[]) => {
          if (items.length === 0) return [];
          batches.push(items);
          throw new Error('no answer');
        },
      } as unknown as Clients['directory'],
    });
    let stop = false;
    const saved: string[] = [];
    const finished = await runBulk(bulkPlan([create('kari'), license('lars')]), {}, h.context, {
      save: async (outcomes) => {
        saved.push(...Object.keys(outcomes));
        stop = true; // the account phase saved its outcome; then the run's lease is lost
      },
      stopped: () => stop,
    });
    expect(finished).toBe(false);
    expect(saved).toEqual(['createUser:kari']);
    expect(batches).toHaveLength(1);
  });
});
