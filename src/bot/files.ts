import { randomUUID } from 'node:crypto';
import type { FileConsentCardResponse, TurnContext } from 'botbuilder';
import { escapeMarkdown } from '../cards/render';
import { t } from '../i18n';
import { localeFor } from './context';
import { isAllowedFileUrl } from '../provisioning/http/download';
import type { BotServices } from './services';

/**
 * Files from the bot, the Teams way (personal chat only): a FileConsentCard first; when the user
 * accepts, the file is produced anew and uploaded to the OneDrive URL Teams gives, never anywhere
 * else. Each kind of file has a producer; the consent context carries only the kind and a key.
 */

export interface FileRequest {
  kind: string;
  /** What the producer needs to make the file again (an id, a filter): never a secret. */
  key?: string;
}

export type FileProducer = (services: BotServices, context: TurnContext, request: FileRequest) => Promise<Buffer>;

export async function offerFile(context: TurnContext, file: { name: string; description: string; size: number; request: FileRequest }): Promise<void> {
  const consent = { ...file.request, nonce: randomUUID() };
  await context.sendActivity({
    attachments: [
      {
        contentType: 'application/vnd.microsoft.teams.card.file.consent',
        name: file.name,
        content: { description: file.description, sizeInBytes: file.size, acceptContext: consent, declineContext: consent },
      },
    ],
  });
}

/** The one rule for file hosts (src/provisioning/http/download.ts): OneDrive/SharePoint in tenant mode, this machine in sandbox mode. */
export function uploadAllowed(services: BotServices, url: string): boolean {
  return isAllowedFileUrl(url, services.config.mode);
}

export function fileConsentHandlers(services: BotServices, producers: Record<string, FileProducer>) {
  const accept = async (context: TurnContext, _state: unknown, response: FileConsentCardResponse): Promise<void> => {
    const locale = localeFor(context);
    const upload = response.uploadInfo;
    const request = response.context as FileRequest | undefined;
    const producer = request && typeof request.kind === 'string' ? producers[request.kind] : undefined;
    if (!producer || !upload?.uploadUrl) return;
    if (!uploadAllowed(services, upload.uploadUrl)) {
      services.logger.warn({ host: upload.uploadUrl.split('/')[2] }, 'refused a file upload URL outside OneDrive');
      await context.sendActivity(t(locale, 'fileFailed'));
      return;
    }
    const body = await producer(services, context, { kind: request!.kind, key: typeof request!.key === 'string' ? request!.key : undefined });
    const result = await fetch(upload.uploadUrl, {
      method: 'PUT',
      headers: { 'Content-Length': String(body.length), 'Content-Range': `bytes 0-${body.length - 1}/${body.length}` },
      body: new Uint8Array(body),
      signal: AbortSignal.timeout(30_000),
    }).catch(() => undefined);
    if (!result?.ok) {
      await context.sendActivity(t(locale, 'fileFailed'));
      return;
    }
    await context.sendActivity({
      text: t(locale, 'fileSaved', { name: escapeMarkdown(upload.name ?? '') }),
      attachments: [
        { contentType: 'application/vnd.microsoft.teams.card.file.info', contentUrl: upload.contentUrl, name: upload.name, content: { uniqueId: upload.uniqueId, fileType: upload.fileType } },
      ],
    });
  };
  const decline = async (context: TurnContext): Promise<void> => {
    await context.sendActivity(t(localeFor(context), 'fileDeclined'));
  };
  return { accept, decline };
}
