import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { ConfigError } from './errors';
import { SEED } from './sandbox/seed';
import { defaultStateFile, type SeedLanguage } from './sandbox/settings';
import { parseAccessPolicy, type AccessPolicy } from './approvals/policy';

/**
 * One validated configuration, read from the process environment over an env file.
 * Mode `sandbox` (the default when no tenant is configured) talks to the local sandbox tenant;
 * mode `tenant` talks to the real Microsoft services with @azure/identity credentials.
 */

export interface Endpoints {
  /** Graph base including the version, e.g. https://graph.microsoft.com/v1.0 */
  graph: string;
  /** Dataverse organisation URL without the API path, e.g. https://contoso.crm4.dynamics.com */
  dataverse: string;
  /** Power Platform admin API host, e.g. https://api.bap.microsoft.com */
  bap: string;
  /** Business Central API root including the version, e.g. https://api.businesscentral.dynamics.com/v2.0 */
  bc: string;
}

export type CredentialConfig =
  /**
   * Sandbox mode: the client credentials flow against the sandbox tenant's own token endpoint
   * (`{authorityHost}/{tenantId}/oauth2/v2.0/token`), with the sandbox's client id and secret.
   */
  | { kind: 'sandbox'; authorityHost: string; tenantId: string; clientId: string; clientSecret: string }
  | { kind: 'certificate'; tenantId: string; clientId: string; certificatePath: string; certificatePassword?: string }
  | { kind: 'secret'; tenantId: string; clientId: string; clientSecret: string }
  | { kind: 'managed-identity'; clientId?: string };

export interface BotConfig {
  appId: string;
  appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  appTenantId: string;
  appPassword?: string;
  certificateThumbprint?: string;
  certificatePrivateKeyPath?: string;
}

export interface SandboxConfig {
  url: string;
  port: number;
  stateFile: string;
  syntheticSalespeople: number;
  /** The sandbox environment's base language (SANDBOX_LANGUAGE). */
  language: SeedLanguage;
  playground: boolean;
  playgroundPort: number;
}

/** Where bot state, plans, approvals and runs live: local files, or one Azure Blob container shared by several instances. */
export type StorageConfig =
  | { kind: 'file' }
  | { kind: 'blob'; container: string; connectionString: string }
  | { kind: 'blob'; container: string; accountUrl: string; managedIdentityClientId?: string };

export interface Config {
  mode: 'sandbox' | 'tenant';
  /** Who may use the bot and who may approve plans. */
  access: AccessPolicy;
  port: number;
  /** The address the bot listens on (default all interfaces; 127.0.0.1 keeps it on this machine). */
  host?: string;
  logLevel: string;
  stateDir: string;
  tenantId: string;
  endpoints: Endpoints;
  /**
   * The environment the conversation proposes when the tenant's lists do not say otherwise (the
   * admin chooses on the card). Optional in tenant mode: without it the admin chooses from the lists.
   */
  defaults: { dataverseUrl?: string; bapEnvironmentId?: string; bcEnvironment?: string; bcCompanyId?: string };
  /** Client id of Business Central's application user in Dataverse (BC online's integration). */
  bcAppId?: string;
  /**
   * API root of the coupling endpoint (README, "Coupling endpoint"), with `{tenantId}` and
   * `{environment}` placeholders. Absent: the admin couples salespeople in Business Central.
   */
  couplingUrl?: string;
  /**
   * Base URL of the Business Central web client (BC_WEB_CLIENT_URL), e.g. an on-premises
   * `https://bc.contoso.local/BC250`: every deep link to a BC page is built on it when set.
   */
  bcWebClientUrl?: string;
  bot: BotConfig;
  credential: CredentialConfig;
  sandbox?: SandboxConfig;
  /** Absent: local files under stateDir. */
  storage?: StorageConfig;
  /** How long a run's lease lasts without renewal before another instance may take the run over. */
  runLeaseMs?: number;
  /** How often a chat's watch checks the setup (WATCH_INTERVAL_MINUTES: a day; a minute in sandbox mode). */
  watchIntervalMs?: number;
}

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');
const httpsUrl = z
  .string()
  .url('must be a URL')
  .refine((v) => v.startsWith('https://'), 'must use https');
const dataverseUrl = httpsUrl.refine(
  (v) => /^https:\/\/[a-z0-9-]+\.crm\d*\.dynamics\.com\/?$/i.test(v),
  'must be an environment URL such as https://contoso.crm4.dynamics.com',
);
const port = z.coerce.number().int().min(0).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const common = {
  PORT: optional(port).default(3978),
  HOST: optional(z.string().regex(/^[0-9A-Fa-f:.]+$|^localhost$/, 'must be an IP address or localhost')).default('0.0.0.0'),
  LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])).default('info'),
  STATE_DIR: optional(z.string()).default('.state'),
  STORAGE: optional(z.enum(['file', 'blob'])).default('file'),
  STORAGE_CONNECTION_STRING: optional(z.string().min(1)),
  STORAGE_CONTAINER: optional(z.string().regex(/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'must be a blob container name (3-63 lower-case letters, digits, single hyphens)')).default('bc-sales-setup'),
  RUN_LEASE_MS: optional(z.coerce.number().int().min(200).max(3_600_000)).default(60_000),
  // Default per mode (a day; a minute in sandbox mode, so the Playground shows a watch post); at most a week.
  WATCH_INTERVAL_MINUTES: optional(z.coerce.number().int().min(1).max(10_080)),
  // The web client's own address: no query or fragment, since the page parameter is added to it.
  BC_WEB_CLIENT_URL: optional(httpsUrl.refine((v) => !/[?#]/.test(v), 'must be the web client address without ? or #')),
};

type StorageEnv = { STORAGE: 'file' | 'blob'; STORAGE_CONNECTION_STRING?: string; STORAGE_ACCOUNT_URL?: string; STORAGE_CONTAINER: string };

/** STORAGE=blob needs a connection string (Azurite, development) or, in tenant mode, an account URL (managed identity). */
function storageIssues(env: StorageEnv, ctx: z.RefinementCtx, accountUrlAllowed: boolean): void {
  if (env.STORAGE !== 'blob') return;
  if (!env.STORAGE_CONNECTION_STRING && !env.STORAGE_ACCOUNT_URL) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: [accountUrlAllowed ? 'STORAGE_ACCOUNT_URL' : 'STORAGE_CONNECTION_STRING'],
      message: accountUrlAllowed ? 'required when STORAGE=blob (or STORAGE_CONNECTION_STRING)' : 'required when STORAGE=blob',
    });
  }
}

function storageConfig(env: StorageEnv, managedIdentityClientId?: string): StorageConfig {
  if (env.STORAGE !== 'blob') return { kind: 'file' };
  if (env.STORAGE_CONNECTION_STRING) return { kind: 'blob', container: env.STORAGE_CONTAINER, connectionString: env.STORAGE_CONNECTION_STRING };
  return { kind: 'blob', container: env.STORAGE_CONTAINER, accountUrl: env.STORAGE_ACCOUNT_URL!, managedIdentityClientId };
}

const sandboxSchema = z.object({
  ...common,
  SANDBOX_PORT: optional(port).default(3979),
  SANDBOX_URL: optional(z.string().url('must be a URL')),
  SANDBOX_LANGUAGE: optional(z.enum(['en', 'nb'], { message: 'must be en or nb' })).default('en'),
  SANDBOX_STATE_FILE: optional(z.string()),
  SANDBOX_SYNTHETIC_SALESPEOPLE: optional(z.coerce.number().int().min(0).max(100000)).default(0),
  /** the sandbox tenant's app registration (a fixed public value, not a real tenant's secret) */
  SANDBOX_CLIENT_ID: optional(guid).default(SEED.app.clientId),
  SANDBOX_CLIENT_SECRET: optional(z.string().min(1)).default(SEED.app.clientSecret),
  COUPLING_URL: optional(z.union([z.literal('none'), z.string().url('must be a URL or none')])),
  PLAYGROUND: optional(bool).default('true'),
  PLAYGROUND_PORT: optional(port).default(56150),
});

const tenantSchema = z
  .object({
    ...common,
    TENANT_ID: guid,
    // Optional defaults: the environment card proposes them when the tenant's lists do not link a pair.
    DATAVERSE_URL: optional(dataverseUrl),
    BAP_ENVIRONMENT_ID: optional(guid),
    BC_ENVIRONMENT: optional(z.string().regex(/^[A-Za-z0-9_-]{1,30}$/, 'must be a Business Central environment name')),
    BC_COMPANY_ID: optional(guid),
    BC_APP_ID: optional(guid),
    BOT_APP_ID: guid,
    BOT_APP_TYPE: optional(z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'])).default('SingleTenant'),
    BOT_APP_TENANT_ID: optional(guid),
    BOT_APP_PASSWORD: optional(z.string().min(1)),
    BOT_CERTIFICATE_THUMBPRINT: optional(z.string().regex(/^[0-9A-Fa-f]{40}$/, 'must be a 40-character hex thumbprint')),
    BOT_CERTIFICATE_KEY_PATH: optional(z.string().min(1)),
    AZURE_CREDENTIAL: z.enum(['certificate', 'secret', 'managed-identity']),
    AZURE_CLIENT_ID: optional(guid),
    AZURE_CLIENT_CERTIFICATE_PATH: optional(z.string().min(1)),
    AZURE_CLIENT_CERTIFICATE_PASSWORD: optional(z.string()),
    AZURE_CLIENT_SECRET: optional(z.string().min(1)),
    GRAPH_URL: optional(httpsUrl).default('https://graph.microsoft.com/v1.0'),
    BAP_URL: optional(httpsUrl).default('https://api.bap.microsoft.com'),
    BC_API_URL: optional(httpsUrl).default('https://api.businesscentral.dynamics.com/v2.0'),
    COUPLING_URL: optional(httpsUrl),
    STORAGE_ACCOUNT_URL: optional(httpsUrl),
    STORAGE_CLIENT_ID: optional(guid),
  })
  .superRefine((env, ctx) => {
    storageIssues(env, ctx, true);
    const need = (setting: keyof typeof env, why: string) => {
      if (env[setting] === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [setting], message: `required ${why}` });
    };
    if (env.AZURE_CREDENTIAL === 'certificate') {
      need('AZURE_CLIENT_ID', 'when AZURE_CREDENTIAL=certificate');
      need('AZURE_CLIENT_CERTIFICATE_PATH', 'when AZURE_CREDENTIAL=certificate');
    }
    if (env.AZURE_CREDENTIAL === 'secret') {
      need('AZURE_CLIENT_ID', 'when AZURE_CREDENTIAL=secret');
      need('AZURE_CLIENT_SECRET', 'when AZURE_CREDENTIAL=secret');
    }
    if (env.BOT_APP_TYPE !== 'UserAssignedMSI' && !env.BOT_APP_PASSWORD && !env.BOT_CERTIFICATE_THUMBPRINT) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['BOT_APP_PASSWORD'],
        message: 'required (or BOT_CERTIFICATE_THUMBPRINT with BOT_CERTIFICATE_KEY_PATH) unless BOT_APP_TYPE=UserAssignedMSI',
      });
    }
    if (env.BOT_CERTIFICATE_THUMBPRINT) need('BOT_CERTIFICATE_KEY_PATH', 'with BOT_CERTIFICATE_THUMBPRINT');
    // The Sales environment is its URL and its Power Platform id together; a company belongs to an environment.
    if (env.DATAVERSE_URL) need('BAP_ENVIRONMENT_ID', 'with DATAVERSE_URL');
    if (env.BAP_ENVIRONMENT_ID) need('DATAVERSE_URL', 'with BAP_ENVIRONMENT_ID');
    if (env.BC_COMPANY_ID) need('BC_ENVIRONMENT', 'with BC_COMPANY_ID');
    // The coupling endpoint gets a Business Central token, so it must be on Business Central's own host.
    if (env.COUPLING_URL && new URL(env.COUPLING_URL).host !== new URL(env.BC_API_URL).host) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['COUPLING_URL'], message: `must be on the Business Central API host (${new URL(env.BC_API_URL).host})` });
    }
  });

/** Settings that mean "a real tenant is configured"; sandbox mode refuses to start beside them. */
const TENANT_SETTINGS = ['BOT_APP_ID', 'BOT_APP_PASSWORD', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'TENANT_ID'];

export type Env = Record<string, string | undefined>;

/** The env file for a mode: `env/.env.<mode>`; ENV_FILE overrides. Process variables win over the file. */
export function readEnv(processEnv: Env = process.env, cwd = process.cwd()): Env {
  const explicit = processEnv.ENV_FILE;
  const mode = processEnv.MODE ?? (processEnv.TENANT_ID ? 'tenant' : 'sandbox');
  const file = explicit ? path.resolve(cwd, explicit) : path.join(cwd, 'env', `.env.${mode}`);
  if (explicit && !existsSync(file)) throw new ConfigError([{ setting: 'ENV_FILE', problem: `file not found: ${file}` }]);
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  const merged: Env = { ...fromFile };
  for (const [key, value] of Object.entries(processEnv)) if (value !== undefined) merged[key] = value;
  return merged;
}

/** One line per setting, however many rules it broke. */
function problems(error: z.ZodError) {
  const bySetting = new Map<string, string[]>();
  for (const issue of error.issues) {
    const setting = String(issue.path[0] ?? 'environment');
    const problem = issue.message === 'Required' ? 'is required but not set' : issue.message;
    const list = bySetting.get(setting) ?? [];
    if (!list.includes(problem)) list.push(problem);
    bySetting.set(setting, list);
  }
  return [...bySetting].map(([setting, list]) => ({ setting, problem: list.join('; ') }));
}

export function loadConfig(env: Env = readEnv()): Config {
  const mode = env.MODE ?? (env.TENANT_ID ? 'tenant' : 'sandbox');
  if (mode !== 'sandbox' && mode !== 'tenant') {
    throw new ConfigError([{ setting: 'MODE', problem: `must be "sandbox" or "tenant", not "${mode}"` }]);
  }
  return mode === 'sandbox' ? sandboxConfig(env) : tenantConfig(env);
}

function sandboxConfig(env: Env): Config {
  const configured = TENANT_SETTINGS.filter((s) => env[s]);
  if (configured.length > 0) {
    throw new ConfigError(
      configured.map((setting) => ({
        setting,
        problem: 'is a tenant setting, but MODE is sandbox; set MODE=tenant or remove it (sandbox mode accepts unauthenticated requests)',
      })),
    );
  }
  const parsed = sandboxSchema.superRefine((e, ctx) => storageIssues(e, ctx, false)).safeParse(env);
  if (!parsed.success) throw new ConfigError(problems(parsed.error));
  const s = parsed.data;
  const url = (s.SANDBOX_URL ?? `http://127.0.0.1:${s.SANDBOX_PORT}`).replace(/\/$/, '');
  // Sandbox mode is the seeded tenant: its ids are the seed's.
  const tenantId = SEED.tenantId;
  const access = parseAccessPolicy(env, {
    adminIds: [SEED.admin.id, SEED.users.kariHansen.id, SEED.users.larsJohansen.id],
    approverGroupId: SEED.approverGroupId,
  });
  if (!access.ok) throw new ConfigError(access.problems);
  return {
    mode: 'sandbox',
    access: access.policy,
    port: s.PORT,
    // Sandbox mode accepts unauthenticated requests: it listens on this machine only unless told otherwise.
    host: env.HOST ? s.HOST : '127.0.0.1',
    logLevel: s.LOG_LEVEL,
    stateDir: s.STATE_DIR,
    tenantId,
    endpoints: { graph: `${url}/graph/v1.0`, dataverse: `${url}/dataverse`, bap: `${url}/bap`, bc: `${url}/bc/v2.0` },
    defaults: {
      dataverseUrl: `${url}/dataverse`,
      bapEnvironmentId: SEED.environment.bapId,
      bcEnvironment: SEED.businessCentral.environment,
      bcCompanyId: SEED.businessCentral.companyId,
    },
    bcAppId: SEED.bcAppId,
    couplingUrl: s.COUPLING_URL === 'none' ? undefined : (s.COUPLING_URL ?? `${url}/bc/v2.0/{tenantId}/{environment}/api/contoso/crm/v1.0`),
    bot: { appId: '', appType: 'MultiTenant', appTenantId: '' },
    credential: { kind: 'sandbox', authorityHost: url, tenantId, clientId: s.SANDBOX_CLIENT_ID.toLowerCase(), clientSecret: s.SANDBOX_CLIENT_SECRET },
    sandbox: {
      url,
      port: s.SANDBOX_PORT,
      language: s.SANDBOX_LANGUAGE,
      stateFile: s.SANDBOX_STATE_FILE ?? defaultStateFile(s.SANDBOX_LANGUAGE),
      syntheticSalespeople: s.SANDBOX_SYNTHETIC_SALESPEOPLE,
      playground: s.PLAYGROUND,
      playgroundPort: s.PLAYGROUND_PORT,
    },
    bcWebClientUrl: s.BC_WEB_CLIENT_URL?.replace(/\/+$/, ''),
    storage: storageConfig(s),
    runLeaseMs: s.RUN_LEASE_MS,
    watchIntervalMs: (s.WATCH_INTERVAL_MINUTES ?? 1) * 60_000,
  };
}

function tenantConfig(env: Env): Config {
  const parsed = tenantSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(problems(parsed.error));
  const t = parsed.data;
  // '' when no default Sales environment is configured (each environment's URL comes from the lists then).
  const dataverse = (t.DATAVERSE_URL ?? '').replace(/\/$/, '');
  let credential: CredentialConfig;
  switch (t.AZURE_CREDENTIAL) {
    case 'certificate':
      credential = {
        kind: 'certificate',
        tenantId: t.TENANT_ID,
        clientId: t.AZURE_CLIENT_ID!,
        certificatePath: t.AZURE_CLIENT_CERTIFICATE_PATH!,
        certificatePassword: t.AZURE_CLIENT_CERTIFICATE_PASSWORD,
      };
      break;
    case 'secret':
      credential = { kind: 'secret', tenantId: t.TENANT_ID, clientId: t.AZURE_CLIENT_ID!, clientSecret: t.AZURE_CLIENT_SECRET! };
      break;
    case 'managed-identity':
      credential = { kind: 'managed-identity', clientId: t.AZURE_CLIENT_ID };
      break;
  }
  const access = parseAccessPolicy(env);
  if (!access.ok) throw new ConfigError(access.problems);
  return {
    mode: 'tenant',
    access: access.policy,
    port: t.PORT,
    host: t.HOST,
    logLevel: t.LOG_LEVEL,
    stateDir: t.STATE_DIR,
    tenantId: t.TENANT_ID,
    endpoints: {
      graph: t.GRAPH_URL.replace(/\/$/, ''),
      dataverse,
      bap: t.BAP_URL.replace(/\/$/, ''),
      bc: t.BC_API_URL.replace(/\/$/, ''),
    },
    defaults: {
      dataverseUrl: dataverse || undefined,
      bapEnvironmentId: t.BAP_ENVIRONMENT_ID,
      bcEnvironment: t.BC_ENVIRONMENT,
      bcCompanyId: t.BC_COMPANY_ID,
    },
    bcAppId: t.BC_APP_ID,
    couplingUrl: t.COUPLING_URL,
    bot: {
      appId: t.BOT_APP_ID,
      appType: t.BOT_APP_TYPE,
      appTenantId: t.BOT_APP_TENANT_ID ?? t.TENANT_ID,
      appPassword: t.BOT_APP_PASSWORD,
      certificateThumbprint: t.BOT_CERTIFICATE_THUMBPRINT,
      certificatePrivateKeyPath: t.BOT_CERTIFICATE_KEY_PATH,
    },
    bcWebClientUrl: t.BC_WEB_CLIENT_URL?.replace(/\/+$/, ''),
    credential,
    storage: storageConfig(t, t.STORAGE_CLIENT_ID ?? (t.AZURE_CREDENTIAL === 'managed-identity' ? t.AZURE_CLIENT_ID : undefined)),
    runLeaseMs: t.RUN_LEASE_MS,
    watchIntervalMs: (t.WATCH_INTERVAL_MINUTES ?? 1440) * 60_000,
  };
}
