import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { loadConfig } from '../../src/config';
import { placeholdersIn } from '../../scripts/placeholders';

/**
 * The Microsoft 365 Agents Toolkit files and the Bicep agree with each other and with the app:
 * every `${{NAME}}` the toolkit resolves is declared in its environment file or written by an
 * earlier step, and the App Service's settings are exactly the settings src/config.ts reads.
 */

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const envKeys = (name: string) => Object.keys(parseEnv(read(`env/.env.${name}`)));

/** Set by the toolkit itself (environment, signed-in accounts). */
const BUILT_IN = ['TEAMSFX_ENV', 'AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP_NAME', 'TEAMS_APP_TENANT_ID'];

const KNOWN_ACTIONS = [
  'teamsApp/create',
  'teamsApp/validateManifest',
  'teamsApp/zipAppPackage',
  'teamsApp/validateAppPackage',
  'teamsApp/update',
  'teamsApp/publishAppPackage',
  'botAadApp/create',
  'botFramework/create',
  'arm/deploy',
  'cli/runNpmCommand',
  'azureAppService/zipDeploy',
  'file/createOrUpdateEnvironmentFile',
];

/** Names an action writes to the environment file (`writeToEnvironmentFile:` blocks). */
function written(yml: string): string[] {
  return [...yml.matchAll(/writeToEnvironmentFile:\n((?:\s+\w+: [A-Z0-9_]+\n)+)/g)].flatMap((m) => [...m[1].matchAll(/: ([A-Z0-9_]+)/g)].map((n) => n[1]));
}

const bicep = read('infra/azure.bicep');
const bicepOutputs = [...bicep.matchAll(/^output (\w+) /gm)].map((m) => m[1]);
const appSettings = [...bicep.matchAll(/name: '([A-Z0-9_]+)'\n\s+value: /g)].map((m) => m[1]);

describe('m365agents.yml (Azure, env/.env.dev)', () => {
  const yml = read('m365agents.yml');

  it('uses the toolkit actions that register the bot and deploy it', () => {
    const uses = [...yml.matchAll(/uses: (\S+)/g)].map((m) => m[1]);
    expect(uses.filter((u) => !KNOWN_ACTIONS.includes(u))).toEqual([]);
    expect(uses).toEqual(expect.arrayContaining(['teamsApp/create', 'arm/deploy', 'teamsApp/validateManifest', 'teamsApp/zipAppPackage', 'teamsApp/update', 'azureAppService/zipDeploy']));
    expect(yml).toContain('path: ./infra/azure.bicep');
    expect(yml).toContain('parameters: ./infra/azure.parameters.json');
  });

  it('resolves every placeholder from env/.env.dev, a built-in, or an earlier step (the Bicep outputs among them)', () => {
    const known = new Set([...envKeys('dev'), ...BUILT_IN, ...written(yml), ...bicepOutputs]);
    expect(placeholdersIn(yml).filter((name) => !known.has(name))).toEqual([]);
    expect(placeholdersIn(read('infra/azure.parameters.json')).filter((name) => !known.has(name))).toEqual([]);
    for (const file of ['appPackage/manifest.json', 'appPackage/nb.json']) expect(placeholdersIn(read(file)).filter((name) => !known.has(name))).toEqual([]);
    // What provision writes is declared (empty) in the committed environment file.
    expect(bicepOutputs.filter((name) => name !== 'MANAGED_IDENTITY_PRINCIPAL_ID' && !envKeys('dev').includes(name))).toEqual([]);
  });
});

describe('m365agents.local.yml (this machine, env/.env.local)', () => {
  const yml = read('m365agents.local.yml');

  it('registers an app and a Bot Framework bot pointing at the tunnel', () => {
    const uses = [...yml.matchAll(/uses: (\S+)/g)].map((m) => m[1]);
    expect(uses.filter((u) => !KNOWN_ACTIONS.includes(u))).toEqual([]);
    expect(uses).toEqual(expect.arrayContaining(['teamsApp/create', 'botAadApp/create', 'botFramework/create', 'teamsApp/zipAppPackage', 'teamsApp/update']));
    expect(yml).toContain('messagingEndpoint: ${{BOT_ENDPOINT}}/api/messages');
  });

  it('resolves every placeholder, and hands the bot its registration in the settings the app reads', () => {
    const known = new Set([...envKeys('local'), ...BUILT_IN, ...written(yml)]);
    expect(placeholdersIn(yml).filter((name) => !known.has(name))).toEqual([]);
    for (const file of ['appPackage/manifest.json', 'appPackage/nb.json']) expect(placeholdersIn(read(file)).filter((name) => !known.has(name))).toEqual([]);
    const handed = [...yml.matchAll(/^\s{8}([A-Z_]+): /gm)].map((m) => m[1]);
    expect(handed.sort()).toEqual(['BOT_APP_ID', 'BOT_APP_PASSWORD', 'BOT_APP_TENANT_ID', 'BOT_APP_TYPE', 'MODE']);
  });
});

describe('infra/azure.bicep', () => {
  it('declares the identity, App Service on Node 20, Azure Bot with Teams, and Storage', () => {
    for (const type of [
      'Microsoft.ManagedIdentity/userAssignedIdentities',
      'Microsoft.Web/serverfarms',
      'Microsoft.Web/sites',
      'Microsoft.BotService/botServices',
      'Microsoft.BotService/botServices/channels',
      'Microsoft.Storage/storageAccounts',
      'Microsoft.Storage/storageAccounts/blobServices/containers',
      'Microsoft.Authorization/roleAssignments',
    ]) {
      expect(bicep).toContain(`'${type}@`);
    }
    expect(bicep).toContain("linuxFxVersion: 'NODE|20-lts'");
    expect(bicep).toContain("msaAppType: 'UserAssignedMSI'");
    expect(bicep).toContain("channelName: 'MsTeamsChannel'");
  });

  it('gives the App Service exactly the settings src/config.ts reads in tenant mode, and they load', () => {
    const platform = appSettings.filter((name) => /^(WEBSITE_|SCM_)/.test(name));
    const app = appSettings.filter((name) => !platform.includes(name));
    const configSource = read('src/config.ts') + read('src/approvals/policy.ts');
    expect(app.filter((name) => !new RegExp(`\\b${name}: |env\\.${name}\\b`).test(configSource))).toEqual([]);
    // The values the Bicep computes, as Azure would fill them in.
    const sample: Record<string, string> = {
      MODE: 'tenant',
      LOG_LEVEL: 'info',
      TENANT_ID: '11111111-2222-3333-4444-555555555555',
      DATAVERSE_URL: 'https://contoso.crm4.dynamics.com',
      BAP_ENVIRONMENT_ID: '66666666-7777-8888-9999-000000000000',
      BC_ENVIRONMENT: 'Production',
      BC_COMPANY_ID: '',
      BC_APP_ID: '',
      BOT_APP_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      BOT_APP_TYPE: 'UserAssignedMSI',
      BOT_APP_TENANT_ID: '11111111-2222-3333-4444-555555555555',
      AZURE_CREDENTIAL: 'managed-identity',
      AZURE_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      STORAGE: 'blob',
      STORAGE_ACCOUNT_URL: 'https://bcsalesdevabc123.blob.core.windows.net/',
      STORAGE_CONTAINER: 'bc-sales-setup',
      STORAGE_CLIENT_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      RUN_LEASE_MS: '60000',
      ADMIN_GROUP_ID: '9d3e5a71-2c4b-4f86-b1a0-6e8d7c5f4a32',
      ADMIN_IDS: '',
      APPROVER_GROUP_ID: '',
      APPROVER_IDS: '',
      APPROVAL_MODE: 'first',
      APPROVAL_TWO_PERSON: 'false',
      APPROVAL_EXPIRY_HOURS: '24',
    };
    expect(app.sort()).toEqual(Object.keys(sample).sort());
    const config = loadConfig(sample);
    expect(config.mode).toBe('tenant');
    expect(config.bot).toMatchObject({ appType: 'UserAssignedMSI', appId: sample.BOT_APP_ID });
    expect(config.credential).toEqual({ kind: 'managed-identity', clientId: sample.AZURE_CLIENT_ID });
    expect(config.storage).toEqual({ kind: 'blob', container: 'bc-sales-setup', accountUrl: sample.STORAGE_ACCOUNT_URL, managedIdentityClientId: sample.STORAGE_CLIENT_ID });
    expect(config.runLeaseMs).toBe(60000);
  });
});
