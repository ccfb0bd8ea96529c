import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { startBot, type RunningBot } from '../../src/main';
import { SEED } from '../../src/sandbox';
import { t } from '../../src/i18n';
import type { AuditRecord } from '../../src/approvals/audit';
import { ADMIN, startHarness, type Harness } from '../helpers/harness';
import { action, actionsOf } from '../helpers/cards';
import { dataverse } from '../helpers/flows';
import { ManualClock } from '../helpers/clock';
import { startAzurite, type Azurite } from '../helpers/processes';
import { cardText, FakeConnector, TeamsConversation, type SentActivity } from '../helpers/teams';
import { describeFindings, findLeaks, findUncatalogued, foreignMatchers, textsIn } from '../helpers/catalogue';
import { en } from '../../src/i18n/en';
import { nb } from '../../src/i18n/nb';

/**
 * The watch, over HTTP as Teams drives it, with the bot's clock moved by hand: turned on from the
 * status card, it posts in the chat once when the setup gets worse, not again while nothing
 * changes, again on a further worsening, never twice from two instances on shared storage, and
 * nothing once turned off from its post. Every turning on and off and every run is audited.
 */

const MINUTE = 60_000;
const INTERVAL = 60 * MINUTE; // WATCH_INTERVAL_MINUTES=60 below
const APP_USER = SEED.dataverse.systemUsers.bcIntegrationApp;
const BC_INTEGRATION_ROLE = SEED.dataverse.roles.root.bcIntegration;

async function addSalesperson(sandboxUrl: string, code: string, name: string) {
  const response = await fetch(`${sandboxUrl}/_sandbox/bc/salespeople`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, displayName: name, email: `${code.toLowerCase()}@contoso.no` }),
  });
  expect(response.status).toBe(201);
}

const watchPosts = (activities: SentActivity[], conversationId: string) =>
  activities.filter((a) => a.method === 'POST' && a.conversationId === conversationId && cardText(a.activity).includes(t('en', 'watchPostTitle')));

/** Every Action.Execute on a card, in the body's action sets and at its foot, as `verb:data`. */
function buttons(card: unknown): string[] {
  const found: string[] = [];
  const walk = (node: any) => {
    if (!node || typeof node !== 'object') return;
    if (!Array.isArray(node) && node.type === 'Action.Execute') found.push(`${node.verb}:${JSON.stringify(node.data ?? {})}`);
    Object.values(node).forEach(walk);
  };
  walk(card);
  return found;
}

const events = (records: AuditRecord[], conversationId: string) =>
  records.filter((r) => r.event.startsWith('watch.') && r.conversationId === conversationId).map((r) => `${r.event}: ${r.outcome}`);

describe('the watch in one bot', () => {
  let h: Harness;
  const clock = new ManualClock();

  beforeAll(async () => {
    h = await startHarness({
      env: { WATCH_INTERVAL_MINUTES: '60' },
      start: { actionSettings: { addUserRetryMs: 100, addUserTimeoutMs: 15_000, pollMs: 100 }, clock, now: () => new Date(clock.now()) },
    });
  });
  afterAll(() => h.close());

  it('posts a drift once, not again while nothing changes, again when it gets worse, and nothing once off', async () => {
    const chat = h.conversation({ type: 'groupChat' });
    await chat.say(ADMIN, 'status');
    const status = h.connector.cards().at(-1)!;
    expect(cardText(status)).toContain('**Watch:** off');
    const on = await chat.execute(ADMIN, 'watch.on', action(status, 'watch.on').data, h.connector.activities.at(-1)!.activityId);
    expect(on.status).toBe(200);
    const onCard = on.body.value;
    expect(cardText(onCard)).toMatch(/\*\*Watch:\*\* on in this chat since 2026-03-02 09:00 UTC, started by Ingrid Berg\. .*every 60 min.*Next check: 2026-03-02 10:00 UTC/s);
    expect(actionsOf(onCard).map((a) => a.verb)).toContain('watch.off');
    expect(actionsOf(onCard).map((a) => a.verb)).not.toContain('watch.on');

    // Nothing changed: the scheduled check runs, and posts nothing.
    await clock.advance(INTERVAL + MINUTE);
    expect(watchPosts(h.connector.activities, chat.id)).toHaveLength(0);

    // A role removed: the integration role taken from Business Central's application user.
    const removed = await dataverse(h, `systemusers(${APP_USER})/systemuserroles_association/$ref?$id=${h.sandbox.url}/dataverse/api/data/v9.2/roles(${BC_INTEGRATION_ROLE})`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
    await clock.advance(INTERVAL);
    let posts = watchPosts(h.connector.activities, chat.id);
    expect(posts).toHaveLength(1);
    const first = posts[0].activity.attachments[0].content;
    expect(cardText(first)).toContain(t('en', 'healthCheckIntegrationUser'));
    expect(cardText(first)).toContain(t('en', 'watchDriftNowFails'));
    expect(cardText(first)).not.toContain(t('en', 'healthCheckSalespeople'));
    expect(buttons(first)).toEqual(['health.fix:{"check":"integrationUser"}', 'watch.off:{"from":"post"}']);

    // Nothing changes again: no second post, however many checks run.
    await clock.advance(3 * INTERVAL);
    expect(watchPosts(h.connector.activities, chat.id)).toHaveLength(1);

    // A further worsening: a new salesperson without an account.
    await addSalesperson(h.sandbox.url, 'NY1', 'Nora Nyansatt');
    await clock.advance(INTERVAL);
    posts = watchPosts(h.connector.activities, chat.id);
    expect(posts).toHaveLength(2);
    const second = posts[1].activity.attachments[0].content;
    expect(cardText(second)).toContain(t('en', 'healthCheckSalespeople'));
    expect(cardText(second)).toMatch(/(\d+) at the last check, (\d+) now\./);
    const [, before, after] = /(\d+) at the last check, (\d+) now\./.exec(cardText(second))!;
    expect(Number(after)).toBe(Number(before) + 1);
    expect(cardText(second)).toContain('Nora Nyansatt');
    expect(cardText(second)).not.toContain(t('en', 'healthCheckIntegrationUser'));

    // Off with one click, from the post: the post says who turned it off and loses its buttons.
    const off = await chat.execute(ADMIN, 'watch.off', action(second, 'watch.off').data, posts[1].activityId);
    expect(off.status).toBe(200);
    expect(cardText(off.body.value)).toContain('The watch was turned off by Ingrid Berg');
    expect(buttons(off.body.value)).toEqual([]);
    await addSalesperson(h.sandbox.url, 'NY2', 'Nils Nyansatt');
    await clock.advance(3 * INTERVAL);
    expect(watchPosts(h.connector.activities, chat.id)).toHaveLength(2);
    // Twice: nothing to turn off.
    expect((await chat.execute(ADMIN, 'watch.off', { from: 'post' }, posts[1].activityId)).body.value).toBe(t('en', 'watchAlreadyOff'));

    const trail = events(await h.bot.records.list<AuditRecord>('audit:r:'), chat.id);
    expect(trail).toEqual([
      'watch.on: Watch turned on, every 60 min',
      'watch.run: Nothing worse',
      'watch.run: 1 checks worse; posted',
      'watch.run: Nothing worse',
      'watch.run: Nothing worse',
      'watch.run: Nothing worse',
      'watch.run: 1 checks worse; posted',
      'watch.off: Watch turned off',
    ]);
    const onRecord = (await h.bot.records.list<AuditRecord>('audit:r:')).find((r) => r.event === 'watch.on' && r.conversationId === chat.id)!;
    expect(onRecord.actor).toEqual({ aadObjectId: ADMIN.aadObjectId, name: ADMIN.name });
  }, 60_000);

  it('is turned off from the status card too, and the status card offers to turn it on again', async () => {
    const chat = h.conversation();
    await chat.say(ADMIN, 'status');
    const on = await chat.execute(ADMIN, 'watch.on', { from: 'status' }, h.connector.activities.at(-1)!.activityId);
    const off = await chat.execute(ADMIN, 'watch.off', action(on.body.value, 'watch.off').data, h.connector.activities.at(-1)!.activityId);
    expect(off.status).toBe(200);
    expect(cardText(off.body.value)).toContain('**Watch:** off');
    expect(action(off.body.value, 'watch.on').title).toBe(t('en', 'watchTurnOn'));
    await chat.say(ADMIN, 'status');
    expect(actionsOf(h.connector.cards().at(-1)).map((a) => a.verb)).toContain('watch.on');
    expect(events(await h.bot.records.list<AuditRecord>('audit:r:'), chat.id)).toEqual(['watch.on: Watch turned on, every 60 min', 'watch.off: Watch turned off']);
  }, 30_000);

  it('is turned on and off only by an admin: anyone else in the chat is refused and the watch stays as it was', async () => {
    const outsider = { id: '29:oystein', name: 'Øystein Bakke', aadObjectId: SEED.users.oysteinBakke.id }; // in the tenant, not an admin
    const chat = h.conversation({ type: 'groupChat' });
    const refused = await chat.execute(outsider, 'watch.on', { from: 'status' });
    expect(refused.body.value).toBe(t('en', 'securityNotAllowed'));
    expect(await h.bot.watch.get(chat.id)).toBeUndefined();
    await chat.say(ADMIN, 'status');
    await chat.execute(ADMIN, 'watch.on', { from: 'status' }, h.connector.activities.at(-1)!.activityId);
    expect((await chat.execute(outsider, 'watch.off', { from: 'status' })).body.value).toBe(t('en', 'securityNotAllowed'));
    expect(await h.bot.watch.get(chat.id)).toMatchObject({ enabled: true, enabledBy: { name: ADMIN.name } });
    expect(events(await h.bot.records.list<AuditRecord>('audit:r:'), chat.id)).toEqual(['watch.on: Watch turned on, every 60 min']);
    await chat.execute(ADMIN, 'watch.off', { from: 'status' });
  }, 30_000);

  it('speaks the language of whoever turned it on: the status line, the post and its buttons in Norwegian only', async () => {
    const chat = h.conversation({ locale: 'nb-NO', type: 'groupChat' });
    await chat.say(ADMIN, 'status');
    const reads = textsIn(h.connector.cards().at(-1), 'status');
    const on = await chat.execute(ADMIN, 'watch.on', { from: 'status' }, h.connector.activities.at(-1)!.activityId);
    reads.push(...textsIn(on.body.value, 'watch.on'));
    expect(cardText(on.body.value)).toContain('**Overvåking:** på i denne chatten');
    await addSalesperson(h.sandbox.url, 'NB1', 'Nils Bakke');
    await clock.advance(INTERVAL + MINUTE);
    const posts = watchPosts(h.connector.activities, chat.id);
    expect(posts).toHaveLength(0); // the English title is not there…
    const post = h.connector.activities.filter((a) => a.method === 'POST' && a.conversationId === chat.id && cardText(a.activity).includes(t('nb', 'watchPostTitle')));
    expect(post).toHaveLength(1); // …the Norwegian one is
    reads.push(...textsIn(post[0].activity, 'post'));
    const off = await chat.execute(ADMIN, 'watch.off', { from: 'post' }, post[0].activityId);
    reads.push(...textsIn(off.body.value, 'watch.off'));
    expect(cardText(off.body.value)).toContain('Overvåkingen ble slått av av Ingrid Berg');
    // The environment's own role names are tenant data (its base language is English).
    const tenantValues = ['Sales Manager', 'Salesperson', 'System Administrator', 'System Customizer'];
    const found = [...findLeaks(reads, foreignMatchers(en, nb), tenantValues), ...findUncatalogued(reads, 'en', tenantValues)];
    expect(describeFindings(found)).toBe('');
  }, 60_000);
});

describe('the watch in two bot instances on shared storage', () => {
  let azurite: Azurite;
  let bots: RunningBot[] = [];
  let connector: FakeConnector;
  let stateDir: string;
  let sandboxClose: () => Promise<void>;
  let sandboxUrl: string;
  /** One time for both instances; their periodic looks are made by the test, both at once. */
  let time = Date.parse('2026-03-02T09:00:00Z');
  const clock = { now: () => time, every: () => () => undefined };
  const lookTogether = () => Promise.all(bots.map((bot) => bot.watch.tick()));

  beforeAll(async () => {
    const { startSandbox } = await import('../../src/sandbox');
    const sandbox = await startSandbox({ port: 0, stateFile: null, settings: { syncDelayMs: 200, licensePropagationMs: 300 } });
    sandboxClose = () => sandbox.close();
    sandboxUrl = sandbox.url;
    azurite = await startAzurite();
    connector = new FakeConnector();
    await connector.start();
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'bc-setup-watch-'));
    const config = loadConfig({
      SANDBOX_URL: sandbox.url,
      PORT: '0',
      STATE_DIR: stateDir,
      PLAYGROUND: 'false',
      LOG_LEVEL: 'silent',
      STORAGE: 'blob',
      STORAGE_CONNECTION_STRING: azurite.connectionString,
      STORAGE_CONTAINER: `watch-${randomUUID().slice(0, 8)}`,
      WATCH_INTERVAL_MINUTES: '60',
    });
    const logger = createLogger({ level: 'silent' });
    bots = await Promise.all([0, 1].map(() => startBot(config, logger, { clock, now: () => new Date(clock.now()) })));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(bots.map((bot) => bot.close()));
    await connector?.stop();
    await sandboxClose?.();
    await azurite?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('one run per scheduled time however many instances look: the drift is posted once', async () => {
    const [a, b] = bots;
    const chatA = new TeamsConversation({ botUrl: a.url, connector, tenantId: SEED.tenantId, conversationId: `19:${randomUUID()}@thread.v2`, conversationType: 'groupChat' });
    const chatB = new TeamsConversation({ botUrl: b.url, connector, tenantId: SEED.tenantId, conversationId: chatA.id, conversationType: 'groupChat' });
    await chatA.say(ADMIN, 'status');
    expect((await chatB.execute(ADMIN, 'watch.on', { from: 'status' }, connector.activities.at(-1)!.activityId)).status).toBe(200);

    await addSalesperson(sandboxUrl, 'NY3', 'Nina Nyansatt');
    // Both instances look at the same moments; the run of each scheduled time is made once.
    time += INTERVAL + MINUTE;
    await lookTogether();
    await lookTogether();
    expect(watchPosts(connector.activities, chatA.id)).toHaveLength(1);
    for (let i = 0; i < 2; i++) {
      time += INTERVAL;
      await lookTogether();
    }
    expect(watchPosts(connector.activities, chatA.id)).toHaveLength(1);

    const runs = events(await a.records.list<AuditRecord>('audit:r:'), chatA.id).filter((e) => e.startsWith('watch.run'));
    expect(runs).toEqual(['watch.run: 1 checks worse; posted', 'watch.run: Nothing worse', 'watch.run: Nothing worse']);
  }, 90_000);
});
