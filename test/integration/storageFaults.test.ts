import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { t } from '../../src/i18n';
import { SEED } from '../../src/sandbox';
import { FileStorage } from '../../src/storage/fileStorage';

import { approvalKey } from '../../src/storage/keys';
import type { Run } from '../../src/setup/plan';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { action } from '../helpers/cards';
import { approveAndWait, rawTenantState, resetTenant, startSetup } from '../helpers/flows';
import { FaultyStorage } from '../helpers/faultyStorage';
import { answers, freePort, ROOT, waitUntil } from '../helpers/processes';
import { cardText, type TeamsConversation, type TeamsUser } from '../helpers/teams';
import { ACTIVE_RUNS, planKey, runKey } from '../../src/storage/keys';

/**
 * Storage faults, driven as Teams drives the bot: damaged records of each kind are set aside and
 * the bot carries on; a journal write that fails (disk full) fails the run visibly and "Retry
 * failed" completes it once storage is back; a failed start stops the processes it started.
 */

const OUTSIDER: TeamsUser = { id: '29:oystein', name: 'Øystein Bakke', aadObjectId: SEED.users.oysteinBakke.id };
const MARKER = 'content-that-must-not-be-logged';
const faulty: { current?: FaultyStorage } = {};
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    captureLogs: true,
    start: { actionSettings: { addUserRetryMs: 100, addUserTimeoutMs: 15_000, pollMs: 100 }, wrapStorage: FaultyStorage.wrap(faulty) },
  });
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  faulty.current!.full = false;
  faulty.current!.beforeWrite = undefined;
  await resetTenant(h);
});

const botDir = () => path.join(h.stateDir, 'bot');
const recordFile = (key: string) => path.join(botDir(), FileStorage.fileName(key));
const damage = (key: string, text = `{"status":"running","journal":{"${MARKER}`) => writeFileSync(recordFile(key), text);
const setAside = (key: string) => readdirSync(botDir()).filter((n) => n.startsWith(`${FileStorage.fileName(key)}.corrupt-`));
const conversationKey = (chat: TeamsConversation) => `msteams/28:bot/conversations/${chat.id}`;

function expectSetAsideAndLogged(key: string, text: string) {
  const aside = setAside(key);
  expect(aside).toHaveLength(1);
  expect(readFileSync(path.join(botDir(), aside[0]), 'utf8')).toBe(text); // kept for the operator
  const lines = h.logs.filter((l) => l.includes('moved aside'));
  expect(lines.some((l) => l.includes(JSON.stringify(key)))).toBe(true); // logged with its key…
  expect(h.logs.join('\n')).not.toContain(MARKER); // …never with its content
}

/** "set up" and an approved-and-applied Part 1 plan: its id, digest and card. */
async function appliedPart1(chat: TeamsConversation) {
  const { cardActivityId } = await startSetup(h, chat);
  const plan = (await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: SEED.admin.upn, nonAdminRoleIds: SEED.dataverse.roles.root.salesManager }, cardActivityId)).body.value;
  const ref = action(plan, 'plan.approve').data as { planId: string; digest: string };
  return { plan, ref, cardActivityId };
}

describe('a damaged record', () => {
  it('of a chat\'s conversation state: the chat starts fresh', async () => {
    const chat = h.conversation();
    await startSetup(h, chat);
    const key = conversationKey(chat);
    expect(existsSync(recordFile(key))).toBe(true);
    damage(key);
    h.connector.clear();
    const answer = await chat.say(ADMIN, 'help');
    expect(answer.status).toBe(200);
    // Answered (the welcome card), not "something went wrong".
    expect(h.connector.texts()).not.toContain(t('en', 'errorGeneric'));
    expect(h.connector.cards()).toHaveLength(1);
    expect(cardText(h.connector.cards()[0])).toContain('Administrator account in Sales');
    expectSetAsideAndLogged(key, `{"status":"running","journal":{"${MARKER}`);
    // And the chat goes on: a new setup starts.
    h.connector.clear();
    const { cardActivityId } = await startSetup(h, chat);
    expect(cardActivityId).toBeTruthy();
  });

  it('of a non-admin\'s chat: the refusal still arrives', async () => {
    const chat = h.conversation();
    const key = conversationKey(chat);
    damage(key, `\u0000${MARKER}`);
    h.connector.clear();
    const answer = await chat.say(OUTSIDER, 'help');
    expect(answer.status).toBe(200);
    expect(h.connector.texts()).toEqual([t('en', 'securityNotAllowed')]);
    expectSetAsideAndLogged(key, `\u0000${MARKER}`);
  });

  it('of the list of active runs: the bot starts, and an unfinished run still legible in it resumes', async () => {
    const chat = h.conversation();
    const { plan, ref, cardActivityId } = await appliedPart1(chat);
    await approveAndWait(h, chat, plan, cardActivityId);
    // As if the process had stopped mid-run: the run still running, nothing journalled.
    await h.bot.records.update<Run>(runKey(ref.planId), (run) => ({
      ...run!,
      status: 'running',
      finishedAt: undefined,
      journal: Object.fromEntries(Object.keys(run!.journal).map((k) => [k, { status: 'pending' as const }])),
    }));
    await h.bot.close();
    const torn = `{"ids":["${ref.planId}","${MARKER}`; // a write torn part-way
    damage(ACTIVE_RUNS, torn);
    await h.restartBot();
    expect((await fetch(`${h.bot.url}/healthz`)).status).toBe(200);
    await h.bot.runner.settled(ref.planId);
    const run = await h.bot.records.get<Run>(runKey(ref.planId));
    expect(run?.status).toBe('completed');
    expect(Object.values(run!.journal).every((o) => o.status === 'done')).toBe(true);
    expectSetAsideAndLogged(ACTIVE_RUNS, torn);
  });

  it('of the list of active runs, wholly unreadable: the bot still starts', async () => {
    await h.bot.close();
    damage(ACTIVE_RUNS, `\u0000\u0001${MARKER}`);
    await h.restartBot();
    expect((await fetch(`${h.bot.url}/healthz`)).status).toBe(200);
    expect(await h.bot.records.get(ACTIVE_RUNS)).toEqual({ ids: [] });
  });

  it('of a run: marked failed with the reason on its card, and Retry failed completes it', async () => {
    const chat = h.conversation();
    const { plan, ref, cardActivityId } = await appliedPart1(chat);
    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all');
    // Torn after the part that says where its card is (salvaged), before the journal.
    const text = `{"id":"${ref.planId}","status":"completed","report":{"conversationId":"${chat.id}","activityId":"${cardActivityId}","locale":"en-US"},"journal":{"${MARKER}`;
    damage(runKey(ref.planId), text);
    // Any read of the run finds it failed: here the card's Continue, which shows the plan again.
    const shown = (await chat.execute(ADMIN, 'plan.continue', ref, cardActivityId)).body.value;
    expect(cardText(shown)).toContain('could not be read (it was damaged and has been set aside)');
    expect(cardText(shown)).not.toContain('Applied: all');
    expect(action(shown, 'plan.retry')).toBeDefined();
    expectSetAsideAndLogged(runKey(ref.planId), text);
    // Retry: every change is checked again and found made; the run completes.
    h.connector.clear();
    await chat.execute(ADMIN, 'plan.retry', action(shown, 'plan.retry').data, cardActivityId);
    await h.bot.runner.settled(ref.planId);
    expect((await h.bot.records.get<Run>(runKey(ref.planId)))?.status).toBe('completed');
    const updates = h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardActivityId);
    expect(cardText(updates.at(-1)!.activity)).toContain('Applied: all');
  });

  it.each([
    ['its approval', approvalKey],
    ['its plan', planKey],
  ])('of a pending plan (%s): approving it says the plan is unknown, and nothing runs', async (_what, keyOf) => {
    const chat = h.conversation();
    const { ref, cardActivityId } = await appliedPart1(chat);
    const before = await rawTenantState(h);
    const text = `{"planId":"${ref.planId}","${MARKER}`;
    damage(keyOf(ref.planId), text);
    const answer = await chat.execute(ADMIN, 'plan.approve', ref, cardActivityId);
    expect(answer.status).toBe(200);
    expect(cardText(answer.body)).toContain(t('en', 'planUnknown'));
    expect(await h.bot.records.get(runKey(ref.planId))).toBeUndefined();
    expect(await rawTenantState(h)).toBe(before);
    expectSetAsideAndLogged(keyOf(ref.planId), text);
  });
});

describe('a journal write that fails (disk full)', () => {
  it('fails the run visibly with the reason; Retry failed refuses while storage is full and completes once it is back', async () => {
    const chat = h.conversation();
    const { ref, cardActivityId } = await appliedPart1(chat);
    const storage = faulty.current!;
    let turnDone!: () => void;
    const approved = new Promise<void>((resolve) => (turnDone = resolve));
    // The first journal write after a change was made waits for the approval's turn to end; from then on the disk is full.
    storage.beforeWrite = async (changes) => {
      const run = changes[runKey(ref.planId)] as Run | undefined;
      if (run && Object.values(run.journal).some((o) => o.status === 'done')) {
        await approved;
        storage.full = true;
      }
    };
    const response = await chat.execute(ADMIN, 'plan.approve', ref, cardActivityId);
    expect(response.status).toBe(200);
    turnDone();
    await h.bot.runner.settled(ref.planId);
    expect(storage.failedWrites).toBeGreaterThan(0);

    const updates = () => h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardActivityId);
    const failedCard = updates().at(-1)!.activity.attachments[0].content;
    const text = cardText(failedCard);
    expect(text).toContain('no space left on the storage device (ENOSPC)');
    expect(text).not.toContain('Applying');
    expect(action(failedCard, 'plan.retry')).toBeDefined();
    // The stored record could not be changed: the card shows what the runner knows.
    expect((await h.bot.records.get<Run>(runKey(ref.planId)))?.status).toBe('running');

    // Retry while the disk is still full: told why, nothing starts.
    const refused = await chat.execute(ADMIN, 'plan.retry', action(failedCard, 'plan.retry').data, cardActivityId);
    expect(cardText(refused.body)).toContain('Could not save the retry of this run: no space left on the storage device (ENOSPC).');

    // Storage back: Retry failed completes the run.
    storage.full = false;
    storage.beforeWrite = undefined;
    const retried = await chat.execute(ADMIN, 'plan.retry', action(failedCard, 'plan.retry').data, cardActivityId);
    expect(retried.status).toBe(200);
    await h.bot.runner.settled(ref.planId);
    const run = await h.bot.records.get<Run>(runKey(ref.planId));
    expect(run?.status).toBe('completed');
    expect(cardText(updates().at(-1)!.activity)).toContain('Applied: all');
    expect(readdirSync(botDir()).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('a start that fails', () => {
  it('stops the sandbox tenant it had started (no child left running)', async () => {
    const [botPort, sandboxPort] = [await freePort(), await freePort()];
    // The bot's port is taken: the bot cannot listen, after the sandbox child is already up.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(botPort, '0.0.0.0', () => resolve()));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bc-setup-startfail-'));
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'src/index.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, PORT: String(botPort), SANDBOX_PORT: String(sandboxPort), SANDBOX_STATE_FILE: path.join(dir, 'state.json'), STATE_DIR: dir, PLAYGROUND: 'false', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // The sandbox child writes its own lines to the shared stdout: listening, then stopped.
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    let sawSandbox = false;
    const watching = (async () => {
      while (child.exitCode === null) {
        if (await answers(`http://127.0.0.1:${sandboxPort}/healthz`)) sawSandbox = true;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      await watching;
      expect(code).toBe(1);
      expect(stderr).toContain('Start failed');
      // It had started (seen answering, or its own "listening" line when it was stopped before a probe came)…
      expect(sawSandbox || stdout.includes('"msg":"sandbox tenant listening"')).toBe(true);
      expect(stdout).toContain('"msg":"sandbox tenant stopped"');
      expect(await waitUntil(async () => !(await answers(`http://127.0.0.1:${sandboxPort}/healthz`)), 10)).toBe(true); // …and was stopped
      // Its port is free again: no process holds it.
      const probe = net.createServer();
      await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(sandboxPort, '127.0.0.1', () => resolve()));
      await new Promise<void>((resolve) => probe.close(() => resolve()));
    } finally {
      child.kill('SIGKILL');
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
