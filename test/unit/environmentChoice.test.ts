import { companyValue, linkedPairs, parseCompanyValue, propose, resolveChoice, type EnvironmentLists } from '../../src/setup/environmentChoice';

const PROD_PP = 'c4a2e8f0-1b3d-4e5f-9a7b-2c6d8e0f1a3b';
const US_PP = '9d3b5f7a-1c2e-4a6b-8d0f-3e5a7c9b1d2f';
const DEFAULT_PP = 'Default-7a1c5f3e-0b6d-4c2a-9e51-3d8f2b6a4c10';
const CRONUS = 'd8976880-678b-457c-adad-7b5b624c6c0f';
const CRONUS_TEST = '2b6f4a1c-8d3e-4f5a-9c7b-1e0d2a4b6c8f';

function lists(linkProductionTo: string | null = PROD_PP, linkSandboxTo: string | null = null): EnvironmentLists {
  return {
    businessCentral: [
      { name: 'Sandbox', type: 'Sandbox', countryCode: 'NO', linkedPowerPlatformEnvironmentId: linkSandboxTo, companies: [{ id: CRONUS_TEST, name: 'CRONUS Norge AS (test)' }] },
      { name: 'Production', type: 'Production', countryCode: 'NO', linkedPowerPlatformEnvironmentId: linkProductionTo, companies: [{ id: CRONUS.toUpperCase(), name: 'CRONUS Norge AS' }] },
    ],
    powerPlatform: [
      { id: US_PP, displayName: 'Contoso Sales US', location: 'unitedstates', region: 'eastus', sku: 'Production', instanceUrl: 'https://contososalesus.crm.dynamics.com/' },
      { id: PROD_PP, displayName: 'Contoso Sales (Production)', location: 'europe', region: 'norwayeast', sku: 'Production', instanceUrl: 'https://contososales.crm4.dynamics.com/' },
      { id: DEFAULT_PP, displayName: 'Contoso Norge (default)', location: 'europe', region: 'northeurope', sku: 'Default', instanceUrl: null },
    ],
  };
}

describe('choosing environments from the lists', () => {
  it('proposes the pair Business Central links, whatever order the lists come in', () => {
    expect(propose(lists())).toEqual({ bcEnvironment: 'Production', bcCompanyId: CRONUS, bapEnvironmentId: PROD_PP, reason: 'linked' });
  });

  it('prefers the production environment when several are linked', () => {
    expect(linkedPairs(lists(PROD_PP, US_PP)).map((p) => p.bc.name)).toEqual(['Production', 'Sandbox']);
  });

  it('never proposes a link to an environment without Dataverse', () => {
    expect(linkedPairs(lists(DEFAULT_PP))).toEqual([]);
    expect(propose(lists(DEFAULT_PP))?.reason).toBe('first');
  });

  it('keeps what the conversation chose before, and says a configured pair that is the linked one is linked', () => {
    const current = { bcEnvironment: 'sandbox', bcCompanyId: CRONUS_TEST, bapEnvironmentId: US_PP };
    expect(propose(lists(), { current })).toEqual({ bcEnvironment: 'Sandbox', bcCompanyId: CRONUS_TEST, bapEnvironmentId: US_PP, reason: 'current' });
    expect(propose(lists(), { configured: { bcEnvironment: 'Production', bapEnvironmentId: PROD_PP } })?.reason).toBe('linked');
    expect(propose(lists(), { configured: { bcEnvironment: 'Sandbox', bapEnvironmentId: US_PP } })?.reason).toBe('configured');
    // A configured environment the tenant no longer has is passed over.
    expect(propose(lists(), { configured: { bcEnvironment: 'Gone', bapEnvironmentId: US_PP } })?.reason).toBe('linked');
  });

  it('proposes nothing without a Business Central company or a Sales-capable environment', () => {
    expect(propose({ businessCentral: [], powerPlatform: lists().powerPlatform })).toBeUndefined();
    expect(propose({ businessCentral: lists().businessCentral, powerPlatform: [lists().powerPlatform[2]] })).toBeUndefined();
  });

  it('reads a pick only as it stands in the lists now', () => {
    expect(resolveChoice(lists(), { bcCompany: companyValue('Production', CRONUS), bapEnvironmentId: PROD_PP.toUpperCase() })).toEqual({
      ok: true,
      chosen: { bcEnvironment: 'Production', bcCompanyId: CRONUS, bcCompanyName: 'CRONUS Norge AS', bapEnvironmentId: PROD_PP, dataverseUrl: 'https://contososales.crm4.dynamics.com/' },
    });
    expect(resolveChoice(lists(), { bcCompany: companyValue('Production', CRONUS_TEST), bapEnvironmentId: PROD_PP })).toEqual({ ok: false, problem: 'company' });
    expect(resolveChoice(lists(), { bcCompany: 'Production', bapEnvironmentId: PROD_PP })).toEqual({ ok: false, problem: 'company' });
    expect(resolveChoice(lists(), { bcCompany: companyValue('Sandbox', CRONUS_TEST), bapEnvironmentId: '00000000-0000-0000-0000-000000000000' })).toEqual({ ok: false, problem: 'powerPlatform' });
    expect(resolveChoice(lists(), { bcCompany: companyValue('Sandbox', CRONUS_TEST), bapEnvironmentId: DEFAULT_PP })).toEqual({ ok: false, problem: 'noDataverse' });
  });

  it('parses a company value strictly', () => {
    expect(parseCompanyValue(`Production/${CRONUS.toUpperCase()}`)).toEqual({ bcEnvironment: 'Production', bcCompanyId: CRONUS });
    for (const bad of ['', 'Production', `Pro duction/${CRONUS}`, `Production/${CRONUS}/x`, `${'a'.repeat(31)}/${CRONUS}`, `Production/not-a-guid`]) {
      expect(parseCompanyValue(bad)).toBeUndefined();
    }
  });
});
