import { AppError } from '../../errors';
import { type HttpPolicy } from '../http/policy';
import { guid, query, segment } from './odata';
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
  /** Dataverse environment URL, e.g. https://contoso.crm4.dynamics.com/ (null without Dataverse). */
  instanceUrl: string | null;
  domainName: string | null;
  /** The Entra group whose members alone are admitted to the environment (null: none). */
  securityGroupId: string | null;
  state: string | null;
}

interface WireEnvironment {
  id?: string;
  name?: string;
  location?: string;
  properties?: {
    displayName?: string;
    environmentSku?: string;
    provisioningState?: string;
    states?: { management?: { id?: string } };
    linkedEnvironmentMetadata?: { instanceUrl?: string; domainName?: string; securityGroupId?: string };
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
    const raw = response.json<WireEnvironment>();
    return {
      id: raw.id ?? '',
      name: raw.name ?? env,
      displayName: raw.properties?.displayName ?? null,
      location: raw.location ?? null,
      sku: raw.properties?.environmentSku ?? null,
      instanceUrl: raw.properties?.linkedEnvironmentMetadata?.instanceUrl ?? null,
      domainName: raw.properties?.linkedEnvironmentMetadata?.domainName ?? null,
      securityGroupId: raw.properties?.linkedEnvironmentMetadata?.securityGroupId?.toLowerCase() || null,
      state: raw.properties?.states?.management?.id ?? raw.properties?.provisioningState ?? null,
    };
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
