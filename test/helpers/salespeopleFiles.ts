import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { TeamsConversation, TeamsUser } from './teams';

/**
 * Files in Teams, for tests: a local stand-in for OneDrive/SharePoint that serves files an admin
 * "sends" (downloadUrl) and receives the uploads of accepted FileConsentCards, and the activities
 * Teams sends for both.
 */

export interface FileHost {
  url: string;
  /** Uploaded files by name (the bytes as received). */
  uploads: Map<string, Buffer>;
  /** Serves `content` and returns its pre-authorised download URL. */
  serve(name: string, content: string | Buffer): string;
  downloads: number;
  close(): Promise<void>;
}

export async function startFileHost(): Promise<FileHost> {
  const files = new Map<string, Buffer>();
  const host: FileHost = {
    url: '',
    uploads: new Map(),
    downloads: 0,
    serve(name, content) {
      const id = randomUUID();
      files.set(id, Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'));
      return `${host.url}/download/${id}/${encodeURIComponent(name)}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const [, kind, id, name] = (req.url ?? '').split('/');
      if (req.method === 'GET' && kind === 'download' && files.has(id)) {
        host.downloads++;
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(files.get(id));
        return;
      }
      if (req.method === 'PUT' && kind === 'upload') {
        host.uploads.set(decodeURIComponent(id), Buffer.concat(chunks));
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: randomUUID(), name }));
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  host.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return host;
}

type Base = { base(user: TeamsUser): Record<string, unknown> };

/** The user accepts a FileConsentCard: Teams sends fileConsent/invoke with an upload session. */
export function acceptFile(chat: TeamsConversation, user: TeamsUser, consent: { name: string; content: { acceptContext: unknown } }, host: FileHost) {
  return chat.post({
    ...(chat as unknown as Base).base(user),
    type: 'invoke',
    name: 'fileConsent/invoke',
    id: randomUUID(),
    value: {
      type: 'fileUpload',
      action: 'accept',
      context: consent.content.acceptContext,
      uploadInfo: {
        name: consent.name,
        uploadUrl: `${host.url}/upload/${encodeURIComponent(consent.name)}`,
        contentUrl: `${host.url}/files/${encodeURIComponent(consent.name)}`,
        uniqueId: randomUUID(),
        fileType: 'csv',
      },
    },
  });
}

/** The user sends a file in the chat, as Teams delivers it to a bot. */
export function sendFile(chat: TeamsConversation, user: TeamsUser, name: string, downloadUrl: string) {
  return chat.post({
    ...(chat as unknown as Base).base(user),
    type: 'message',
    id: randomUUID(),
    text: '',
    attachments: [{ contentType: 'application/vnd.microsoft.teams.file.download.info', contentUrl: downloadUrl, name, content: { downloadUrl, uniqueId: randomUUID(), fileType: 'csv' } }],
  });
}
