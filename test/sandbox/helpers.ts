import { type SandboxHandle, type SandboxOptions, startSandbox } from '../../src/sandbox';
import { authFor } from '../helpers/sandboxAuth';

export { authFor };

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export class TestTenant {
  constructor(public readonly handle: SandboxHandle) {}

  static async start(opts: SandboxOptions = {}): Promise<TestTenant> {
    return new TestTenant(await startSandbox({ port: 0, stateFile: null, ...opts, settings: { syncDelayMs: 0, licensePropagationMs: 0, ...opts.settings } }));
  }

  get url(): string {
    return this.handle.url;
  }

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    // A real token for the service the path belongs to, unless the test sends its own Authorization.
    const own = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
    const init: RequestInit = { method, headers: { ...(own ? {} : await authFor(this.url, path)), ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
      }
    }
    const res = await fetch(path.startsWith('http') ? path : `${this.url}${path}`, init);
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  graph<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
    return this.call<T>(method, `/graph/v1.0${path}`, body, headers);
  }

  dv<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
    return this.call<T>(method, `/dataverse/api/data/v9.2/${path}`, body, headers);
  }

  control<T = any>(method: string, path: string, body?: unknown) {
    return this.call<T>(method, `/_sandbox${path}`, body);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Encodes an OData query option value the way clients do. */
export function q(params: Record<string, string>): string {
  return '?' + Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

export function newUser(upn: string, extra: Record<string, unknown> = {}) {
  return {
    accountEnabled: true,
    displayName: upn.split('@')[0],
    mailNickname: upn.split('@')[0].replace(/[^A-Za-z0-9]/g, ''),
    userPrincipalName: upn,
    passwordProfile: { password: 'Xq7!kd93-Lm', forceChangePasswordNextSignIn: true },
    ...extra,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
