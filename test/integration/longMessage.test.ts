import * as session from '../../src/setup/session';
import { t } from '../../src/i18n';
import { escapeMarkdown } from '../../src/cards/render';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';

/**
 * A long message from an admin is answered like any text the bot does not understand, and does
 * not hold up the bot meanwhile: /healthz keeps answering while it is handled. Every message is
 * parsed for a command once, however many routes ask.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.connector.clear());

const SIZE = 200 * 1024;

async function healthz(): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${h.bot.url}/healthz`);
  await response.text();
  return { status: response.status, ms: performance.now() - started };
}

describe('a 200 KB message', () => {
  it.each([
    ['!', '!'.repeat(SIZE)],
    ['.', '.'.repeat(SIZE)],
    ['?', '?'.repeat(SIZE)],
    // What made the old trailing-punctuation pattern quadratic: a run that does not end the text.
    ['! then a letter', `${'!'.repeat(SIZE)}x`],
    ['. then a space', `${'.'.repeat(SIZE)} `],
    ['? then a new line', `${'?'.repeat(SIZE)}\n`],
    ['help, then ! to the end', `help${'!'.repeat(SIZE)}`],
  ])('of %s is answered, and /healthz answers meanwhile', async (_name, text) => {
    await h.conversation().say(ADMIN, 'hello'); // warm: the first turn of a conversation loads more
    h.connector.clear();
    const cpu = process.cpuUsage();
    let done = false;
    const message = h
      .conversation()
      .say(ADMIN, text)
      .finally(() => (done = true));
    const probes: { status: number; ms: number }[] = [];
    while (!done || probes.length < 3) probes.push(await healthz());
    const reply = await message;
    const used = process.cpuUsage(cpu);

    expect(reply.status).toBe(200);
    expect(h.connector.texts()).toEqual([t('en', 'hintUnknown', { text: escapeMarkdown(text.trim().slice(0, 80)) })]);
    expect(probes.every((probe) => probe.status === 200)).toBe(true);
    // Reported, not enforced: wall-clock figures on a shared machine.
    const worst = Math.max(...probes.map((p) => p.ms));
    process.stdout.write(`long message ${JSON.stringify(_name)}: ${probes.length} /healthz probes, slowest ${worst.toFixed(1)} ms, CPU ${((used.user + used.system) / 1000).toFixed(1)} ms\n`);
  });
});

describe('command parsing', () => {
  it('reads a message once for all routes', async () => {
    const spy = jest.spyOn(session, 'parseCommand');
    try {
      await h.conversation().say(ADMIN, 'something no route knows');
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockClear();
      await h.conversation().say(ADMIN, 'resume');
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
