import type { Playground } from '../playground';

/** One conversation a user goes through in the browser, checked against the sandbox tenant. */
export interface Flow {
  name: string;
  run(context: FlowContext): Promise<void>;
}

export interface FlowContext {
  playground: Playground;
  sandboxUrl: string;
  botUrl: string;
  /** A line in the run's output. */
  note(message: string): void;
}
