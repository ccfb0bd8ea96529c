import { startHarness, type Harness } from '../helpers/harness';

/** A request the bot cannot process gets 500 with a fixed body: the internal message stays in the log. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ captureLogs: true });
});
afterAll(async () => {
  await h.close();
});

it.each([
  ['an activity without channel, conversation or sender', { type: 'message', text: 'hi' }],
  ['an activity whose connector cannot be reached', { type: 'message', text: 'hi', channelId: 'msteams', conversation: { id: 'x' }, from: { id: 'u' }, serviceUrl: 'http://127.0.0.1:1/' }],
])('%s: 500 without internal detail', async (_name, body) => {
  const response = await fetch(`${h.bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(500);
  expect(await response.json()).toEqual({ code: 'InternalError', message: 'The request could not be processed.' });
  expect(h.logs.some((line) => /"level":50/.test(line) || /"level":"error"/.test(line))).toBe(true);
});
