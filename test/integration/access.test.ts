import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { t } from '../../src/i18n';
import { SEED } from '../../src/sandbox';
import { AuditLog, type AuditRecord } from '../../src/approvals/audit';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { rawTenantState } from '../helpers/flows';
import { TeamsConversation, type TeamsUser } from '../helpers/teams';

/** Who may act: the gate in front of every route. */

/** In the sandbox tenant but neither an admin nor an approver. */
const OUTSIDER: TeamsUser = { id: '29:oystein', name: 'Øystein Bakke', aadObjectId: SEED.users.oysteinBakke.id };
/** Made an approver (not an admin) for these tests. */
const APPROVER: TeamsUser = { id: '29:marte', name: 'Marte Nilsen', aadObjectId: SEED.users.marteNilsen.id };
const OTHER_TENANT = '0f0e0d0c-0b0a-4908-8706-050403020100';

let h: Harness;
let audit: AuditLog;
beforeAll(async () => {
  h = await startHarness();
  // A new list: without APPROVER_IDS the approvers' list is the admins' list itself.
  h.config.access.approverIds = [...h.config.access.approverIds, APPROVER.aadObjectId];
  audit = new AuditLog(h.bot.records);
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.connector.clear());

/** Bot storage other than the audit trail, file by file: a refusal must leave it as it was. */
function storageSnapshot(): Record<string, string> {
  const files = readdirSync(h.stateDir, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile() && !path.basename(f.name).startsWith('audit_'))
    .map((f) => path.join(f.parentPath ?? (f as unknown as { path: string }).path, f.name));
  return Object.fromEntries(files.map((file) => [path.relative(h.stateDir, file), readFileSync(file, 'utf8')]));
}

/** The trail as it stands: each record's id and how many occurrences it counts. */
type TrailMark = Map<string, number>;
const lastSeq = async (): Promise<TrailMark> => new Map((await audit.all()).map((r) => [r.id, r.count ?? 1]));

/** Refusals recorded since the mark: new records, and records whose count grew (folded refusals). */
async function refusalsSince(mark: TrailMark): Promise<AuditRecord[]> {
  return (await audit.all()).filter((r) => r.event === 'access.refused' && (r.count ?? 1) > (mark.get(r.id) ?? 0));
}

/** Runs `act`, asserts it changed nothing but the audit, and returns the refusals it recorded. */
async function refusedWithoutChange(act: () => Promise<unknown>): Promise<AuditRecord[]> {
  const before = { tenant: await rawTenantState(h), storage: storageSnapshot(), seq: await lastSeq() };
  await act();
  expect(await rawTenantState(h)).toBe(before.tenant);
  expect(storageSnapshot()).toEqual(before.storage);
  expect(h.connector.cards()).toEqual([]);
  return refusalsSince(before.seq);
}

const execute = (chat: TeamsConversation, user: TeamsUser, verb: string, data: Record<string, unknown> = {}) => chat.execute(user, verb, data);

describe('a user who is not an admin', () => {
  it.each([
    ['help', 'help'],
    ['hi', 'help'],
    ['set up', 'setup'],
    ['status', 'status'],
    ['cancel', 'cancel'],
    ['what is the tenant id?', 'message'],
  ])('saying "%s" gets a polite refusal without tenant data, audited as %s', async (text, subject) => {
    const chat = h.conversation();
    const refusals = await refusedWithoutChange(() => chat.say(OUTSIDER, text));
    expect(h.connector.texts()).toEqual([t('en', 'securityNotAllowed')]);
    expect(h.connector.texts().join(' ')).not.toMatch(/contoso|ingrid|7a1c5f3e/i);
    expect(refusals).toEqual([
      expect.objectContaining({
        event: 'access.refused',
        actor: { aadObjectId: OUTSIDER.aadObjectId, name: OUTSIDER.name },
        subject,
        conversationId: chat.id,
        outcome: 'not an admin',
      }),
    ]);
  });

  it('is refused in Norwegian for a Norwegian Teams client', async () => {
    const chat = h.conversation({ locale: 'nb-NO' });
    await refusedWithoutChange(() => chat.say(OUTSIDER, 'hjelp'));
    expect(h.connector.texts()).toEqual([t('nb', 'securityNotAllowed')]);
  });

  it.each(['welcome.refresh', 'env.save', 'env.change', 'admin.plan', 'integration.path', 'integration.plan', 'plan.cancel', 'plan.continue', 'secret.stored'])(
    'using the card verb %s gets the refusal as the invoke answer',
    async (verb) => {
      const chat = h.conversation();
      const refusals = await refusedWithoutChange(async () => {
        const response = await execute(chat, OUTSIDER, verb, { userPrincipalName: SEED.admin.upn, planId: randomUUID() });
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: t('en', 'securityNotAllowed') });
      });
      expect(h.connector.activities).toEqual([]);
      expect(refusals).toEqual([expect.objectContaining({ subject: verb, outcome: 'not an admin', conversationId: chat.id })]);
    },
  );

  it.each(['plan.approve', 'plan.reject', 'plan.view', 'approval.request'])('who is not an approver either cannot use %s', async (verb) => {
    const chat = h.conversation();
    const refusals = await refusedWithoutChange(async () => {
      const response = await execute(chat, OUTSIDER, verb, { planId: randomUUID(), digest: 'a'.repeat(64) });
      expect(response.body.value).toBe(t('en', 'securityNotApprover'));
    });
    expect(refusals).toEqual([expect.objectContaining({ subject: verb, outcome: 'not an approver' })]);
  });

  it('adding the bot gets a short refusal, not the welcome card with tenant data', async () => {
    const chat = h.conversation();
    const refusals = await refusedWithoutChange(() => chat.membersAdded(OUTSIDER));
    expect(h.connector.texts()).toEqual([t('en', 'securityNotAllowed')]);
    expect(refusals).toEqual([expect.objectContaining({ subject: 'conversationUpdate:botAdded', outcome: 'not an admin' })]);
  });

  it('without an Entra object id is refused like anyone else', async () => {
    const chat = h.conversation();
    await refusedWithoutChange(() => chat.say({ ...ADMIN, aadObjectId: '' }, 'help'));
    expect(h.connector.texts()).toEqual([t('en', 'securityNotAllowed')]);
  });

  it('in a group chat with an admin is refused, while the admin is answered', async () => {
    const chat = h.conversation({ type: 'groupChat' });
    await refusedWithoutChange(() => chat.say(OUTSIDER, 'status'));
    expect(h.connector.texts()).toEqual([t('en', 'securityNotAllowed')]);
    h.connector.clear();
    await chat.say(ADMIN, 'status');
    expect(h.connector.cards()).toHaveLength(1);
  });
});

describe('an approver who is not an admin', () => {
  it.each([['help'], ['set up']])('cannot use the setup ("%s")', async (text) => {
    const chat = h.conversation();
    await refusedWithoutChange(() => chat.say(APPROVER, text));
    expect(h.connector.texts()).toEqual([t('en', 'securityNotAllowed')]);
  });

  it('cannot use a setup verb', async () => {
    const chat = h.conversation();
    await refusedWithoutChange(async () => {
      expect((await execute(chat, APPROVER, 'admin.plan', { userPrincipalName: SEED.admin.upn })).body.value).toBe(t('en', 'securityNotAllowed'));
    });
  });

  it('passes the gate with the approval verbs, which decide by the approver policy themselves', async () => {
    const chat = h.conversation();
    const seq = await lastSeq();
    const response = await execute(chat, APPROVER, 'plan.approve', { planId: randomUUID(), digest: 'a'.repeat(64) });
    expect(response.status).toBe(200);
    // The handler ran: the plan is unknown here, which only the handler can tell.
    expect(response.body.value).toBe(t('en', 'planUnknown'));
    expect(await refusalsSince(seq)).toEqual([]);
  });
});

describe('activities from another tenant', () => {
  const foreign = (tenantId: string | undefined, channelTenant: string | undefined = tenantId) => {
    const chat = new TeamsConversation({ botUrl: () => h.bot.url, connector: h.connector, tenantId: tenantId ?? '' });
    const post = chat.post.bind(chat);
    // The same conversation as Teams would send it, with the tenant ids under test.
    chat.post = (activity: Record<string, unknown>) => {
      const conversation = { ...(activity.conversation as object), tenantId };
      return post({ ...activity, conversation, channelData: channelTenant === undefined ? {} : { tenant: { id: channelTenant } } });
    };
    return chat;
  };

  it.each([
    ['another tenant', OTHER_TENANT, OTHER_TENANT],
    ['no tenant at all', undefined, undefined],
    ['our tenant in the conversation but another in the channel data', SEED.tenantId, OTHER_TENANT],
    ['another tenant in the conversation and ours in the channel data', OTHER_TENANT, SEED.tenantId],
  ])('are refused (%s), even from an admin id', async (_name, tenantId, channelTenant) => {
    const chat = foreign(tenantId, channelTenant);
    const refusals = await refusedWithoutChange(async () => {
      await chat.say(ADMIN, 'help');
      const response = await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: SEED.admin.upn });
      expect(response.body.value).toBe(t('en', 'securityOtherTenant'));
    });
    expect(h.connector.texts()).toEqual([t('en', 'securityOtherTenant')]);
    expect(refusals.map((r) => [r.subject, r.outcome])).toEqual([
      ['help', 'other tenant'],
      ['admin.plan', 'other tenant'],
    ]);
  });

  it('are accepted when only the channel data names the tenant, and it is ours', async () => {
    const chat = foreign(undefined, SEED.tenantId);
    await chat.say(ADMIN, 'help');
    expect(h.connector.cards()).toHaveLength(1);
  });

  it('compare the tenant id without regard to case', async () => {
    const chat = foreign(SEED.tenantId.toUpperCase());
    await chat.say(ADMIN, 'help');
    expect(h.connector.cards()).toHaveLength(1);
  });
});

describe('activities from another channel than Teams', () => {
  const through = (channelId: string | undefined) => {
    const chat = h.conversation();
    const post = chat.post.bind(chat);
    chat.post = (activity: Record<string, unknown>) => post({ ...activity, channelId });
    return chat;
  };

  it.each([['webchat'], ['emulator'], ['directline'], ['AseChannel']])('are refused (%s), even from an admin', async (channelId) => {
    const chat = through(channelId);
    const refusals = await refusedWithoutChange(async () => {
      await chat.say(ADMIN, 'help');
      const response = await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: SEED.admin.upn });
      expect([response.status, response.body]).toEqual([200, expect.objectContaining({ value: t('en', 'securityOtherChannel') })]);
    });
    expect(h.connector.texts()).toEqual([t('en', 'securityOtherChannel')]);
    expect(refusals.map((r) => [r.subject, r.outcome])).toEqual([
      ['help', 'other channel'],
      ['admin.plan', 'other channel'],
    ]);
  });
});

describe('the admin', () => {
  it('is answered as before, and nothing is audited as refused', async () => {
    const seq = await lastSeq();
    await h.conversation().say(ADMIN, 'help');
    expect(h.connector.cards()).toHaveLength(1);
    expect(await refusalsSince(seq)).toEqual([]);
  });
});
