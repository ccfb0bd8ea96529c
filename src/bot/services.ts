import type { Config } from '../config';
import type { Logger } from '../log';
import type { Actor } from './context';
import type { Overview } from '../setup/overview';

/** The Sales environment, Power Platform environment and BC environment a conversation works on. */
export interface EnvironmentRef {
  dataverseUrl: string;
  bapEnvironmentId: string;
  bcEnvironment: string;
  bcCompanyId?: string;
}

/** What the Teams surface may use. Handlers get this, never a tenant client. */
export interface BotServices {
  config: Config;
  logger: Logger;
  observer: { overview(actor: Actor, environment: EnvironmentRef): Promise<Overview> };
  defaultEnvironment(): EnvironmentRef;
}
