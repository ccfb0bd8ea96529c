import type { Storage } from 'botbuilder';
import type { Config } from './config';
import type { Logger } from './log';
import { createAdapter, type BotAuthenticationOverrides } from './bot/adapter';
import { createApplication } from './bot/app';
import { createServices } from './bot/services';
import { createTokenProvider } from './provisioning/http/auth';
import { createClients } from './provisioning/clients';
import { TENANT_ACTION_SETTINGS, type ActionSettings } from './provisioning/run/actions';
import { Runner } from './provisioning/run/runner';
import { Leases } from './provisioning/run/lease';
import { openStorage } from './storage/blobStorage';
import type { HealingStorage } from './storage/damage';
import { RecordStore } from './storage/records';
import { registerRunRepairs } from './provisioning/run/repairs';
import { startServer, type BotServer } from './server';
import { showRunProgress } from './bot/progress';
import { Notifier } from './bot/notifier';
import { PasswordCards, type Clock } from './bot/passwordCards';
import { PlanStore } from './approvals/plans';
import { auditRuns } from './approvals/runAudit';
import { RunEvents } from './provisioning/run/events';
import type { WatchService } from './bot/watchServices';

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
  /** Tests only: wraps the bot's storage (e.g. to make writes fail as on a full disk). */
  wrapStorage?: (storage: HealingStorage) => Storage;
  /** Tests only: the clock the password messages are withdrawn by and the watches run by (advanced, never slept on). */
  clock?: Clock;
}

export interface RunningBot extends BotServer {
  runner: Runner;
  records: RecordStore;
  passwords: PasswordCards;
  watch: WatchService;
}

/** Undoes what start-up has done so far, newest first; errors are logged, never thrown. */
async function undo(steps: (() => unknown)[], logger: Logger): Promise<void> {
  for (const step of steps.reverse()) {
    try {
      await step();
    } catch (error) {
      logger.warn({ err: error }, 'could not undo a start-up step');
    }
  }
}

/** Wires storage, tenant clients, the runner and the Teams surface, and starts listening. */
export async function startBot(config: Config, logger: Logger, options: StartOptions = {}): Promise<RunningBot> {
  const started: (() => unknown)[] = [];
  try {
    return await start(config, logger, options, started);
  } catch (error) {
    // Nothing keeps running after a failed start: no listener, lease renewal or timer.
    await undo(started, logger);
    throw error;
  }
}

async function start(config: Config, logger: Logger, options: StartOptions, started: (() => unknown)[]): Promise<RunningBot> {
  const opened = openStorage(config, {
    // The key says which record; its content may hold anything and is never logged.
    onDamaged: ({ key, movedTo }) => logger.error({ key, movedTo }, 'a stored record could not be read; it was moved aside and is treated as absent'),
  });
  const { shared, where } = opened;
  const storage = options.wrapStorage ? options.wrapStorage(opened.storage) : opened.storage;
  const records = new RecordStore(storage);
  // Several instances on one storage: a run executes only where its lease is held.
  const leases = shared ? new Leases({ records, durationMs: config.runLeaseMs ?? 60_000, logger }) : undefined;
  if (leases) started.push(() => leases.close());
  logger.info({ storage: where, instance: leases?.holder }, shared ? 'shared state on Azure Blob Storage' : 'state on local files');
  const clients = createClients({ config, tokens: createTokenProvider(config.credential), logger });
  const adapter = createAdapter(config.bot, { logger, authentication: options.botAuthentication });
  const passwords = new PasswordCards({ records, adapter, appId: config.bot.appId, logger, clock: options.clock });
  // The runner tells what happens through events; who shows or audits it subscribes below.
  const events = new RunEvents();
  const plans = new PlanStore(records, options.now, config.access.expiryMs);
  const runner = new Runner({
    records,
    clients,
    logger,
    settings: options.actionSettings ?? (config.mode === 'sandbox' ? SANDBOX_ACTION_SETTINGS : TENANT_ACTION_SETTINGS),
    events,
    leases,
    // Approved plans whose run did not start (the process stopped in between): started on resume and at start-up.
    dueRuns: () => plans.due(),
  });
  // A damaged run becomes a failed run its card shows, so it can be retried (repairs.ts).
  registerRunRepairs(records, { logger, events });
  const services = createServices({ config, logger, clients, records, runner, plans, passwords, notifier: new Notifier(adapter, config, records), now: options.now, leases, clock: options.clock });
  // The audit subscribes first: its writes start before any card update, and do not depend on one.
  auditRuns(events, services.audit, logger);
  showRunProgress(events, services);
  passwords.subscribe(events);
  const app = createApplication(adapter, storage, services);
  const server = await startServer(config, { adapter, app }, logger);
  started.push(() => server.close());
  // Password messages that fell due while the bot was down are withdrawn now, then checked periodically.
  started.push(() => passwords.close());
  await passwords.start();
  const resumed = await runner.resumeAll();
  if (resumed.length > 0) logger.info({ runs: resumed.length }, 'resuming unfinished runs');
  // The chats' watches: every instance looks for due checks; each runs once (under its lease).
  const watch = services.watch;
  started.push(() => watch.close());
  watch.start();
  const close = async () => {
    watch.close();
    passwords.close();
    leases?.close();
    await server.close();
  };
  return { ...server, close, runner, records, passwords, watch };
}
