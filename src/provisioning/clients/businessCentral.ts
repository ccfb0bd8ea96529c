import { AppError } from '../../errors';
import { type HttpPolicy } from '../http/policy';
import { guid, sameBaseLink, segment } from './odata';
import { HttpResponse } from '../http/types';
import { toServiceError } from '../http/errors';

/**
 * Business Central API v2.0 for one environment of one tenant: companies and salespeople.
 * Collections are paged by `@odata.nextLink`; every link is followed (within this API only).
 */

export interface Company {
  id: string;
  name: string;
  displayName: string | null;
  businessProfileId: string | null;
  systemVersion: string | null;
}

export interface Salesperson {
  id: string;
  code: string;
  displayName: string;
  email: string;
  email2: string;
  phoneNo: string;
  jobTitle: string;
  blocked: boolean;
  privacyBlocked: boolean;
  lastModifiedDateTime: string | null;
}

interface Page<T> {
  value?: T[];
  '@odata.nextLink'?: string;
}

export interface BusinessCentralClientOptions {
  /** API root including the version, e.g. https://api.businesscentral.dynamics.com/v2.0 */
  endpoint: string;
  tenantId: string;
  environment: string;
  policy: HttpPolicy;
}

/** Collects an async iterable into an array. */
export async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export class BusinessCentralClient {
  readonly environment: string;
  private readonly apiRoot: string;
  private readonly policy: HttpPolicy;

  constructor(options: BusinessCentralClientOptions) {
    if (!/^[A-Za-z0-9_-]{1,30}$/.test(options.environment)) {
      throw new AppError('invalid_input', `"${options.environment.slice(0, 40)}" is not a Business Central environment name.`);
    }
    this.environment = options.environment;
    this.apiRoot = `${options.endpoint.replace(/\/+$/, '')}/${guid(options.tenantId, 'tenant id')}/${segment(options.environment)}/api/v2.0`;
    this.policy = options.policy;
  }

  async listCompanies(): Promise<Company[]> {
    const companies: Company[] = [];
    for await (const raw of this.pages<{ id: string; name?: string; displayName?: string; businessProfileId?: string; systemVersion?: string }>(
      `${this.apiRoot}/companies`,
      'list the Business Central companies',
      (response) =>
        response.status === 404
          ? toServiceError(response, 'list the Business Central companies', {
              code: 'environment_not_found',
              message: `The Business Central environment "${this.environment}" was not found. Check its name in the Business Central admin center.`,
            })
          : undefined,
    )) {
      companies.push({
        id: raw.id.toLowerCase(),
        name: raw.name ?? '',
        displayName: raw.displayName ?? null,
        businessProfileId: raw.businessProfileId || null,
        systemVersion: raw.systemVersion ?? null,
      });
    }
    return companies;
  }

  /** Every salesperson/purchaser of the company, page by page. */
  async *listSalespeople(companyId: string): AsyncGenerator<Salesperson> {
    const id = guid(companyId, 'company id');
    const what = 'list the salespeople';
    for await (const raw of this.pages<Partial<Salesperson> & { id: string }>(`${this.apiRoot}/companies(${id})/salespeoplePurchasers`, what, (response) =>
      response.status === 404
        ? toServiceError(response, what, {
            code: 'not_found',
            message: `Business Central did not find the company ${id}, or this Business Central version has no salespeoplePurchasers API.`,
          })
        : undefined,
    )) {
      yield {
        id: raw.id.toLowerCase(),
        code: raw.code ?? '',
        displayName: raw.displayName ?? '',
        email: raw.email ?? '',
        email2: raw.email2 ?? '',
        phoneNo: raw.phoneNo ?? '',
        jobTitle: raw.jobTitle ?? '',
        blocked: raw.blocked ?? false,
        privacyBlocked: raw.privacyBlocked ?? false,
        lastModifiedDateTime: raw.lastModifiedDateTime ?? null,
      };
    }
  }

  async allSalespeople(companyId: string): Promise<Salesperson[]> {
    return all(this.listSalespeople(companyId));
  }

  /**
   * The company's local currency: `companyInformation.currencyCode` (APIV2 page 30011, General Ledger
   * Setup "LCY Code", read-only). Null when it is empty.
   */
  async localCurrency(companyId: string): Promise<string | null> {
    const id = guid(companyId, 'company id');
    const what = 'read the company information';
    const response = await this.policy.send({ method: 'GET', url: `${this.apiRoot}/companies(${id})/companyInformation` });
    if (response.status < 200 || response.status >= 300) throw toServiceError(response, what);
    const body = response.json<{ value?: { currencyCode?: string }[]; currencyCode?: string }>();
    const code = (body?.value?.[0]?.currencyCode ?? body?.currencyCode ?? '').trim();
    return code || null;
  }

  private async *pages<T>(first: string, what: string, specific: (response: HttpResponse) => AppError | undefined): AsyncGenerator<T> {
    let url: string | undefined = first;
    while (url) {
      const response = await this.policy.send({ method: 'GET', url });
      if (response.status < 200 || response.status >= 300) throw specific(response) ?? toServiceError(response, what);
      const page = response.json<Page<T>>();
      for (const item of page?.value ?? []) yield item;
      const link = page?.['@odata.nextLink'];
      url = link ? sameBaseLink(link, this.apiRoot).url : undefined;
    }
  }
}
