import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileStorage } from '../../src/storage/fileStorage';
import { AuditLog, type AuditRecord } from '../../src/approvals/audit';
import { createLogger } from '../../src/log';
import { RecordStore } from '../../src/storage/records';
import { watchKey } from '../../src/storage/keys';
import type { WatchRow, WatchSnapshot } from '../../src/watch/compare';
import { Watcher, type WatchRecord } from '../../src/watch/watcher';
import { ManualClock } from '../helpers/clock';

/**
 * The watch's scheduler over a record store, with a check and a post the test controls: what it
 * does when the check fails, when the chat cannot be posted in, and when the watch is turned off
 * while a check runs.
 */

const HOUR = 3_600_000;
const CHAT = '19:admins@thread.v2';
const ENVIRONMENT = { dataverseUrl: 'https://contososales.crm4.dynamics.com', bapEnvironmentId: 'c4a2e8f0-1b3d-4e5f-9a7b-2c6d8e0f1a3b', bcEnvironment: 'Production', deployment: 'online' as const };
const KARI = { aadObjectId: '5374909c-e13a-4010-a032-9bea491d7491', name: 'Kari Hansen' };

const snap = (...rows: WatchRow[]): WatchSnapshot => ({ rows });
const fine = snap({ id: 'admin', state: 'pass' }, { id: 'salespeople', state: 'fail', count: 1, subjects: ['SP1'] });
const worse = snap({ id: 'admin', state: 'fail' }, { id: 'salespeople', state: 'fail', count: 1, subjects: ['SP1'] });

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A watcher on local files (the store lists the watches), with a check and a post the test controls. */
function setup() {
  const clock = new ManualClock();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bc-setup-watcher-'));
  dirs.push(dir);
  const records = new RecordStore(new FileStorage(dir));
  const audit = new AuditLog(records, () => new Date(clock.now()));
  let current: WatchSnapshot = fine;
  let checkFails = false;
  let postAnswer: 'ok' | 'unknown chat' | 'throws' = 'ok';
  let duringCheck: (() => Promise<void>) | undefined;
  const posts: { drift: string[] }[] = [];
  const watcher = new Watcher<string>({
    records,
    audit,
    clock,
    intervalMs: HOUR,
    logger: createLogger({ level: 'silent' }),
    check: async () => {
      await duringCheck?.();
      if (checkFails) throw new Error('Dataverse did not answer');
      return { report: 'report', snapshot: current };
    },
    post: async (_watch, drift) => {
      if (postAnswer === 'throws') throw new Error('403 BotNotInConversationRoster');
      if (postAnswer === 'unknown chat') return undefined;
      posts.push({ drift: drift.map((d) => `${d.id}:${d.kind}`) });
      return { activityId: `post-${posts.length}`, view: { n: posts.length } };
    },
  });
  watcher.start();
  const runs = async () =>
    (await records.list<AuditRecord>('audit:r:')).filter((r) => r.event === 'watch.run').map((r) => r.outcome);
  return {
    clock,
    records,
    watcher,
    posts,
    runs,
    set: (s: WatchSnapshot) => (current = s),
    failCheck: (fails: boolean) => (checkFails = fails),
    postAnswers: (answer: typeof postAnswer) => (postAnswer = answer),
    whileChecking: (work: (() => Promise<void>) | undefined) => (duringCheck = work),
  };
}

describe('the watch scheduler', () => {
  it('a check that cannot run is audited, changes nothing and is not news when it runs again', async () => {
    const w = setup();
    await w.watcher.turnOn({ conversationId: CHAT, environment: ENVIRONMENT, locale: 'en', actor: KARI, snapshot: fine });
    w.failCheck(true);
    await w.clock.advance(HOUR + 60_000);
    w.failCheck(false);
    await w.clock.advance(HOUR);
    expect(w.posts).toEqual([]);
    const outcomes = await w.runs();
    expect(outcomes).toHaveLength(2);
    expect(outcomes[0]).toMatch(/^The check could not run: /);
    expect(outcomes[0]).not.toContain('Dataverse did not answer'); // a service's own words stay in the log
    expect(outcomes[1]).toBe('Nothing worse');
  });

  it('a drift the chat could not be shown stays news: the next run posts it', async () => {
    const w = setup();
    await w.watcher.turnOn({ conversationId: CHAT, environment: ENVIRONMENT, locale: 'en', actor: KARI, snapshot: fine });
    w.set(worse);
    w.postAnswers('throws');
    await w.clock.advance(HOUR + 60_000);
    w.postAnswers('unknown chat');
    await w.clock.advance(HOUR);
    expect(w.posts).toEqual([]);
    w.postAnswers('ok');
    await w.clock.advance(HOUR);
    await w.clock.advance(HOUR);
    expect(w.posts).toEqual([{ drift: ['admin:nowFails'] }]);
    expect(await w.runs()).toEqual([
      'Something was worse, but the chat could not be posted in; the next check tries again',
      'Something was worse, but the chat could not be posted in; the next check tries again',
      '1 checks worse; posted',
      'Nothing worse',
    ]);
    expect((await w.records.get<WatchRecord>(watchKey(CHAT)))?.lastPost?.activityId).toBe('post-1');
  });

  it('turned off while its check runs: nothing is posted, and it stays off', async () => {
    const w = setup();
    await w.watcher.turnOn({ conversationId: CHAT, environment: ENVIRONMENT, locale: 'en', actor: KARI, snapshot: fine });
    w.set(worse);
    w.whileChecking(async () => {
      await w.watcher.turnOff(CHAT, KARI);
    });
    await w.clock.advance(HOUR + 60_000);
    w.whileChecking(undefined);
    await w.clock.advance(3 * HOUR);
    expect(w.posts).toEqual([]);
    expect(await w.watcher.get(CHAT)).toBeUndefined();
    expect((await w.records.get<WatchRecord>(watchKey(CHAT)))?.disabledBy).toEqual(KARI);
  });

  it('a restart after a long time away runs one check at once, then keeps to the schedule', async () => {
    const w = setup();
    await w.watcher.turnOn({ conversationId: CHAT, environment: ENVIRONMENT, locale: 'en', actor: KARI, snapshot: fine });
    w.watcher.close();
    await w.clock.advance(5 * HOUR + 30 * 60_000); // nobody looked
    w.watcher.start();
    await w.clock.advance(60_000);
    expect(await w.runs()).toEqual(['Nothing worse']);
    const record = await w.records.get<WatchRecord>(watchKey(CHAT));
    expect(record?.nextRunAt).toBe(new Date(Date.parse(record!.enabledAt) + 6 * HOUR).toISOString());
    await w.clock.advance(30 * 60_000);
    expect(await w.runs()).toEqual(['Nothing worse', 'Nothing worse']);
  });

  it('turned on again for another environment, it starts over from that check', async () => {
    const w = setup();
    const first = await w.watcher.turnOn({ conversationId: CHAT, environment: ENVIRONMENT, locale: 'en', actor: KARI, snapshot: fine });
    expect(first.already).toBe(false);
    expect((await w.watcher.turnOn({ conversationId: CHAT, environment: ENVIRONMENT, locale: 'en', actor: KARI, snapshot: worse })).already).toBe(true);
    const other = { ...ENVIRONMENT, dataverseUrl: 'https://contosotest.crm4.dynamics.com' };
    await w.clock.advance(10 * 60_000);
    const again = await w.watcher.turnOn({ conversationId: CHAT, environment: other, locale: 'nb', actor: KARI, snapshot: worse });
    expect(again.already).toBe(false);
    expect(again.watch.environment.dataverseUrl).toBe(other.dataverseUrl);
    expect(again.watch.baseline).toEqual(worse);
    w.set(worse);
    await w.clock.advance(HOUR);
    expect(w.posts).toEqual([]);
  });
});
