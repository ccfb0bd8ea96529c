import { loadConfig } from '../../src/config';
import { configuredEnvironment } from '../../src/setup/session';
import { businessCentralPageUrl } from '../../src/bot/services';
import { ConfigError } from '../../src/errors';
import { SEED } from '../../src/sandbox';

const tenantEnv = {
  MODE: 'tenant',
  TENANT_ID: '11111111-2222-3333-4444-555555555555',
  DATAVERSE_URL: 'https://contoso.crm4.dynamics.com',
  BAP_ENVIRONMENT_ID: '66666666-7777-8888-9999-000000000000',
  BC_ENVIRONMENT: 'Production',
  BOT_APP_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  BOT_APP_PASSWORD: 'bot-secret-value',
  AZURE_CREDENTIAL: 'certificate',
  AZURE_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-ffffffffffff',
  AZURE_CLIENT_CERTIFICATE_PATH: '/secure/cert.pem',
  ADMIN_IDS: '3b8f1c2d-5e6a-4f70-8a91-b2c3d4e5f601',
};

function failure(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('defaults to sandbox mode with the sandbox endpoints when no tenant is configured', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('sandbox');
    expect(config.port).toBe(3978);
    expect(config.endpoints.graph).toBe('http://127.0.0.1:3979/graph/v1.0');
    expect(config.endpoints.dataverse).toBe('http://127.0.0.1:3979/dataverse');
    expect(config.bot.appId).toBe('');
    expect(config.credential).toEqual({
      kind: 'sandbox',
      authorityHost: 'http://127.0.0.1:3979',
      tenantId: SEED.tenantId,
      clientId: SEED.app.clientId,
      clientSecret: SEED.app.clientSecret,
    });
  });

  it('gives the Norwegian sandbox environment its own state file, and refuses an unknown language', () => {
    expect(loadConfig({}).sandbox).toMatchObject({ language: 'en', stateFile: '.sandbox/state.json' });
    expect(loadConfig({ SANDBOX_LANGUAGE: 'nb' }).sandbox).toMatchObject({ language: 'nb', stateFile: '.sandbox/state.nb.json' });
    expect(loadConfig({ SANDBOX_LANGUAGE: 'nb', SANDBOX_STATE_FILE: 'x.json' }).sandbox?.stateFile).toBe('x.json');
    expect(failure({ SANDBOX_LANGUAGE: 'de' }).message).toMatch(/SANDBOX_LANGUAGE.*en or nb/);
  });

  it('reads a complete tenant configuration', () => {
    const config = loadConfig(tenantEnv);
    expect(config.mode).toBe('tenant');
    expect(config.endpoints.graph).toBe('https://graph.microsoft.com/v1.0');
    expect(config.endpoints.dataverse).toBe('https://contoso.crm4.dynamics.com');
    expect(config.credential).toMatchObject({ kind: 'certificate', certificatePath: '/secure/cert.pem' });
    expect(config.bot).toMatchObject({ appId: tenantEnv.BOT_APP_ID, appType: 'SingleTenant', appTenantId: tenantEnv.TENANT_ID });
  });

  it('takes the environment settings as optional defaults: the Sales URL and its Power Platform id together, a company with its environment', () => {
    const none = loadConfig({ ...tenantEnv, DATAVERSE_URL: undefined, BAP_ENVIRONMENT_ID: undefined, BC_ENVIRONMENT: undefined, MODE: 'tenant' });
    expect(none.defaults).toEqual({ dataverseUrl: undefined, bapEnvironmentId: undefined, bcEnvironment: undefined, bcCompanyId: undefined });
    expect(configuredEnvironment(none)).toBeUndefined();
    expect(configuredEnvironment(loadConfig(tenantEnv))).toMatchObject({ dataverseUrl: 'https://contoso.crm4.dynamics.com', bcEnvironment: tenantEnv.BC_ENVIRONMENT });
    expect(failure({ ...tenantEnv, BAP_ENVIRONMENT_ID: undefined, MODE: 'tenant' }).message).toMatch(/BAP_ENVIRONMENT_ID: required with DATAVERSE_URL/);
    expect(failure({ ...tenantEnv, DATAVERSE_URL: undefined, MODE: 'tenant' }).message).toMatch(/DATAVERSE_URL: required with BAP_ENVIRONMENT_ID/);
    expect(failure({ ...tenantEnv, BC_ENVIRONMENT: undefined, BC_COMPANY_ID: '11111111-2222-3333-4444-555555555555', MODE: 'tenant' }).message).toMatch(/BC_ENVIRONMENT: required with BC_COMPANY_ID/);
  });

  it.each(['TENANT_ID', 'DATAVERSE_URL', 'BAP_ENVIRONMENT_ID', 'BOT_APP_ID', 'AZURE_CREDENTIAL', 'ADMIN_IDS'])(
    'a missing %s stops the start and names the setting',
    (setting) => {
      const error = failure({ ...tenantEnv, [setting]: undefined, MODE: 'tenant' });
      expect(error.settings).toContain(setting);
      expect(error.message).toContain(setting);
    },
  );

  it('names every malformed setting at once', () => {
    const error = failure({ ...tenantEnv, TENANT_ID: 'not-a-guid', DATAVERSE_URL: 'http://contoso.crm4.dynamics.com', PORT: 'eighty' });
    expect(error.settings.sort()).toEqual(['DATAVERSE_URL', 'PORT', 'TENANT_ID']);
    expect(error.message).toMatch(/TENANT_ID: must be a GUID/);
    expect(error.message).toMatch(/DATAVERSE_URL: must use https/);
  });

  it('refuses a Dataverse URL that is not a Dynamics environment host', () => {
    const error = failure({ ...tenantEnv, DATAVERSE_URL: 'https://evil.example.com' });
    expect(error.settings).toEqual(['DATAVERSE_URL']);
  });

  it('asks for the secret or the certificate that the chosen credential needs', () => {
    expect(failure({ ...tenantEnv, AZURE_CREDENTIAL: 'secret' }).settings).toEqual(['AZURE_CLIENT_SECRET']);
    expect(failure({ ...tenantEnv, AZURE_CLIENT_CERTIFICATE_PATH: '' }).settings).toEqual(['AZURE_CLIENT_CERTIFICATE_PATH']);
    expect(failure({ ...tenantEnv, BOT_APP_PASSWORD: undefined }).settings).toEqual(['BOT_APP_PASSWORD']);
  });

  it('accepts a managed identity without any secret for the tenant clients', () => {
    const config = loadConfig({ ...tenantEnv, AZURE_CREDENTIAL: 'managed-identity', AZURE_CLIENT_ID: undefined, AZURE_CLIENT_CERTIFICATE_PATH: undefined });
    expect(config.credential).toEqual({ kind: 'managed-identity', clientId: undefined });
  });

  it('sandbox mode refuses to start beside tenant credentials (no silent downgrade)', () => {
    const error = failure({ MODE: 'sandbox', BOT_APP_ID: tenantEnv.BOT_APP_ID, BOT_APP_PASSWORD: 'x' });
    expect(error.settings).toEqual(['BOT_APP_ID', 'BOT_APP_PASSWORD']);
    expect(error.message).toMatch(/MODE is sandbox/);
  });

  it('never puts a secret value into the error message', () => {
    const error = failure({ ...tenantEnv, AZURE_CREDENTIAL: 'secret', AZURE_CLIENT_SECRET: '', TENANT_ID: 'x' });
    expect(error.message).not.toContain('bot-secret-value');
  });

  it('reads who may use the bot and approve, and refuses malformed ids', () => {
    const config = loadConfig({ ...tenantEnv, ADMIN_GROUP_ID: 'AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE', APPROVER_IDS: '11111111-2222-3333-4444-555555555555', APPROVAL_TWO_PERSON: 'true', APPROVAL_MODE: 'all' });
    expect(config.access).toMatchObject({
      adminIds: ['3b8f1c2d-5e6a-4f70-8a91-b2c3d4e5f601'],
      adminGroupId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      approverIds: ['11111111-2222-3333-4444-555555555555'],
      approvalMode: 'all',
      twoPersonRule: true,
      expiryMs: 24 * 3_600_000,
    });
    expect(loadConfig({ ...tenantEnv }).access.approverIds).toEqual(['3b8f1c2d-5e6a-4f70-8a91-b2c3d4e5f601']); // approvers default to the admins
    expect(failure({ ...tenantEnv, ADMIN_IDS: 'ingrid@contoso.no' }).settings).toEqual(['ADMIN_IDS']);
    expect(failure({ ...tenantEnv, APPROVAL_MODE: 'some' }).settings).toEqual(['APPROVAL_MODE']);
  });

  it('refuses an unknown mode', () => {
    expect(failure({ MODE: 'production' }).settings).toEqual(['MODE']);
  });
});

describe('WATCH_INTERVAL_MINUTES', () => {
  it('is a day in tenant mode and a minute in sandbox mode unless set, and refuses what is not 1 to 10080 whole minutes', () => {
    expect(loadConfig(tenantEnv).watchIntervalMs).toBe(24 * 60 * 60_000);
    expect(loadConfig({}).watchIntervalMs).toBe(60_000);
    expect(loadConfig({ ...tenantEnv, WATCH_INTERVAL_MINUTES: '360' }).watchIntervalMs).toBe(360 * 60_000);
    for (const bad of ['0', '10081', '1.5', 'daily']) expect(failure({ ...tenantEnv, WATCH_INTERVAL_MINUTES: bad }).settings).toEqual(['WATCH_INTERVAL_MINUTES']);
  });
});

describe('BC_WEB_CLIENT_URL', () => {
  it('is an https address without query, kept without its trailing slash', () => {
    expect(loadConfig({ BC_WEB_CLIENT_URL: 'https://bc.contoso.local/BC250/' }).bcWebClientUrl).toBe('https://bc.contoso.local/BC250');
    expect(loadConfig({}).bcWebClientUrl).toBeUndefined();
    expect(() => loadConfig({ BC_WEB_CLIENT_URL: 'http://bc.contoso.local/BC250' })).toThrow(/BC_WEB_CLIENT_URL: must use https/);
    expect(() => loadConfig({ BC_WEB_CLIENT_URL: 'https://bc.contoso.local/BC250/?company=CRONUS' })).toThrow(/BC_WEB_CLIENT_URL: must be the web client address without \? or #/);
    expect(() => loadConfig({ BC_WEB_CLIENT_URL: 'bc.contoso.local' })).toThrow(/BC_WEB_CLIENT_URL: must be a URL/);
  });

  it('builds every deep link on it; without it, online links go to the online client and on premises there is none', () => {
    const online = { deployment: 'online' as const, bcEnvironment: 'Production' };
    const onPremises = { deployment: 'onpremises' as const, bcEnvironment: 'Production' };
    const tenantId = SEED.tenantId;
    expect(businessCentralPageUrl({ tenantId }, online, 1817)).toBe(`https://businesscentral.dynamics.com/${tenantId}/Production?page=1817`);
    expect(businessCentralPageUrl({ tenantId }, onPremises, 1817)).toBeUndefined();
    for (const environment of [online, onPremises]) {
      for (const page of [1817, 7201, 7209]) {
        expect(businessCentralPageUrl({ tenantId, bcWebClientUrl: 'https://bc.contoso.local/BC250' }, environment, page)).toBe(`https://bc.contoso.local/BC250/?page=${page}`);
      }
    }
  });
});
