import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { startBot, type RunningBot } from '../../src/main';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** With a bot app id configured, /api/messages requires a valid Bot Framework token. */
describe('tenant mode', () => {
  let bot: RunningBot;
  let stateDir: string;
  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'bc-setup-tenant-'));
    const config = loadConfig({
      MODE: 'tenant',
      PORT: '0',
      STATE_DIR: stateDir,
      LOG_LEVEL: 'silent',
      TENANT_ID: '11111111-2222-3333-4444-555555555555',
      DATAVERSE_URL: 'https://contoso.crm4.dynamics.com',
      BAP_ENVIRONMENT_ID: '66666666-7777-8888-9999-000000000000',
      BC_ENVIRONMENT: 'Production',
      BOT_APP_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      BOT_APP_PASSWORD: 'not-a-real-secret',
      AZURE_CREDENTIAL: 'secret',
      AZURE_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-ffffffffffff',
      AZURE_CLIENT_SECRET: 'not-a-real-secret',
      ADMIN_IDS: '3b8f1c2d-5e6a-4f70-8a91-b2c3d4e5f601',
    });
    bot = await startBot(config, createLogger({ level: 'silent' }));
  });
  afterAll(async () => {
    await bot.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('answers an unauthenticated POST to /api/messages with 401', async () => {
    const response = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'help', channelId: 'msteams', serviceUrl: 'http://127.0.0.1:1/', conversation: { id: 'x' }, from: { id: 'u' } }),
    });
    expect(response.status).toBe(401);
  });

  it('answers a forged token with 401', async () => {
    const response = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.' },
      body: JSON.stringify({ type: 'message', text: 'help', channelId: 'msteams', serviceUrl: 'http://127.0.0.1:1/', conversation: { id: 'x' }, from: { id: 'u' } }),
    });
    expect(response.status).toBe(401);
  });

  it('still serves /healthz', async () => {
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });
});
