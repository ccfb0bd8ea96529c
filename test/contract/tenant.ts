/**
 * Contract-test fixture: one sandbox tenant per test file, reached over real HTTP by the real
 * clients, and a small driver for the sandbox's control API (/_sandbox/...).
 */
import type { Config } from '../../src/config';
import { createTokenProvider } from '../../src/provisioning/http/auth';
import { createClients, type Clients, type PolicyOverrides } from '../../src/provisioning/clients';
import { startSandbox, SEED } from '../../src/sandbox';
import { sandboxRecording } from '../conformance/recording';

export { SEED };

export interface FaultRule {
  kind: '429' | '503' | 'reset' | 'lost';
  service?: 'graph' | 'dataverse' | 'bap' | 'bc';
  method?: string;
  pathContains?: string;
  count?: number;
  retryAfterSeconds?: number;
}

export class Control {
  constructor(private readonly url: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/_sandbox/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox control ${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  reset(body: { seed?: Record<string, unknown>; settings?: Record<string, unknown> } = {}) {
    return this.call('POST', 'reset', body);
  }
  settings(patch: Record<string, unknown>) {
    return this.call('PATCH', 'settings', patch);
  }
  fault(rule: FaultRule) {
    return this.call('POST', 'faults', rule);
  }
  clearFaults() {
    return this.call('DELETE', 'faults');
  }
  state<T = SandboxStateView>() {
    return this.call<T>('GET', 'state');
  }
  stats() {
    return this.call<{ throttled: Record<string, number>; faults: Record<string, number> }>('GET', 'stats');
  }
  /** The app registration: Graph and BC application permissions, registrations, the Dataverse application user. */
  app(patch: Record<string, unknown>) {
    return this.call('PATCH', 'app', patch);
  }
  patchSystemUser(id: string, fields: Record<string, unknown>) {
    return this.call('PATCH', `dataverse/systemusers/${id}`, fields);
  }
}

/** The parts of the sandbox state the tests read. */
export interface SandboxStateView {
  graph: { users: { id: string; userPrincipalName: string }[] };
  dataverse: { systemUsers: { systemuserid: string; domainname: string; accessmode: number }[]; userRoles: { ownerid: string; roleid: string }[] };
}

/** Settings every test starts from: no sync or propagation delay unless a test sets one. */
export const FAST = { syncDelayMs: 0, licensePropagationMs: 0 };

export function sandboxConfig(url: string): Config {
  return {
    mode: 'sandbox',
    access: { adminIds: [], approverIds: [], approvalMode: 'first', twoPersonRule: false, expiryMs: 86_400_000 },
    port: 0,
    logLevel: 'silent',
    stateDir: '.state-contract',
    tenantId: SEED.tenantId,
    endpoints: { graph: `${url}/graph/v1.0`, dataverse: `${url}/dataverse`, bap: `${url}/bap`, bc: `${url}/bc/v2.0` },
    defaults: { dataverseUrl: `${url}/dataverse`, bapEnvironmentId: SEED.environment.bapId, bcEnvironment: SEED.businessCentral.environment },
    bot: { appId: '', appType: 'MultiTenant', appTenantId: '' },
    // The sandbox's app registration: real client-credentials tokens from the sandbox's token endpoint.
    credential: { kind: 'sandbox', authorityHost: url, tenantId: SEED.tenantId, clientId: SEED.app.clientId, clientSecret: SEED.app.clientSecret },
  };
}

export interface Tenant {
  url: string;
  config: Config;
  control: Control;
  /** Fresh clients (fresh policy statistics) over the same sandbox; `policy` over the test defaults. */
  clients(policy?: PolicyOverrides): Clients;
  close(): Promise<void>;
}

export async function openTenant(): Promise<Tenant> {
  const sandbox = await startSandbox({ port: 0, stateFile: null, settings: FAST, record: sandboxRecording() });
  const config = sandboxConfig(sandbox.url);
  return {
    url: sandbox.url,
    config,
    control: new Control(sandbox.url),
    clients: (policy = {}) =>
      createClients({
        config,
        tokens: createTokenProvider(config.credential),
        // Short backoff for network faults and Retry-After-less errors; Retry-After stays real.
        policy: { timeoutMs: 10_000, ...policy, retry: { baseDelayMs: 5, maxDelayMs: 40, ...policy.retry } },
      }),
    close: () => sandbox.close(),
  };
}

/** The AppError a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string; status?: number; serviceCode?: string; cause?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected the call to fail');
}

let counter = 0;
/** A UPN no test has used yet. */
export function freshUpn(prefix = 'kontrakt'): string {
  counter += 1;
  return `${prefix}.${Date.now().toString(36)}${counter}@${SEED.domains.verified}`;
}
