import assert from 'node:assert/strict';
import { t } from '../../../src/i18n';
import { readPlaygroundConfig } from '../playgroundConfig';
import type { Flow } from './types';

/**
 * The watch in the admins' group chat: turned on from the status card, it posts there within the
 * sandbox's one-minute schedule once a new salesperson appears in Business Central (without an
 * account), and is turned off with one click on its post.
 */
export const watch: Flow = {
  name: 'The watch posts a drift in the group chat',
  async run({ playground: p, sandboxUrl, note }) {
    const mock = readPlaygroundConfig();
    await p.openChat(mock.groupChat.name);
    await p.expectNew(t('en', 'watchTurnOn'), () => p.mention(mock.bot.name, 'status'));
    await p.expectNew(/on in this chat since/, () => p.click(t('en', 'watchTurnOn')));
    const started = Date.now();

    const added = await fetch(`${sandboxUrl}/_sandbox/bc/salespeople`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'NY1', displayName: 'Nora Nyansatt', email: 'nora.nyansatt@contoso.no' }),
    });
    assert.equal(added.status, 201, 'a salesperson was added in Business Central');

    // The sandbox checks every minute (looking every 10 s): the post comes within about 70 s.
    await p.expectNew(t('en', 'watchPostTitle'), async () => undefined, 120_000);
    note(`the watch posted ${Math.round((Date.now() - started) / 1000)} s after it was turned on`);
    await p.expectNew(/The watch was turned off by/, () => p.click(t('en', 'watchTurnOff')));
    await p.expectNew(/watch\.off/, () => p.mention(mock.bot.name, 'audit'));
  },
};
