import { createLogger } from '../../src/log';
import type { Clients } from '../../src/provisioning/clients';
import type { ActionContext } from '../../src/provisioning/run/actions';
import type { BulkState, Outcomes } from '../../src/provisioning/run/bulk/phase';

/**
 * A bulk run's context and state for unit tests: the clients given, a clock the test moves
 * (`now`), and every journal save recorded in `saves`.
 */
export function bulkHarness(options: {
  clients: Partial<Clients>;
  settings: ActionContext['settings'];
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  stopped?: () => boolean;
  state?: Partial<BulkState>;
}) {
  const saves: Outcomes[] = [];
  const context = {
    clients: options.clients as Clients,
    environment: { dataverseUrl: 'https://contoso.crm4.dynamics.com', bapEnvironmentId: 'env-1', bcEnvironment: 'Production' },
    settings: options.settings,
    logger: createLogger({ level: 'silent' }),
    sleep: options.sleep,
    now: options.now,
  } satisfies ActionContext;
  const state: BulkState = {
    context,
    save: async (outcomes) => {
      saves.push(outcomes);
    },
    stopped: options.stopped ?? (() => false),
    ids: new Map(),
    blocked: new Map(),
    created: new Map(),
    salesUsers: new Map(),
    ...options.state,
  };
  return { context, state, saves };
}
