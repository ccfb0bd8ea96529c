import { BC_CAPTIONS } from '../../src/setup/bcCaptions';
import { t } from '../../src/i18n';
import { SEED } from '../../src/sandbox';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { inputValues } from '../helpers/cards';
import { resetTenant } from '../helpers/flows';
import { cardText, type TeamsConversation } from '../helpers/teams';

/** Business Central deep links: online to the online client, on premises to BC_WEB_CLIENT_URL or, without it, where to find the page. */

let plain: Harness;
let withWebClient: Harness;
const WEB_CLIENT = 'https://bc.contoso.local:8080/BC250';

beforeAll(async () => {
  // No coupling endpoint: the list card sends the admin to page 7209 to couple by hand.
  plain = await startHarness({ env: { COUPLING_URL: 'none' } });
  withWebClient = await startHarness({ env: { COUPLING_URL: 'none', BC_WEB_CLIENT_URL: `${WEB_CLIENT}/` } });
});
afterAll(async () => {
  await plain.close();
  await withWebClient.close();
});

const openUrls = (card: unknown): Array<{ title: string; url: string }> =>
  (JSON.stringify(card).match(/\{[^{}]*"type":"Action\.OpenUrl"[^{}]*\}/g) ?? []).map((a) => JSON.parse(a));

async function salespeopleCard(h: Harness, chat: TeamsConversation, deployment: 'online' | 'onpremises', language?: 'nb') {
  await resetTenant(h);
  if (language) await chat.say(ADMIN, `språk ${language}`);
  await chat.say(ADMIN, language ? 'sett opp' : 'set up');
  const envCard = h.connector.cards().at(-1)!;
  const saved = await chat.execute(ADMIN, 'env.save', { ...inputValues(envCard), deployment }, h.connector.activities.at(-1)!.activityId);
  expect(saved.status).toBe(200);
  await chat.say(ADMIN, language ? 'selgere' : 'salespeople');
  return h.connector.cards().at(-1)!;
}

describe('Business Central deep links', () => {
  it('online without BC_WEB_CLIENT_URL: the online client, as before', async () => {
    const card = await salespeopleCard(plain, plain.conversation(), 'online');
    expect(openUrls(card).map((a) => a.url)).toEqual([`https://businesscentral.dynamics.com/${SEED.tenantId}/${SEED.businessCentral.environment}?page=7209`]);
  });

  it('on premises without BC_WEB_CLIENT_URL: no link to the online client; the card names the page to open', async () => {
    const card = await salespeopleCard(plain, plain.conversation(), 'onpremises');
    expect(openUrls(card)).toEqual([]);
    expect(JSON.stringify(card)).not.toContain('businesscentral.dynamics.com');
    expect(cardText(card)).toContain('page 7209 "Couple Dataverse Users with Salespersons"');
  });

  it('on premises without BC_WEB_CLIENT_URL, in Norwegian: the page by its number, no online link', async () => {
    const card = await salespeopleCard(plain, plain.conversation(), 'onpremises', 'nb');
    expect(openUrls(card)).toEqual([]);
    expect(cardText(card)).toContain(t('nb', 'spCouplingManual'));
    expect(t('nb', 'spCouplingManual')).toContain('side 7209');
  });

  it('on premises with BC_WEB_CLIENT_URL: the link opens the page in that web client', async () => {
    const card = await salespeopleCard(withWebClient, withWebClient.conversation(), 'onpremises');
    expect(openUrls(card)).toEqual([{ type: 'Action.OpenUrl', title: t('en', 'spCouplingOpen', { page: BC_CAPTIONS.couplePage }), url: `${WEB_CLIENT}/?page=7209` }]);
  });

  it('online with BC_WEB_CLIENT_URL: every link uses the setting', async () => {
    const card = await salespeopleCard(withWebClient, withWebClient.conversation(), 'online');
    expect(openUrls(card).map((a) => a.url)).toEqual([`${WEB_CLIENT}/?page=7209`]);
  });
});
