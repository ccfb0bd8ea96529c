import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/log';
import { startBot, type RunningBot, type StartOptions } from '../../src/main';
import { startSandbox, SEED, type SandboxHandle } from '../../src/sandbox';
import { sandboxRecording } from '../conformance/recording';
import { FakeConnector, TeamsConversation, type TeamsUser } from './teams';

/** The sandbox's admin as a Teams user (the Playground's current user). */
export const ADMIN: TeamsUser = { id: '29:ingrid', name: SEED.admin.displayName, aadObjectId: SEED.admin.id };

export interface Harness {
  sandbox: SandboxHandle;
  bot: RunningBot;
  config: Config;
  connector: FakeConnector;
  stateDir: string;
  /** Every log line the bot wrote (when started with captureLogs). */
  logs: string[];
  conversation(options?: { id?: string; locale?: string; type?: 'personal' | 'groupChat' | 'channel' }): TeamsConversation;
  /** Stops the bot process part (server and runner) and starts it again on the same state. */
  restartBot(): Promise<void>;
  /** The sandbox tenant's whole state, parsed. */
  tenantState(): Promise<any>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { sandboxSettings?: Record<string, unknown>; start?: StartOptions; captureLogs?: boolean; env?: Record<string, string> } = {},
): Promise<Harness> {
  const sandbox = await startSandbox({
    port: 0,
    stateFile: null,
    settings: { syncDelayMs: 200, licensePropagationMs: 300, ...options.sandboxSettings },
    record: sandboxRecording(),
  });
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'bc-setup-test-'));
  const config = loadConfig({ SANDBOX_URL: sandbox.url, PORT: '0', STATE_DIR: stateDir, PLAYGROUND: 'false', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...options.env });
  const logs: string[] = [];
  const logger = options.captureLogs
    ? createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(line) } })
    : createLogger({ level: config.logLevel });
  const start = options.start ?? { actionSettings: { addUserRetryMs: 100, addUserTimeoutMs: 15_000, pollMs: 100 } };
  const connector = new FakeConnector();
  await connector.start();
  const harness: Harness = {
    sandbox,
    bot: await startBot(config, logger, start),
    config,
    connector,
    stateDir,
    logs,
    conversation: (o = {}) =>
      new TeamsConversation({ botUrl: () => harness.bot.url, connector, tenantId: SEED.tenantId, conversationId: o.id, locale: o.locale, conversationType: o.type }),
    async restartBot() {
      await harness.bot.close();
      harness.bot = await startBot(config, logger, start);
    },
    async tenantState() {
      return (await fetch(`${sandbox.url}/_sandbox/state`)).json();
    },
    async close() {
      await harness.bot.close();
      await connector.stop();
      await sandbox.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return harness;
}
