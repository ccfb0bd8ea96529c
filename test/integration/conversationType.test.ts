import { t } from '../../src/i18n';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';

/**
 * Where a password or a file may be shown is decided by what Teams says the conversation is. An
 * activity that does not say (no conversationType) is not taken for a personal chat.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.connector.clear());

function unnamed() {
  const chat = h.conversation();
  const post = chat.post.bind(chat);
  chat.post = (activity: Record<string, unknown>) => {
    const { conversationType: _dropped, ...conversation } = activity.conversation as Record<string, unknown>;
    return post({ ...activity, conversation });
  };
  return chat;
}

describe('a conversation that does not say what it is', () => {
  it('is not a personal chat: the audit export (a file for one person) is refused there', async () => {
    const response = await unnamed().execute(ADMIN, 'audit.export', {});
    expect(response.body.value).toBe(t('en', 'auditExportPersonal'));
    expect(h.connector.activities).toEqual([]);
  });

  it('while a personal chat gets the file offered', async () => {
    const response = await h.conversation({ type: 'personal' }).execute(ADMIN, 'audit.export', {});
    expect(response.body.value).not.toBe(t('en', 'auditExportPersonal'));
    expect(h.connector.activities.map((a) => a.activity.attachments?.[0]?.contentType)).toEqual(['application/vnd.microsoft.teams.card.file.consent']);
  });
});
