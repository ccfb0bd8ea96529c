import type { EnvironmentLists } from '../../setup/environmentChoice';
import { BC_ENVIRONMENT_PATTERN } from '../../setup/validation';
import type { Clients } from '../clients';

/**
 * The tenant's environment lists for choosing the environments: Business Central's environments
 * (admin center API) with their companies (BC API), and the Power Platform environments (admin
 * API). Only active Business Central environments are offered (others have no companies to read).
 * Any list that cannot be read makes the whole read fail with every reason, so the card can say
 * which permission is missing.
 */
export type EnvironmentListsRead = { ok: true; lists: EnvironmentLists } | { ok: false; errors: unknown[] };

export async function readEnvironmentLists(clients: Clients): Promise<EnvironmentListsRead> {
  const [bc, powerPlatform] = await Promise.allSettled([clients.businessCentralAdmin.listEnvironments(), clients.powerPlatform.listEnvironments()]);
  const errors: unknown[] = [];
  if (bc.status === 'rejected') errors.push(bc.reason);
  if (powerPlatform.status === 'rejected') errors.push(powerPlatform.reason);
  if (bc.status === 'rejected' || powerPlatform.status === 'rejected') return { ok: false, errors };
  // Names are at most 30 letters, digits, - and _ (Learn, admin center API: environmentNameNotValid); another is not one the BC API can address.
  const active = bc.value.filter((e) => (!e.status || e.status === 'Active') && new RegExp(BC_ENVIRONMENT_PATTERN).test(e.name));
  const companies = await Promise.allSettled(active.map((e) => clients.businessCentral(e.name).listCompanies()));
  const failed = companies.find((c): c is PromiseRejectedResult => c.status === 'rejected');
  if (failed) return { ok: false, errors: [failed.reason] };
  return {
    ok: true,
    lists: {
      businessCentral: active.map((e, i) => ({
        name: e.name,
        type: e.type,
        countryCode: e.countryCode,
        linkedPowerPlatformEnvironmentId: e.linkedPowerPlatformEnvironmentId,
        companies: (companies[i] as PromiseFulfilledResult<{ id: string; name: string; displayName: string | null }[]>).value.map((c) => ({ id: c.id, name: c.displayName ?? c.name })),
      })),
      powerPlatform: powerPlatform.value.map((p) => ({
        id: p.name,
        displayName: p.displayName ?? p.name,
        location: p.location,
        region: p.region,
        sku: p.sku,
        instanceUrl: p.instanceUrl,
      })),
    },
  };
}
