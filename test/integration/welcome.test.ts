import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { cardText } from '../helpers/teams';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => h.connector.clear());

describe('first conversation over HTTP, as Teams drives it', () => {
  it('answers "help" with the welcome card showing the live status of the three parts', async () => {
    const chat = h.conversation();
    const response = await chat.say(ADMIN, 'help');
    expect(response.status).toBe(200);
    const cards = h.connector.cards();
    expect(cards).toHaveLength(1);
    const text = cardText(cards[0]);
    expect(text).toContain('1. Administrator account in Sales');
    expect(text).toContain('2. Integration account');
    expect(text).toContain('3. Salespeople');
    // Live from the sandbox: the seeded admin holds only System Administrator.
    expect(text).toContain("ingrid.berg@contoso.no is missing: System Customizer, a non-administrative role.");
    // BC online's application user is seeded healthy.
    expect(text).toContain('Application user "Business Central Integration" is enabled and holds the integration role.');
    expect(text).toMatch(/of \d+ active salespeople are ready/);
    expect(text).toContain('1 blocked in Business Central');
  });

  it('answers "hjelp" in Norwegian for a Norwegian Teams client', async () => {
    const chat = h.conversation({ locale: 'nb-NO' });
    await chat.say(ADMIN, 'hjelp');
    const text = cardText(h.connector.cards()[0]);
    expect(text).toContain('1. Administratorkontoen i Sales');
    expect(text).toContain('⚠️ Må gjøres');
  });

  it('greets with the welcome card when the bot is added', async () => {
    await h.conversation().membersAdded(ADMIN);
    expect(h.connector.cards()).toHaveLength(1);
  });

  it('never stays silent: unknown text gets a hint of what to say', async () => {
    await h.conversation().say(ADMIN, 'what can *you* do?');
    expect(h.connector.texts()).toEqual([
      'I did not understand "what can \\*you\\* do?". Say **set up** to start or continue the setup, **status** to see where it stands, or **help**.',
    ]);
  });

  it('"Check again" on the welcome card returns the card read anew as the invoke response', async () => {
    const response = await h.conversation().execute(ADMIN, 'welcome.refresh');
    expect(response.status).toBe(200);
    expect(response.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(response.body.value)).toContain('3. Salespeople');
  });

  it('serves /healthz', async () => {
    const response = await fetch(`${h.bot.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', mode: 'sandbox' });
  });

  it('refuses a body over the limit with 413 before any handler runs', async () => {
    const response = await fetch(`${h.bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'x'.repeat(400_000) }),
    });
    expect(response.status).toBe(413);
    expect(h.connector.activities).toHaveLength(0);
  });
});
