import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppCredentials } from 'botframework-connector';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { startBot, type RunningBot } from '../../src/main';
import { OpenIdServer, signHs256WithPublicKey, signingKey, signRs256, unsigned } from '../helpers/botTokens';
import { FakeConnector } from '../helpers/teams';

/**
 * Tenant mode checks genuine JWTs, offline: the Bot Connector's OpenID metadata and keys are
 * served on loopback with keys made in this test, and the adapter reads them (a start option for
 * tests). A token the Bot Connector would send for Teams gets 200 and the handler runs; every
 * forgery, and every token from a path other than the Bot Connector's (skill, Emulator,
 * AseChannel), gets 401: nothing is sent to the conversation and nothing is stored.
 */

const TENANT = '11111111-2222-3333-4444-555555555555';
const BOT_APP_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const OTHER_APP_ID = '99999999-8888-7777-6666-555555555555';
const ADMIN_ID = '3b8f1c2d-5e6a-4f70-8a91-b2c3d4e5f601';
const BOT_CONNECTOR = 'https://api.botframework.com';
/** botframework.com's tenant: the issuer of Emulator and skill tokens (tokenValidationParameters.js). */
const ENTRA_BOTFRAMEWORK_ISSUER = 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/';

const teamsKey = signingKey('teams-key', ['msteams', 'skype']);
const webchatKey = signingKey('webchat-key', ['webchat', 'directline']);
const entraKey = signingKey('entra-key');
const strangerKey = signingKey('teams-key', ['msteams']); // Microsoft's kid, another key

describe('tenant mode: the inbound token', () => {
  let bot: RunningBot;
  let stateDir: string;
  const connector = new FakeConnector();
  const openId = new OpenIdServer([teamsKey, webchatKey], [entraKey]);

  beforeAll(async () => {
    await Promise.all([connector.start(), openId.start()]);
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'bc-setup-auth-'));
    const config = loadConfig({
      MODE: 'tenant',
      PORT: '0',
      STATE_DIR: stateDir,
      LOG_LEVEL: 'silent',
      TENANT_ID: TENANT,
      DATAVERSE_URL: 'https://contoso.crm4.dynamics.com',
      BAP_ENVIRONMENT_ID: '66666666-7777-8888-9999-000000000000',
      BC_ENVIRONMENT: 'Production',
      BOT_APP_ID,
      BOT_APP_TENANT_ID: TENANT,
      BOT_APP_PASSWORD: 'not-a-real-secret',
      AZURE_CREDENTIAL: 'secret',
      AZURE_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-ffffffffffff',
      AZURE_CLIENT_SECRET: 'not-a-real-secret',
      ADMIN_IDS: ADMIN_ID,
    });
    // The bot's own outbound token (bot → connector) is not what is tested here: the SDK's token
    // cache holds one, so replies reach the loopback connector without a call to Entra ID.
    (AppCredentials as unknown as { cache: Map<string, unknown> }).cache.set(`${BOT_APP_ID}${BOT_CONNECTOR}-cache`, {
      accessToken: 'outbound-token',
      tokenType: 'Bearer',
      expiresOn: new Date(Date.now() + 3_600_000),
    });
    bot = await startBot(config, createLogger({ level: (process.env.TEST_LOG_LEVEL) ?? 'silent' }), {
      botAuthentication: { channelOpenIdMetadataUrl: openId.channelMetadataUrl, emulatorOpenIdMetadataUrl: openId.entraMetadataUrl },
    });
  });
  afterAll(async () => {
    await bot.close();
    await Promise.all([connector.stop(), openId.stop()]);
    rmSync(stateDir, { recursive: true, force: true });
  });

  const files = () => readdirSync(stateDir, { recursive: true }).map(String).sort();
  const now = () => Math.floor(Date.now() / 1000);

  /** What the Bot Connector puts in a token for this bot and this activity. */
  const channelClaims = (extra: Record<string, unknown> = {}) => ({
    iss: BOT_CONNECTOR,
    aud: BOT_APP_ID,
    serviceurl: connector.url,
    nbf: now() - 60,
    iat: now() - 60,
    exp: now() + 3600,
    ...extra,
  });

  const activity = (type: string, extra: Record<string, unknown> = {}) => ({
    type,
    id: 'activity-1',
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: '29:admin', name: 'Admin', aadObjectId: ADMIN_ID },
    recipient: { id: `28:${BOT_APP_ID}` },
    conversation: { id: 'a:conversation', conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    locale: 'en-US',
    ...extra,
  });

  const requests = (extra: Record<string, unknown> = {}) => [
    activity('message', { text: 'language nb', ...extra }),
    activity('invoke', { name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'language.set', data: { locale: 'nb' } } }, ...extra }),
    activity('conversationUpdate', { membersAdded: [{ id: `28:${BOT_APP_ID}` }], ...extra }),
  ];

  async function post(body: unknown, authorization: string | undefined): Promise<{ status: number; text: string }> {
    const response = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  }

  it('a token the Bot Connector would send for Teams: 200, and the handler runs', async () => {
    connector.clear();
    const reply = await post(activity('message', { text: 'language nb' }), `Bearer ${signRs256(teamsKey, { claims: channelClaims() })}`);
    expect(reply.status).toBe(200);
    expect(connector.texts()).toEqual([expect.stringContaining('norsk')]);
    expect(openId.requests).toEqual(['/channel/v1/.well-known/openidconfiguration', '/channel/v1/.well-known/keys']);
  });

  const bearer = (token: string) => `Bearer ${token}`;
  const rows: [string, () => string | undefined, Record<string, unknown>?][] = [
    ['no Authorization header', () => undefined],
    ['an empty bearer', () => 'Bearer '],
    ['another scheme', () => 'Basic YWRtaW46YWRtaW4='],
    ['a token that is not a JWT', () => 'Bearer not-a-token'],
    ['an unsigned token (alg none) with the right claims', () => bearer(unsigned(channelClaims(), { kid: 'teams-key' }))],
    ['an unsigned token (alg none) without a key id', () => bearer(unsigned(channelClaims()))],
    ['HS256 keyed with the published public key', () => bearer(signHs256WithPublicKey(teamsKey, channelClaims()))],
    ['an unknown key id', () => bearer(signRs256(signingKey('not-a-published-key'), { claims: channelClaims() }))],
    ['a known key id signed by another key', () => bearer(signRs256(strangerKey, { claims: channelClaims() }))],
    ['a good signature over claims changed afterwards', () => {
      const [head, , signature] = signRs256(teamsKey, { claims: channelClaims() }).split('.');
      return bearer(`${head}.${Buffer.from(JSON.stringify(channelClaims({ aud: OTHER_APP_ID }))).toString('base64url')}.${signature}`);
    }],
    ['another audience (another bot)', () => bearer(signRs256(teamsKey, { claims: channelClaims({ aud: OTHER_APP_ID }) }))],
    ['another issuer', () => bearer(signRs256(teamsKey, { claims: channelClaims({ iss: 'https://api.botframework.com/evil' }) }))],
    ['expired beyond the 5 minutes of clock skew', () => bearer(signRs256(teamsKey, { claims: channelClaims({ nbf: now() - 7200, iat: now() - 7200, exp: now() - 600 }) }))],
    ['not valid yet', () => bearer(signRs256(teamsKey, { claims: channelClaims({ nbf: now() + 3600 }) }))],
    ['a serviceurl claim for another service URL', () => bearer(signRs256(teamsKey, { claims: channelClaims({ serviceurl: 'https://smba.trafficmanager.net/emea/' }) }))],
    ['a key endorsed for other channels only (not msteams)', () => bearer(signRs256(webchatKey, { claims: channelClaims() }))],
    ['a valid token on an activity of another channel', () => bearer(signRs256(teamsKey, { claims: channelClaims() })), { channelId: 'webchat' }],
    ['a valid token on an activity without a channel', () => bearer(signRs256(teamsKey, { claims: channelClaims() })), { channelId: undefined }],
    ['a valid token on an activity without a serviceUrl', () => bearer(signRs256(teamsKey, { claims: channelClaims() })), { serviceUrl: undefined }],
    [
      'a skill token (another bot, signed by an Entra ID key)',
      () => bearer(signRs256(entraKey, { claims: { iss: ENTRA_BOTFRAMEWORK_ISSUER, aud: BOT_APP_ID, appid: OTHER_APP_ID, ver: '1.0', nbf: now() - 60, exp: now() + 3600 } })),
    ],
    [
      'an Emulator token (the bot\'s own credential, signed by an Entra ID key)',
      () => bearer(signRs256(entraKey, { claims: { iss: ENTRA_BOTFRAMEWORK_ISSUER, aud: BOT_APP_ID, appid: BOT_APP_ID, ver: '1.0', nbf: now() - 60, exp: now() + 3600 } })),
    ],
    [
      'an AseChannel token (the bot\'s own tenant as issuer)',
      () => bearer(signRs256(entraKey, { claims: { iss: `https://sts.windows.net/${TENANT}/`, aud: BOT_APP_ID, appid: BOT_APP_ID, ver: '1.0', nbf: now() - 60, exp: now() + 3600 } })),
      { channelId: 'AseChannel' },
    ],
    [
      'an AseChannel token claiming the Bot Connector issuer',
      () => bearer(signRs256(teamsKey, { claims: channelClaims({ ver: '1.0', appid: BOT_APP_ID }) })),
      { channelId: 'AseChannel' },
    ],
  ];

  // Every row has the same length: jest would take a missing third argument for a done callback.
  const forgeries = rows.map(([name, authorization, extra]) => [name, authorization, extra ?? {}] as const);

  it.each(forgeries)('%s: 401, nothing runs, nothing is stored', async (_name, authorization, extra) => {
    connector.clear();
    const before = files();
    for (const body of requests(extra)) {
      const reply = await post(body, authorization());
      expect(reply.status).toBe(401);
      expect(JSON.parse(reply.text)).toEqual({ code: 'Unauthorized', message: 'The request is not authorized.' });
    }
    expect(connector.activities).toEqual([]);
    expect(files()).toEqual(before);
  });

  it('Entra ID\'s keys (the Emulator and skill path) are never even read', () => {
    expect(openId.requests.filter((p) => p.startsWith('/entra'))).toEqual([]);
  });

  it('still serves /healthz', async () => {
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });
});
