import { AppError } from '../../errors';
import { type HttpPolicy } from '../http/policy';
import { guid, sameBaseLink, segment } from './odata';
import { HttpResponse } from '../http/types';
import { SpecificError, toServiceError } from '../http/errors';

/**
 * The coupling endpoint: no standard Business Central API couples a salesperson to a Sales user
 * (BC keeps couplings in table 5331 "CRM Integration Record"), so a tenant that wants the bot to
 * couple publishes a small API for it, typically a custom API page in a Business Central
 * extension. Its contract (see the README):
 *
 *   GET  {root}/companies({companyId})/crmCouplings
 *        → 200 { value: [{ id, salespersonId, salespersonCode, systemUserId, coupledAt }], @odata.nextLink? }
 *   POST {root}/companies({companyId})/crmCouplings   { salespersonId, systemUserId }
 *        → 201 the coupling · 409 when the salesperson or the Sales user is coupled already ·
 *          400 when the Sales user cannot be coupled (disabled, unlicensed, an integration user) ·
 *          404 when the company or the salesperson does not exist
 *
 * Requests carry a Business Central token and go through the Business Central HTTP policy.
 */

export interface Coupling {
  id: string;
  salespersonId: string;
  salespersonCode: string;
  systemUserId: string;
  coupledAt: string | null;
}

interface WireCoupling {
  id?: string;
  salespersonId?: string;
  salespersonCode?: string;
  systemUserId?: string;
  coupledAt?: string | null;
}

/** The endpoint for one tenant and Business Central environment: `{tenantId}` and `{environment}` filled in. */
export function couplingRoot(template: string, tenantId: string, environment: string): string {
  return template.replace(/\{tenantId\}/g, segment(tenantId)).replace(/\{environment\}/g, segment(environment)).replace(/\/+$/, '');
}

const toCoupling = (raw: WireCoupling): Coupling => ({
  id: (raw.id ?? '').toLowerCase(),
  salespersonId: (raw.salespersonId ?? '').toLowerCase(),
  salespersonCode: raw.salespersonCode ?? '',
  systemUserId: (raw.systemUserId ?? '').toLowerCase(),
  coupledAt: raw.coupledAt ?? null,
});

export class CouplingClient {
  private readonly root: string;

  constructor(
    root: string,
    private readonly policy: HttpPolicy,
  ) {
    this.root = root.replace(/\/+$/, '');
  }

  private collection(companyId: string): string {
    return `${this.root}/companies(${guid(companyId, 'company id')})/crmCouplings`;
  }

  /** Every coupling of the company, all pages. */
  async list(companyId: string): Promise<Coupling[]> {
    const out: Coupling[] = [];
    let url: string | undefined = this.collection(companyId);
    while (url) {
      const response = await this.policy.send({ method: 'GET', url });
      if (response.status !== 200) throw this.error(response, 'read the couplings in Business Central');
      const page = response.json<{ value?: WireCoupling[]; '@odata.nextLink'?: string }>();
      out.push(...(page?.value ?? []).map(toCoupling));
      const link = page?.['@odata.nextLink'];
      url = link ? sameBaseLink(link, this.root).url : undefined;
    }
    return out;
  }

  /**
   * Couples the salesperson to the Sales user. `already` when exactly this coupling existed (made
   * before, or its answer was lost); a conflict error when either side is coupled to someone else.
   */
  async couple(companyId: string, salespersonId: string, systemUserId: string): Promise<{ already: boolean }> {
    const body = { salespersonId: guid(salespersonId, 'salesperson id'), systemUserId: guid(systemUserId, 'Sales user id') };
    const response = await this.policy.send({ method: 'POST', url: this.collection(companyId), json: body });
    if (response.status === 201 || response.status === 200) return { already: false };
    if (response.status === 409) {
      const existing = (await this.list(companyId)).find((c) => c.salespersonId === body.salespersonId.toLowerCase());
      if (existing?.systemUserId === body.systemUserId.toLowerCase()) return { already: true };
      throw this.error(response, 'couple the salesperson', {
        code: 'conflict',
        ...(existing ? { key: 'errSalespersonCoupled' as const, vars: { code: existing.salespersonCode || salespersonId } } : { key: 'errSalesUserCoupledOther' as const }),
      });
    }
    throw this.error(response, 'couple the salesperson');
  }

  private error(response: HttpResponse, what: string, specific?: SpecificError): AppError {
    if (specific) return toServiceError(response, what, specific);
    if (response.status === 404) {
      return toServiceError(response, what, {
        code: 'not_found',
        key: 'errCouplingNotFound',
      });
    }
    return toServiceError(response, what);
  }
}
