import type { SkuInfo } from '../../setup/adminPlanner';
import type { Clients } from '../clients';

/** The tenant's subscribed SKUs: which carry Sales, and how many seats are free. */
export async function skuInfo(clients: Clients): Promise<SkuInfo[]> {
  const skus = await clients.directory.listSubscribedSkus();
  return skus.map((s) => ({ skuId: s.skuId, skuPartNumber: s.skuPartNumber, salesCapable: s.salesCapable, freeSeats: s.freeSeats }));
}
