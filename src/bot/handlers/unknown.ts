import type { TurnContext } from 'botbuilder';
import { escapeMarkdown } from '../../cards/render';
import { t } from '../../i18n';
import { localeFor } from '../context';

/** Any text no route understood: a hint of what to say, never silence. */
export async function unknown(context: TurnContext): Promise<void> {
  const text = (context.activity.text ?? '').trim().slice(0, 80);
  await context.sendActivity(t(localeFor(context), 'hintUnknown', { text: escapeMarkdown(text) }));
}
