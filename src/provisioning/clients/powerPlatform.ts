import { AppError } from '../../errors';
import { type HttpPolicy } from '../http/policy';
import { guid, query, sameBaseLink, segment } from './odata';
import { HttpResponse } from '../http/types';
import { readServiceError, toServiceError } from '../http/errors';

/**
 * The Power Platform admin API (BAP): add an Entra user to an environment's Dataverse now, instead
 * of waiting for background sync, and read an environment. `addUser` fails with
 * `user_not_licensed` until the user's licence has propagated; the caller decides when to try
 * again (the client never waits in a loop).
 */

export const BAP_API_VERSION = '2023-06-01';

export interface PowerPlatformEnvironment {
  id: string;
  name: string;
  displayName: string | null;
  location: string | null;
  sku: string | null;
  /** The Azure region (`properties.azureRegion`, e.g. norwayeast); `location` is the geography (europe). */
  region: string | null;
  /** Dataverse environment URL, e.g. https://contoso.crm4.dynamics.com/ (null without Dataverse). */
  instanceUrl: string | null;
  domainName: string | null;
  /** The Entra group whose members alone are admitted to the environment (null: none). */
  securityGroupId: string | null;
  state: string | null;
  /** `properties.states.runtime.id`: Enabled, or AdminMode while the environment is in administration mode. */
  runtimeState: string | null;
}

interface WireEnvironment {
  id?: string;
  name?: string;
  location?: string;
  properties?: {
    displayName?: string;
    environmentSku?: string;
    azureRegion?: string;
    provisioningState?: string;
    states?: { management?: { id?: string }; runtime?: { id?: string } };
    linkedEnvironmentMetadata?: { instanceUrl?: string; domainName?: string; securityGroupId?: string } | null;
  };
}

function toEnvironment(raw: WireEnvironment, fallbackName: string): PowerPlatformEnvironment {
  const linked = raw.properties?.linkedEnvironmentMetadata ?? undefined;
  return {
    id: raw.id ?? '',
    name: raw.name ?? fallbackName,
    displayName: raw.properties?.displayName ?? null,
    location: raw.location ?? null,
    region: raw.properties?.azureRegion ?? null,
    sku: raw.properties?.environmentSku ?? null,
    instanceUrl: linked?.instanceUrl || null,
    domainName: linked?.domainName ?? null,
    securityGroupId: linked?.securityGroupId?.toLowerCase() || null,
    state: raw.properties?.states?.management?.id ?? raw.properties?.provisioningState ?? null,
    runtimeState: raw.properties?.states?.runtime?.id ?? null,
  };
}

/** BAP environment ids are GUIDs, except the default environment (`Default-<tenant id>`). */
function environmentId(value: string): string {
  if (!/^(Default-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    throw new AppError('invalid_input', `"${value.slice(0, 60)}" is not a Power Platform environment id (a GUID, or Default-<tenant id>).`);
  }
  return value;
}

export interface PowerPlatformClientOptions {
  /** BAP host, e.g. https://api.bap.microsoft.com */
  endpoint: string;
  policy: HttpPolicy;
}

export class PowerPlatformClient {
  private readonly endpoint: string;
  private readonly policy: HttpPolicy;

  constructor(options: PowerPlatformClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.policy = options.policy;
  }

  /**
   * Adds the Entra user to the environment's Dataverse (creates or refreshes the systemuser).
   * Errors: user_not_licensed (licence not propagated yet — try again later), environment_not_found.
   */
  async addUser(environment: string, objectId: string): Promise<void> {
    const env = environmentId(environment);
    const oid = guid(objectId, 'Entra object id');
    const response = await this.policy.send({
      method: 'POST',
      url: `${this.environmentUrl(env)}/addUser${query({ 'api-version': BAP_API_VERSION })}`,
      json: { objectId: oid },
    });
    if (response.status >= 200 && response.status < 300) return;
    throw this.error(response, `add the user ${oid} to the environment ${env}`, env);
  }

  /** The environment, or null when the admin API does not know it. */
  async getEnvironment(environment: string): Promise<PowerPlatformEnvironment | null> {
    const env = environmentId(environment);
    const response = await this.policy.send({
      method: 'GET',
      url: `${this.environmentUrl(env)}${query({ 'api-version': BAP_API_VERSION })}`,
    });
    if (response.status === 404) return null;
    if (response.status < 200 || response.status >= 300) throw this.error(response, `read the environment ${env}`, env);
    return toEnvironment(response.json<WireEnvironment>(), env);
  }

  /**
   * Every environment of the tenant (the admin scope), with its Dataverse URL where it has one.
   * The terraform provider reads `value` of one answer; a `nextLink`, should one come, is followed
   * on the same host (BAP's paging is not documented).
   */
  async listEnvironments(): Promise<PowerPlatformEnvironment[]> {
    const root = `${this.endpoint}/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments`;
    const out: PowerPlatformEnvironment[] = [];
    let url: string | undefined = `${root}${query({ 'api-version': BAP_API_VERSION })}`;
    for (let page = 0; url && page < 100; page++) {
      const response = await this.policy.send({ method: 'GET', url });
      if (response.status < 200 || response.status >= 300) throw toServiceError(response, 'list the Power Platform environments');
      const body = response.json<{ value?: WireEnvironment[]; nextLink?: string }>();
      for (const raw of body?.value ?? []) if (raw.name) out.push(toEnvironment(raw, raw.name));
      url = body?.nextLink ? sameBaseLink(body.nextLink, root).url : undefined;
    }
    return out;
  }

  private environmentUrl(env: string): string {
    return `${this.endpoint}/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/${segment(env)}`;
  }

  private error(response: HttpResponse, what: string, env: string): AppError {
    const { code, message } = readServiceError(response);
    const serviceCode = (code ?? '').toLowerCase();
    if (serviceCode === 'usernotlicensed' || /usernotlicensed/i.test(message ?? '')) {
      return toServiceError(response, what, {
        code: 'user_not_licensed',
        key: 'errNotLicensedYet',
      });
    }
    if (serviceCode === 'userdisabled') {
      return toServiceError(response, what, {
        code: 'user_disabled',
        key: 'errSignInBlocked',
      });
    }
    if (/securitygroup/.test(serviceCode) || /security group/i.test(message ?? '')) {
      return toServiceError(response, what, {
        code: 'not_in_security_group',
        key: 'errNotInSecurityGroup',
      });
    }
    if (serviceCode === 'usernotfound') {
      return toServiceError(response, what, {
        code: 'not_found',
        key: 'errEntraUserNotFound',
      });
    }
    if (serviceCode === 'environmentnotfound' || response.status === 404) {
      return toServiceError(response, what, {
        code: 'environment_not_found',
        key: 'errBapEnvironmentNotFound',
        vars: { environment: env },
      });
    }
    return toServiceError(response, what);
  }
}
