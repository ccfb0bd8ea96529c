import type { TurnContext } from 'botbuilder';
import { localeOf, type Locale } from '../i18n';

/** Who is acting in this turn, read from the activity (never from card data). */
export interface Actor {
  aadObjectId?: string;
  name?: string;
  /** Teams user id (MRI), as used in refresh.userIds. */
  teamsId: string;
  tenantId?: string;
}

export function actorOf(context: TurnContext): Actor {
  const from = context.activity.from ?? { id: '' };
  const tenantId =
    context.activity.conversation?.tenantId ??
    (context.activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
  return { aadObjectId: from.aadObjectId, name: from.name, teamsId: from.id, tenantId };
}

export function localeFor(context: TurnContext): Locale {
  return localeOf(context.activity.locale);
}

export function isPersonalChat(context: TurnContext): boolean {
  const type = context.activity.conversation?.conversationType;
  return type === undefined || type === 'personal';
}
