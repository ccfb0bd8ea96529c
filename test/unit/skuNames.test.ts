import { skuDisplayName } from '../../src/setup/skuNames';

describe('licences by product name', () => {
  it('names the SKUs the product deals with as the admin center does', () => {
    expect(skuDisplayName({ skuId: '1e1a282c-9c54-43a2-9310-98ef728faace', skuPartNumber: 'DYN365_ENTERPRISE_SALES' })).toBe('Dynamics 365 for Sales Enterprise Edition');
    expect(skuDisplayName({ skuPartNumber: 'DYN365_ENTERPRISE_PLAN1' })).toBe('Dynamics 365 Plan 1 Enterprise Edition');
    expect(skuDisplayName({ skuId: '8EDC2CF8-6438-4FA9-B6E3-AA1660C640CC' })).toBe('Dynamics 365 for Sales and Customer Service Enterprise Edition');
    expect(skuDisplayName({ skuPartNumber: 'enterprisepack' })).toBe('Office 365 E3');
  });

  it('falls back to the part number, then the id, for a SKU it does not know', () => {
    expect(skuDisplayName({ skuId: '00000000-0000-0000-0000-000000000001', skuPartNumber: 'CONTOSO_SPECIAL' })).toBe('CONTOSO_SPECIAL');
    expect(skuDisplayName({ skuId: '00000000-0000-0000-0000-000000000001', skuPartNumber: null })).toBe('00000000-0000-0000-0000-000000000001');
  });
});
