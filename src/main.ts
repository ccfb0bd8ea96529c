import type { Config } from './config';
import type { Logger } from './log';
import { createAdapter, type BotAuthenticationOverrides } from './bot/adapter';
import { createApplication } from './bot/app';
import { createServices } from './bot/services';
import { createTokenProvider } from './provisioning/auth';
import { createClients } from './provisioning/clients';
import { TENANT_ACTION_SETTINGS, type ActionSettings } from './provisioning/actions';
import { Runner } from './provisioning/runner';
import { Leases } from './provisioning/lease';
import { openStorage } from './storage/blobStorage';
import { RecordStore } from './storage/records';
import { startServer, type BotServer } from './server';
import { deliverPassword, reportRun } from './bot/progress';
import { Notifier } from './bot/notifier';
import type { BotServices } from './bot/services';

/**
 * The sandbox's licence propagation takes seconds, not minutes. Bulk runs leave new users to
 * background sync for 3 × addUserRetryMs (6 s) before asking addUser: longer than the sandbox's
 * default sync delay (5 s), as real background sync is usually faster than the addUser fallback.
 */
const SANDBOX_ACTION_SETTINGS: ActionSettings = { addUserRetryMs: 2_000, addUserTimeoutMs: 60_000, pollMs: 500 };

export interface StartOptions {
  actionSettings?: ActionSettings;
  /** The clock of plans, approvals and the audit trail (for tests). */
  now?: () => Date;
  /** Tests only (never from the environment): the OpenID metadata the inbound token is checked against. */
  botAuthentication?: BotAuthenticationOverrides;
}

export interface RunningBot extends BotServer {
  runner: Runner;
  records: RecordStore;
}

/** Wires storage, tenant clients, the runner and the Teams surface, and starts listening. */
export async function startBot(config: Config, logger: Logger, options: StartOptions = {}): Promise<RunningBot> {
  const { storage, shared, where } = openStorage(config);
  const records = new RecordStore(storage);
  // Several instances on one storage: a run executes only where its lease is held.
  const leases = shared ? new Leases({ records, durationMs: config.runLeaseMs ?? 60_000, logger }) : undefined;
  logger.info({ storage: where, instance: leases?.holder }, shared ? 'shared state on Azure Blob Storage' : 'state on local files');
  const clients = createClients({ config, tokens: createTokenProvider(config.credential), logger });
  const adapter = createAdapter(config.bot, { logger, authentication: options.botAuthentication });
  // The runner reports through the bot's services, which need the runner: bound once both exist.
  let services: BotServices | undefined;
  const runner = new Runner({
    records,
    clients,
    logger,
    settings: options.actionSettings ?? (config.mode === 'sandbox' ? SANDBOX_ACTION_SETTINGS : TENANT_ACTION_SETTINGS),
    onProgress: async (run, plan) => {
      if (services) await reportRun(services, run, plan);
    },
    deliverSecret: (plan, _run, action, secret) => deliverPassword(adapter, config, plan, action, secret),
    leases,
    // Approved plans whose run did not start (the process stopped in between): started on resume and at start-up.
    dueRuns: async () => (services ? services.plans.due() : []),
  });
  services = createServices({ config, logger, clients, records, runner, notifier: new Notifier(adapter, config, records), now: options.now });
  const app = createApplication(adapter, storage, services);
  const server = await startServer(config, { adapter, app }, logger);
  const resumed = await runner.resumeAll();
  if (resumed.length > 0) logger.info({ runs: resumed.length }, 'resuming unfinished runs');
  const close = async () => {
    leases?.close();
    await server.close();
  };
  return { ...server, close, runner, records };
}
