/**
 * Files an admin sends in Teams: the CSV is downloaded from the pre-authorised link Teams gives
 * (no token is ever sent). Only Microsoft's file hosts are contacted in tenant mode (SharePoint
 * and OneDrive for Business), only this machine in sandbox mode; redirects are followed only to
 * such hosts, and a download stops at the size limit.
 */

export type FileHostMode = 'sandbox' | 'tenant';

const TENANT_HOSTS = [/\.sharepoint\.com$/i, /\.sharepoint-df\.com$/i];
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 3;

export function isAllowedFileUrl(raw: string, mode: FileHostMode): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (mode === 'tenant') return url.protocol === 'https:' && TENANT_HOSTS.some((host) => host.test(url.hostname));
  return (url.protocol === 'http:' || url.protocol === 'https:') && LOCAL_HOSTS.has(url.hostname);
}

export type Download = { ok: true; bytes: Uint8Array } | { ok: false; problem: 'host' | 'tooLarge' | 'failed'; detail?: string };

export async function downloadFile(raw: string, mode: FileHostMode, maxBytes: number, fetcher: typeof fetch = fetch): Promise<Download> {
  let url = raw;
  for (let hop = 0; ; hop++) {
    if (!isAllowedFileUrl(url, mode)) return { ok: false, problem: 'host' };
    let response: Response;
    try {
      response = await fetcher(url, { redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      return { ok: false, problem: 'failed', detail: (error as Error).name === 'TimeoutError' ? 'no answer within 30 s' : 'the file host could not be reached' };
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location && hop < MAX_REDIRECTS) {
      url = new URL(location, url).toString();
      continue;
    }
    if (response.status !== 200 || !response.body) return { ok: false, problem: 'failed', detail: `the file host answered ${response.status}` };
    if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
      await response.body.cancel();
      return { ok: false, problem: 'tooLarge' };
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) return { ok: false, problem: 'tooLarge' };
      chunks.push(chunk);
    }
    return { ok: true, bytes: Buffer.concat(chunks) };
  }
}
