import type { Config } from '../../src/config';
import { checkOrgUrl, createClients } from '../../src/provisioning/clients';

const tenantConfig: Config = {
  mode: 'tenant',
  access: { adminIds: [], approverIds: [], approvalMode: 'first', twoPersonRule: false, expiryMs: 86_400_000 },
  port: 3978,
  logLevel: 'silent',
  stateDir: '.state',
  tenantId: '7a1c5f3e-0b6d-4c2a-9e51-3d8f2b6a4c10',
  endpoints: {
    graph: 'https://graph.microsoft.com/v1.0',
    dataverse: 'https://contoso.crm4.dynamics.com',
    bap: 'https://api.bap.microsoft.com',
    bc: 'https://api.businesscentral.dynamics.com/v2.0',
  },
  defaults: { dataverseUrl: 'https://contoso.crm4.dynamics.com', bapEnvironmentId: 'c4a2e8f0-1b3d-4e5f-9a7b-2c6d8e0f1a3b', bcEnvironment: 'Production' },
  bot: { appId: '', appType: 'SingleTenant', appTenantId: '' },
  credential: { kind: 'secret', tenantId: '7a1c5f3e-0b6d-4c2a-9e51-3d8f2b6a4c10', clientId: '6caeedfe-8eb8-438d-b5ca-7e0be90f6b34', clientSecret: 'unused' },
};

describe('Sales environment URLs in tenant mode', () => {
  it('accepts https://<org>.crm<N>.dynamics.com only', () => {
    expect(checkOrgUrl('https://contoso.crm4.dynamics.com/', tenantConfig)).toBe('https://contoso.crm4.dynamics.com');
    expect(checkOrgUrl('https://Contoso-Test.CRM.dynamics.com', tenantConfig)).toBe('https://contoso-test.crm.dynamics.com');
    for (const bad of [
      'http://contoso.crm4.dynamics.com',
      'https://contoso.crm4.dynamics.com.evil.example',
      'https://evil.example/contoso.crm4.dynamics.com',
      'https://contoso.crm4.dynamics.com/api/data/v9.2',
      'https://user@contoso.crm4.dynamics.com',
      'https://127.0.0.1:3979/dataverse',
      'not a url',
    ]) {
      expect(() => checkOrgUrl(bad, tenantConfig)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    }
  });

  it('caches one client per environment, each with the environment as its token audience', async () => {
    const scopes: string[] = [];
    const clients = createClients({
      config: tenantConfig,
      tokens: { getToken: async (scope) => (scopes.push(scope), 't') },
      policy: { fetch: async () => new Response('{"UserId":"a","BusinessUnitId":"b","OrganizationId":"c"}', { status: 200 }) },
    });
    expect(() => clients.sales('https://attacker.example')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    const a = clients.sales('https://fabrikam.crm11.dynamics.com');
    expect(clients.sales('https://fabrikam.crm11.dynamics.com/')).toBe(a);
    await a.whoAmI();
    expect(scopes).toEqual(['https://fabrikam.crm11.dynamics.com/.default']);
    expect(clients.policies.dataverse.size).toBe(1);
  });
});
