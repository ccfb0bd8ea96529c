/**
 * Licences by the product names admins see in the Microsoft 365 admin center, not by part numbers.
 *
 * Source: Microsoft Learn, "Product names and service plan identifiers for licensing"
 * (entra/identity/users/licensing-service-plan-reference; MicrosoftDocs/entra-docs
 * docs/identity/users/licensing-service-plan-reference.md, "last updated on October 29, 2025"):
 * the columns "Product name", "String ID" (Graph subscribedSku.skuPartNumber) and "GUID"
 * (subscribedSku.skuId). Only the SKUs this product deals with are listed; any other SKU is shown
 * by its part number.
 */

interface KnownSku {
  skuId: string;
  skuPartNumber: string;
  productName: string;
}

export const KNOWN_SKUS: readonly KnownSku[] = [
  { skuId: 'ea126fc5-a19e-42e2-a731-da9d437bffcf', skuPartNumber: 'DYN365_ENTERPRISE_PLAN1', productName: 'Dynamics 365 Plan 1 Enterprise Edition' },
  { skuId: '1e1a282c-9c54-43a2-9310-98ef728faace', skuPartNumber: 'DYN365_ENTERPRISE_SALES', productName: 'Dynamics 365 for Sales Enterprise Edition' },
  {
    skuId: '8edc2cf8-6438-4fa9-b6e3-aa1660c640cc',
    skuPartNumber: 'DYN365_ENTERPRISE_SALES_CUSTOMERSERVICE',
    productName: 'Dynamics 365 for Sales and Customer Service Enterprise Edition',
  },
  { skuId: '2edaa1dc-966d-4475-93d6-8ee8dfd96877', skuPartNumber: 'DYN365_SALES_PREMIUM', productName: 'Dynamics 365 Sales Premium' },
  { skuId: 'be9f9771-1c64-4618-9907-244325141096', skuPartNumber: 'D365_SALES_PRO', productName: 'Dynamics 365 for Sales Professional' },
  { skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900', skuPartNumber: 'ENTERPRISEPACK', productName: 'Office 365 E3' },
  // Group-based licensing needs one of these (same Learn page, rows "Microsoft Entra ID P1" / "P2").
  { skuId: '078d2b04-f1bd-4111-bbd4-b4b1b354cef4', skuPartNumber: 'AAD_PREMIUM', productName: 'Microsoft Entra ID P1' },
  { skuId: '84a661c4-e949-4bd2-a560-ed7766fcaf2b', skuPartNumber: 'AAD_PREMIUM_P2', productName: 'Microsoft Entra ID P2' },
];

const byPartNumber = new Map(KNOWN_SKUS.map((s) => [s.skuPartNumber.toUpperCase(), s]));
const byId = new Map(KNOWN_SKUS.map((s) => [s.skuId, s]));

/**
 * The product name of a licence, found by its skuId or, failing that, its part number; an unknown
 * SKU is shown by its part number (or, without one, its skuId).
 */
export function skuDisplayName(sku: { skuId?: string | null; skuPartNumber?: string | null }): string {
  const known = (sku.skuId && byId.get(sku.skuId.toLowerCase())) || (sku.skuPartNumber && byPartNumber.get(sku.skuPartNumber.toUpperCase()));
  if (known) return known.productName;
  return sku.skuPartNumber || sku.skuId || '';
}
