import { createSign, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { startBot, type RunningBot } from '../../src/main';
import { FakeConnector } from '../helpers/teams';

/**
 * In tenant mode an unauthenticated request to /api/messages reaches no handler: it gets 401,
 * nothing is sent to the conversation, and nothing is written to the bot's storage.
 */

const TENANT = '11111111-2222-3333-4444-555555555555';
const BOT_APP_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const ADMIN_ID = '3b8f1c2d-5e6a-4f70-8a91-b2c3d4e5f601';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A well-formed RS256 token with the right claims, signed by a key Microsoft never published. */
function selfSignedToken(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = Math.floor(Date.now() / 1000);
  const header = b64({ alg: 'RS256', typ: 'JWT', kid: 'not-a-published-key' });
  const payload = b64({ iss: 'https://api.botframework.com', aud: BOT_APP_ID, serviceurl: 'https://smba.trafficmanager.net/emea/', nbf: now - 60, exp: now + 3600 });
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

describe('tenant mode: an unauthenticated request reaches no handler', () => {
  let bot: RunningBot;
  let stateDir: string;
  const connector = new FakeConnector();

  beforeAll(async () => {
    await connector.start();
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
      BOT_APP_PASSWORD: 'not-a-real-secret',
      AZURE_CREDENTIAL: 'secret',
      AZURE_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-ffffffffffff',
      AZURE_CLIENT_SECRET: 'not-a-real-secret',
      ADMIN_IDS: ADMIN_ID,
    });
    bot = await startBot(config, createLogger({ level: 'silent' }));
  });
  afterAll(async () => {
    await bot.close();
    await connector.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const files = () => readdirSync(stateDir, { recursive: true }).map(String).sort();

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

  const requests = () => [
    activity('message', { text: 'set up' }),
    activity('invoke', { name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'admin.plan', data: { userPrincipalName: 'x@contoso.com' } } } }),
    activity('conversationUpdate', { membersAdded: [{ id: `28:${BOT_APP_ID}` }] }),
  ];

  async function post(body: unknown, authorization: string | undefined): Promise<number> {
    const response = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
      body: JSON.stringify(body),
    });
    return response.status;
  }

  it.each([
    ['no Authorization header', undefined],
    ['an empty bearer', 'Bearer '],
    ['another scheme', 'Basic YWRtaW46YWRtaW4='],
    ['a token that is not a JWT', 'Bearer not-a-token'],
  ])('with %s: 401, nothing sent, nothing stored', async (_name, authorization) => {
    const before = files();
    for (const body of requests()) expect(await post(body, authorization)).toBe(401);
    expect(connector.activities).toEqual([]);
    expect(files()).toEqual(before);
  });

  // These need Microsoft's published signing keys to be told apart: with them the answer is 401;
  // where the keys cannot be fetched (no network here) it is 500. Either way no handler runs.
  it.each([
    ['an unsigned token (alg none) claiming the Bot Framework issuer', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: 'https://api.botframework.com', aud: BOT_APP_ID })}.`],
    ['a token signed by a key Microsoft never published', `Bearer ${selfSignedToken()}`],
  ])('with %s: refused, nothing sent, nothing stored', async (_name, authorization) => {
    const before = files();
    for (const body of requests()) expect([401, 500]).toContain(await post(body, authorization));
    expect(connector.activities).toEqual([]);
    expect(files()).toEqual(before);
  });
});
