import { MemoryStorage } from 'botbuilder';
import { createLogger } from '../../src/log';
import type { Clients } from '../../src/provisioning/clients';
import { RunEvents, type RunEventMap } from '../../src/provisioning/run/events';
import { Runner } from '../../src/provisioning/run/runner';
import { planDigest, type Action, type Plan, type Run } from '../../src/setup/plan';
import { planKey, runKey } from '../../src/storage/keys';
import { RecordStore } from '../../src/storage/records';

/**
 * What a run tells its subscribers, and that a subscriber cannot stop it: listeners are called in
 * the order they subscribed, each whatever the others threw; a password that cannot be shown
 * fails its action (and blocks the user's later steps), while a failing progress listener changes
 * nothing in the journal.
 */

describe('RunEvents', () => {
  it('calls listeners in subscription order, each despite the others failing, and returns what they threw', async () => {
    const events = new RunEvents();
    const calls: string[] = [];
    const boom = new Error('card update failed');
    events.on('run.started', () => void calls.push('first'));
    const off = events.on('run.started', () => {
      calls.push('second');
      throw boom;
    });
    events.on('run.started', async () => void calls.push('third'));
    const event = {} as RunEventMap['run.started'];
    expect(await events.emit('run.started', event)).toEqual([boom]);
    expect(calls).toEqual(['first', 'second', 'third']);
    off();
    calls.length = 0;
    expect(await events.emit('run.started', event)).toEqual([]);
    expect(calls).toEqual(['first', 'third']);
    expect(events.listens('secret.ready')).toBe(false);
    expect(events.listens('run.started')).toBe(true);
  });
});

describe('a run', () => {
  const T0 = Date.parse('2026-03-02T09:00:00.000Z');
  const ENV = { dataverseUrl: 'https://contoso.crm4.dynamics.com', bapEnvironmentId: 'env-1', bcEnvironment: 'Production' };
  const target = { userPrincipalName: 'bc.integration@contoso.no', displayName: 'BC integration' };
  const actions: Action[] = [
    { key: 'createUser:bc.integration@contoso.no', type: 'createUser', target, params: { mailNickname: 'bc.integration', usageLocation: 'NO', deliverPassword: true } },
    { key: 'addUserToEnvironment:bc.integration@contoso.no:env-1', type: 'addUserToEnvironment', target, params: { bapEnvironmentId: 'env-1' } },
  ];

  async function run(listen: (events: RunEvents, seen: string[]) => void) {
    const records = new RecordStore(new MemoryStorage());
    const created: unknown[] = [];
    const clients = {
      directory: {
        getUser: async () => undefined,
        createUser: async (input: unknown) => void created.push(input),
      },
    } as unknown as Clients;
    const input = { kind: 'integrationUser' as const, environment: ENV, actions };
    const plan: Plan = {
      ...input,
      id: 'plan-1',
      digest: planDigest(input),
      conversationId: 'a:chat',
      createdBy: {},
      createdAt: new Date(T0).toISOString(),
      requesterChat: { conversation: { id: 'a:personal', conversationType: 'personal' } },
    };
    await records.put(planKey(plan.id), plan);
    const events = new RunEvents();
    const seen: string[] = [];
    for (const type of ['run.started', 'actions.settled', 'run.finished'] as const) {
      events.on(type, (event) => void seen.push(type === 'actions.settled' ? `${type} ${Object.keys((event as RunEventMap['actions.settled']).outcomes).join()}` : type));
    }
    listen(events, seen);
    const runner = new Runner({ records, clients, logger: createLogger({ level: 'silent' }), settings: { addUserRetryMs: 1, addUserTimeoutMs: 1, pollMs: 1 }, events, now: () => T0 });
    await runner.start(plan, { conversationId: 'a:chat' });
    await runner.settled(plan.id);
    return { seen, created, run: (await records.get<Run>(runKey(plan.id)))! };
  }

  it('whose password cannot be shown: the account step fails saying so, the next step for that user is not attempted', async () => {
    const secrets: string[] = [];
    const { seen, created, run: result } = await run((events, seen) =>
      events.on('secret.ready', ({ action, secret }) => {
        seen.push(`secret.ready ${action.key}`);
        secrets.push(secret);
        throw new Error('Teams refused the message');
      }),
    );
    expect(created).toHaveLength(1);
    expect(secrets).toHaveLength(1);
    expect(secrets[0].length).toBeGreaterThanOrEqual(16);
    expect(seen).toEqual(['run.started', `secret.ready ${actions[0].key}`, `actions.settled ${actions[0].key}`, `actions.settled ${actions[1].key}`, 'run.finished']);
    expect(result.status).toBe('failed');
    expect(result.journal[actions[0].key]).toMatchObject({ status: 'failed', code: 'service_error', text: { key: 'errPasswordNotShown', params: { user: target.userPrincipalName } } });
    expect(result.journal[actions[1].key]).toMatchObject({ status: 'failed', code: 'blocked' });
    // The secret is nowhere in the run's record.
    expect(JSON.stringify(result)).not.toContain(secrets[0]);
  });

  it('with nobody to show a password to: the account is not made', async () => {
    const { created, run: result } = await run(() => undefined);
    expect(created).toEqual([]);
    expect(result.journal[actions[0].key]).toMatchObject({ status: 'failed', text: { key: 'errPasswordNeedsPersonalChat' } });
  });

  it('whose progress listener throws: the run goes on and ends the same', async () => {
    const { seen, run: result } = await run((events) => {
      events.on('secret.ready', () => undefined);
      events.on('actions.settled', () => {
        throw new Error('card update failed');
      });
    });
    expect(seen.at(-1)).toBe('run.finished');
    expect(result.journal[actions[0].key]).toMatchObject({ status: 'done' });
    // The second step ran (and failed on its own: this fake tenant has no Power Platform).
    expect(result.journal[actions[1].key]).toMatchObject({ status: 'failed' });
    expect(result.journal[actions[1].key]).not.toMatchObject({ code: 'blocked' });
  });
});
