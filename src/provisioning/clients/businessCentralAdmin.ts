import { toServiceError } from '../http/errors';
import { type HttpPolicy } from '../http/policy';

/**
 * The Business Central administration center API: the tenant's environments, each with the Power
 * Platform environment it is linked to. Learn "Business Central Admin Center API - Environments"
 * (`GET /admin/v2.x/applications/{applicationFamily}/environments`, unpaged, `{ value: [...] }`);
 * `linkedPowerPlatformEnvironmentId` is read as public admin center clients read it (not on the
 * Learn page version read; docs/fidelity.md). It needs AdminCenter.ReadWrite.All and the app
 * authorised in the admin center; the bot only reads.
 */

export const ADMIN_CENTER_API_VERSION = 'v2.24';

export interface BcEnvironmentInfo {
  name: string;
  /** "Production" or "Sandbox". */
  type: string;
  countryCode: string | null;
  /** "Active", "NotReady", "Removing", "Preparing". */
  status: string | null;
  linkedPowerPlatformEnvironmentId: string | null;
}

interface WireEnvironment {
  name?: string;
  type?: string;
  countryCode?: string;
  status?: string;
  applicationFamily?: string;
  linkedPowerPlatformEnvironmentId?: string | null;
}

export interface BusinessCentralAdminClientOptions {
  /** The admin center API root, e.g. https://api.businesscentral.dynamics.com/admin/v2.24 */
  endpoint: string;
  policy: HttpPolicy;
}

export class BusinessCentralAdminClient {
  private readonly endpoint: string;
  private readonly policy: HttpPolicy;

  constructor(options: BusinessCentralAdminClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.policy = options.policy;
  }

  /** The tenant's Business Central environments (application family BusinessCentral). */
  async listEnvironments(): Promise<BcEnvironmentInfo[]> {
    const what = 'list the Business Central environments';
    const response = await this.policy.send({ method: 'GET', url: `${this.endpoint}/applications/BusinessCentral/environments` });
    if (response.status < 200 || response.status >= 300) throw toServiceError(response, what);
    const body = response.json<{ value?: WireEnvironment[] }>();
    return (body?.value ?? [])
      .filter((e): e is WireEnvironment & { name: string } => typeof e.name === 'string' && e.name.length > 0)
      .map((e) => ({
        name: e.name,
        type: e.type ?? 'Production',
        countryCode: e.countryCode ?? null,
        status: e.status ?? null,
        linkedPowerPlatformEnvironmentId: e.linkedPowerPlatformEnvironmentId?.trim() || null,
      }));
  }
}
