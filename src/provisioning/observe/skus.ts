import type { SkuInfo } from '../../setup/adminPlanner';
import { ENTRA_PREMIUM_PLANS } from '../../setup/groupLicensing';
import type { Clients } from '../clients';

/** The tenant's subscribed SKUs: which carry Sales, and how many seats are free. */
export async function skuInfo(clients: Clients): Promise<SkuInfo[]> {
  const skus = await clients.directory.listSubscribedSkus();
  return skus.map((s) => {
    // Entra ID P1/P2 counts only while the subscription is usable (capabilityStatus Enabled or Warning).
    const premium = s.prepaidUnits.enabled > 0 && s.capabilityStatus !== 'Suspended' && s.capabilityStatus !== 'LockedOut' && s.servicePlans.some((p) => ENTRA_PREMIUM_PLANS.includes(p.servicePlanName.toUpperCase()));
    return { skuId: s.skuId, skuPartNumber: s.skuPartNumber, salesCapable: s.salesCapable, freeSeats: s.freeSeats, ...(premium ? { entraPremium: true } : {}) };
  });
}
