import type { Playground } from '../playground';

/** One conversation a user goes through in the browser, checked against the sandbox tenant. */
export interface Flow {
  name: string;
  run(context: FlowContext): Promise<void>;
}

/** The sandbox tenant a run of the flows uses: its base language and whether the environment has a security group. */
export interface TenantVariant {
  name: string;
  /** SANDBOX_LANGUAGE of the stack */
  language: 'en' | 'nb';
  /** the environment admits only the members of "Contoso Sales Access" */
  securityGroup: boolean;
  /** the tenant has Microsoft Entra ID P1 (group-based licensing) */
  groupLicensing?: boolean;
}

export interface FlowContext {
  playground: Playground;
  tenant: TenantVariant;
  sandboxUrl: string;
  botUrl: string;
  /** A line in the run's output. */
  note(message: string): void;
}
