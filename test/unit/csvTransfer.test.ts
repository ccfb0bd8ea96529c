import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { downloadFile, isAllowedFileUrl } from '../../src/provisioning/http/download';
import { loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';

describe('files sent in Teams', () => {
  it('are fetched only from Microsoft file hosts in tenant mode, only from this machine in the sandbox', () => {
    expect(isAllowedFileUrl('https://contoso.sharepoint.com/personal/x/file.csv', 'tenant')).toBe(true);
    expect(isAllowedFileUrl('https://contoso-my.sharepoint-df.com/x.csv', 'tenant')).toBe(true);
    expect(isAllowedFileUrl('http://contoso.sharepoint.com/x.csv', 'tenant')).toBe(false);
    expect(isAllowedFileUrl('https://sharepoint.com.evil.example/x.csv', 'tenant')).toBe(false);
    expect(isAllowedFileUrl('https://evil.example/contoso.sharepoint.com/x.csv', 'tenant')).toBe(false);
    expect(isAllowedFileUrl('https://user:pw@contoso.sharepoint.com/x.csv', 'tenant')).toBe(false);
    expect(isAllowedFileUrl('http://127.0.0.1:8080/x.csv', 'tenant')).toBe(false);
    expect(isAllowedFileUrl('http://127.0.0.1:8080/x.csv', 'sandbox')).toBe(true);
    expect(isAllowedFileUrl('http://localhost/x.csv', 'sandbox')).toBe(true);
    expect(isAllowedFileUrl('https://contoso.sharepoint.com/x.csv', 'sandbox')).toBe(false);
    expect(isAllowedFileUrl('file:///etc/passwd', 'sandbox')).toBe(false);
  });

  it('stop at the size limit and follow no redirect away from the allowed hosts', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/big') {
        res.writeHead(200);
        res.end(Buffer.alloc(2048, 0x61));
      } else if (req.url === '/away') {
        res.writeHead(302, { location: 'https://evil.example/steal' });
        res.end();
      } else if (req.url === '/here') {
        res.writeHead(302, { location: '/small' });
        res.end();
      } else {
        res.writeHead(200);
        res.end('a,b');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await downloadFile(`${base}/big`, 'sandbox', 1024)).toEqual({ ok: false, problem: 'tooLarge' });
      expect(await downloadFile(`${base}/away`, 'sandbox', 1024)).toEqual({ ok: false, problem: 'host' });
      const small = await downloadFile(`${base}/here`, 'sandbox', 1024);
      expect(small.ok && Buffer.from(small.bytes).toString()).toBe('a,b');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('the coupling endpoint setting', () => {
  const tenantEnv = {
    MODE: 'tenant',
    TENANT_ID: '11111111-2222-3333-4444-555555555555',
    DATAVERSE_URL: 'https://contoso.crm4.dynamics.com',
    BAP_ENVIRONMENT_ID: '66666666-7777-8888-9999-000000000000',
    BC_ENVIRONMENT: 'Production',
    BOT_APP_ID: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    BOT_APP_PASSWORD: 'bot-secret-value',
    AZURE_CREDENTIAL: 'managed-identity',
    ADMIN_IDS: '3b8f1c2d-5e6a-4f70-8a91-b2c3d4e5f601',
  };

  it('is off by default in tenant mode and must be on the Business Central host (it gets a BC token)', () => {
    expect(loadConfig(tenantEnv).couplingUrl).toBeUndefined();
    const url = 'https://api.businesscentral.dynamics.com/v2.0/{tenantId}/{environment}/api/contoso/crm/v1.0';
    expect(loadConfig({ ...tenantEnv, COUPLING_URL: url }).couplingUrl).toBe(url);
    let refused: unknown;
    try {
      loadConfig({ ...tenantEnv, COUPLING_URL: 'https://couplings.example.com/api' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).message).toMatch(/COUPLING_URL: must be on the Business Central API host \(api\.businesscentral\.dynamics\.com\)/);
  });

  it('points at the sandbox by default in sandbox mode, and can be turned off', () => {
    expect(loadConfig({ SANDBOX_URL: 'http://127.0.0.1:3979' }).couplingUrl).toBe('http://127.0.0.1:3979/bc/v2.0/{tenantId}/{environment}/api/contoso/crm/v1.0');
    expect(loadConfig({ COUPLING_URL: 'none' }).couplingUrl).toBeUndefined();
  });
});
