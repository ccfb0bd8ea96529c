import { MessageFactory, type ConversationReference, type TurnContext } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import { passwordCard } from '../cards/integration';
import { cardAttachment } from '../cards/render';
import { localeOf } from '../i18n';
import type { Logger } from '../log';
import type { RunEvents } from '../provisioning/run/events';
import type { Action, Plan } from '../setup/plan';
import type { RecordStore } from '../storage/records';
import { SHOWN_PASSWORDS } from '../storage/keys';

/**
 * A generated password is shown once, in the requester's personal chat, and then withdrawn from
 * the message itself (updateActivity, so every device and every later reader sees the card
 * without it): when the requester says it is stored, or automatically once `ttlMs` has passed.
 *
 * What is stored is only where the message is (its activity id and the conversation reference)
 * and when it must be withdrawn; never the password. The due time lives with the record, so a
 * restart does not forget it: start() sweeps at once and then every `sweepMs`.
 *
 * Updating, not deleting: Teams supports both for a bot's own messages, but the Microsoft 365
 * Agents Playground answers DeleteActivity with HTTP 501, and an update leaves the
 * requester a note of what happened and what to do if the password was not stored.
 */

/** Time, injectable: tests advance it instead of sleeping. */
export interface Clock {
  now(): number;
  /** Runs `task` every `ms`; returns the function that stops it. */
  every(ms: number, task: () => Promise<void>): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  every: (ms, task) => {
    const timer = setInterval(() => void task(), ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

export interface ShownPassword {
  conversationId: string;
  activityId: string;
  reference: Partial<ConversationReference>;
  userPrincipalName: string;
  locale?: string;
  /** Entra object id of the requester, the one person who may say it is stored. */
  requester?: string;
  shownAt: string;
  withdrawAt: string;
  attempts?: number;
}

interface ShownRecord {
  cards: ShownPassword[];
}

/** After this many failed updates of one message it is given up on (logged as an error). */
const MAX_ATTEMPTS = 20;

export interface PasswordCardsOptions {
  records: RecordStore;
  adapter: TeamsAdapter;
  appId: string;
  logger: Logger;
  clock?: Clock;
  ttlMs?: number;
  sweepMs?: number;
}

export class PasswordCards {
  private readonly clock: Clock;
  readonly ttlMs: number;
  private readonly sweepMs: number;
  /** Shown messages whose record could not be written (storage refused): withdrawn from memory. */
  private readonly unrecorded = new Map<string, ShownPassword>();
  private stopTimer?: () => void;
  private sweeping?: Promise<void>;

  constructor(private readonly options: PasswordCardsOptions) {
    this.clock = options.clock ?? systemClock;
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.sweepMs = options.sweepMs ?? 30_000;
  }

  /** Shows every password a run generates (the runner's `secret.ready`); a failure fails that action. */
  subscribe(events: RunEvents): void {
    events.on('secret.ready', ({ plan, action, secret }) => this.deliver(plan, action, secret));
  }

  /**
   * A generated password goes to the requester's personal chat, once, as a new message, in the
   * language of that chat when the plan was made; it is passed through memory only and never
   * logged or stored. Where the message is is recorded, so it can be withdrawn.
   */
  async deliver(plan: Plan, action: Action, secret: string): Promise<void> {
    const chat = plan.requesterChat as (Partial<ConversationReference> & { conversation?: { conversationType?: string } }) | undefined;
    if (!chat || chat.conversation?.conversationType !== 'personal') {
      throw new Error('the plan has no personal chat to show a password in');
    }
    const card = passwordCard({ userPrincipalName: action.target.userPrincipalName, password: secret }, localeOf(chat.locale));
    let activityId: string | undefined;
    let conversationId: string | undefined;
    await this.options.adapter.continueConversationAsync(this.options.appId, chat, async (context) => {
      activityId = (await context.sendActivity(MessageFactory.attachment(cardAttachment(card))))?.id;
      conversationId = context.activity.conversation?.id;
    });
    if (!activityId || !conversationId) throw new Error('the password message was sent but Teams returned no message id to withdraw it by');
    await this.shown({
      conversationId,
      activityId,
      reference: chat,
      userPrincipalName: action.target.userPrincipalName,
      locale: chat.locale,
      requester: plan.createdBy.aadObjectId,
    });
  }

  private id(card: Pick<ShownPassword, 'conversationId' | 'activityId'>): string {
    return `${card.conversationId}\n${card.activityId}`;
  }

  /** A password message was sent: remember where, and when it must be withdrawn. Never throws. */
  async shown(card: Omit<ShownPassword, 'shownAt' | 'withdrawAt'>): Promise<void> {
    const now = this.clock.now();
    const entry: ShownPassword = { ...card, shownAt: new Date(now).toISOString(), withdrawAt: new Date(now + this.ttlMs).toISOString() };
    try {
      await this.options.records.update<ShownRecord>(SHOWN_PASSWORDS, (current) => ({ cards: [...(current?.cards ?? []).filter((c) => this.id(c) !== this.id(entry)), entry] }));
    } catch (error) {
      this.unrecorded.set(this.id(entry), entry);
      this.options.logger.error({ err: error, conversationId: entry.conversationId }, 'could not record a shown password message; it is withdrawn on time unless this process stops');
    }
  }

  /**
   * The requester says the password is stored: the message is withdrawn now, for everyone.
   * The message is the one the card action came from (replyToId), or else the newest one for
   * this account in this chat. False when there is none to withdraw (already withdrawn).
   */
  async confirmed(context: TurnContext, userPrincipalName: string): Promise<boolean> {
    const conversationId = context.activity.conversation.id;
    const actor = context.activity.from?.aadObjectId?.toLowerCase();
    const replyTo = context.activity.replyToId;
    const candidates = (await this.all()).filter(
      (c) => c.conversationId === conversationId && (!c.requester || c.requester.toLowerCase() === actor),
    );
    const card =
      candidates.find((c) => replyTo && c.activityId === replyTo) ??
      candidates.filter((c) => c.userPrincipalName.toLowerCase() === userPrincipalName.toLowerCase()).at(-1);
    if (card) {
      await this.withdraw(card, 'stored', context);
      return true;
    }
    // Not on record (already withdrawn, or its record was lost): the message is updated anyway.
    if (replyTo) {
      const replacement = passwordCard({ userPrincipalName }, localeOf(context.activity.locale));
      await context.updateActivity({ type: 'message', id: replyTo, attachments: [cardAttachment(replacement)] }).catch((error: unknown) =>
        this.options.logger.warn({ err: error, conversationId }, 'could not update the password message'),
      );
    }
    return false;
  }

  /** Withdraws every message whose time is up. */
  sweep(): Promise<void> {
    // One sweep at a time; a tick during a slow sweep joins it.
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const now = this.clock.now();
    let due: ShownPassword[];
    try {
      due = (await this.all()).filter((c) => Date.parse(c.withdrawAt) <= now);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not read the shown password messages; trying again at the next check');
      return;
    }
    for (const card of due) await this.withdraw(card, 'expired');
  }

  /** At start-up: what fell due while the bot was down is withdrawn now, then every sweepMs. */
  async start(): Promise<void> {
    this.stopTimer = this.clock.every(this.sweepMs, () => this.sweep());
    await this.sweep();
  }

  close(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  private async all(): Promise<ShownPassword[]> {
    const stored = (await this.options.records.get<ShownRecord>(SHOWN_PASSWORDS))?.cards ?? [];
    const ids = new Set(stored.map((c) => this.id(c)));
    return [...stored, ...[...this.unrecorded.values()].filter((c) => !ids.has(this.id(c)))];
  }

  private async withdraw(card: ShownPassword, why: 'stored' | 'expired', context?: TurnContext): Promise<void> {
    const { logger } = this.options;
    const locale = localeOf(card.locale);
    const replacement = passwordCard(
      { userPrincipalName: card.userPrincipalName, expiredAfterMinutes: why === 'expired' ? Math.round(this.ttlMs / 60_000) : undefined },
      locale,
    );
    const activity = { type: 'message', id: card.activityId, attachments: [cardAttachment(replacement)] };
    let gone: boolean;
    try {
      if (context && context.activity.conversation.id === card.conversationId) await context.updateActivity(activity);
      else await this.options.adapter.continueConversationAsync(this.options.appId, card.reference, (turn) => turn.updateActivity(activity).then(() => undefined));
      gone = true;
      logger.info({ conversationId: card.conversationId, activityId: card.activityId, why }, 'password message withdrawn');
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      const attempts = (card.attempts ?? 0) + 1;
      // 404: the message no longer exists (the chat or message was deleted): nothing left to withdraw.
      gone = status === 404 || attempts >= MAX_ATTEMPTS;
      const log = { err: error, conversationId: card.conversationId, activityId: card.activityId, attempts };
      if (gone && status !== 404) logger.error(log, 'gave up withdrawing a password message; reset that password');
      else logger.warn(log, 'could not withdraw a password message yet; trying again at the next check');
      if (!gone) await this.change(card, (c) => ({ ...c, attempts })).catch(() => undefined);
    }
    if (gone) {
      this.unrecorded.delete(this.id(card));
      await this.change(card, undefined).catch((error: unknown) =>
        logger.warn({ err: error, conversationId: card.conversationId }, 'could not record that a password message was withdrawn; it will be updated again'),
      );
    }
  }

  /** Replaces (or, with undefined, removes) one entry of the record. */
  private async change(card: ShownPassword, next: ((c: ShownPassword) => ShownPassword) | undefined): Promise<void> {
    const id = this.id(card);
    if (this.unrecorded.has(id)) {
      if (next) this.unrecorded.set(id, next(this.unrecorded.get(id)!));
      return;
    }
    await this.options.records.update<ShownRecord>(SHOWN_PASSWORDS, (current) => {
      if (!current?.cards.some((c) => this.id(c) === id)) return undefined;
      return { cards: current.cards.flatMap((c) => (this.id(c) !== id ? [c] : next ? [next(c)] : [])) };
    });
  }
}
