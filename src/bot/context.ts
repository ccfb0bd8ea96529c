import type { Activity, TurnContext } from 'botbuilder';
import { localeOf, type Locale } from '../i18n';
import { parseCommand, type Command } from '../setup/session';

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

const CHOSEN_LOCALE = 'bcSetup.chosenLocale';

/** The conversation's chosen language ("language nb"), else the Teams client's. */
export function localeFor(context: TurnContext): Locale {
  return context.turnState.get<Locale | undefined>(CHOSEN_LOCALE) ?? localeOf(context.activity.locale);
}

/** For this turn only (the choice itself lives in conversation state; see handlers/language.ts). */
export function useLocale(context: TurnContext, locale: Locale | undefined): void {
  if (locale) context.turnState.set(CHOSEN_LOCALE, locale);
  else context.turnState.delete(CHOSEN_LOCALE);
}

const COMMANDS = new WeakMap<Partial<Activity>, Command | null>();

/**
 * The command a message asks for, parsed once per activity: the gate and every command route ask
 * the same question of the same message.
 */
export function commandOf(activity: Partial<Activity>): Command | undefined {
  if (typeof activity.text !== 'string') return undefined;
  let command = COMMANDS.get(activity);
  if (command === undefined) {
    command = parseCommand(activity.text) ?? null;
    COMMANDS.set(activity, command);
  }
  return command ?? undefined;
}

/**
 * A one-to-one chat with the bot: only where Teams says so (`conversationType` "personal"). An
 * activity that does not say is not taken for one: a password is never shown on a guess.
 */
export function isPersonalChat(context: TurnContext): boolean {
  return context.activity.conversation?.conversationType === 'personal';
}

/** The answer for an invoke: Teams shows an Action.Execute's message text to the user. */
export async function answerInvoke(context: TurnContext, text: string): Promise<void> {
  await context.sendActivity({
    type: 'invokeResponse',
    value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text } },
  });
}
