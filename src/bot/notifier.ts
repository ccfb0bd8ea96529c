import { MessageFactory, TeamsInfo, TurnContext, type ConversationReference, type TeamsChannelAccount } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Config } from '../config';
import { cardAttachment, type AdaptiveCardJson } from '../cards/render';
import type { RecordStore } from '../storage/records';
import { LruMap } from '../lru';
import { conversationKey } from '../storage/keys';

/**
 * Messages outside the current turn: posting and updating cards in any conversation the bot has
 * seen (from its stored conversation reference), and reading a conversation's members.
 */
export class Notifier {
  /** Conversations whose reference is stored; bounded (an evicted one is only written again). */
  private readonly known = new LruMap<string, true>(10_000);

  constructor(
    private readonly adapter: TeamsAdapter,
    private readonly config: Config,
    private readonly records: RecordStore,
  ) {}

  /** Stores the conversation's reference once, so the bot can write there later. */
  async remember(context: TurnContext): Promise<void> {
    const reference = TurnContext.getConversationReference(context.activity);
    const id = reference.conversation?.id;
    if (!id || this.known.has(id)) return;
    await this.records.create(conversationKey(id), reference);
    this.known.set(id, true);
  }

  reference(conversationId: string): Promise<Partial<ConversationReference> | undefined> {
    return this.records.get<Partial<ConversationReference>>(conversationKey(conversationId));
  }

  private async within<T>(conversationId: string, work: (context: TurnContext) => Promise<T>): Promise<T | undefined> {
    const reference = await this.reference(conversationId);
    if (!reference) return undefined;
    let result: T | undefined;
    await this.adapter.continueConversationAsync(this.config.bot.appId, reference, async (context) => {
      result = await work(context);
    });
    return result;
  }

  /** Posts a card as a new message; the message id, or undefined when the conversation is unknown. */
  post(conversationId: string, card: AdaptiveCardJson): Promise<string | undefined> {
    return this.within(conversationId, async (context) => (await context.sendActivity(MessageFactory.attachment(cardAttachment(card))))?.id);
  }

  async update(conversationId: string, activityId: string, card: AdaptiveCardJson): Promise<void> {
    await this.within(conversationId, (context) => context.updateActivity({ type: 'message', id: activityId, attachments: [cardAttachment(card)] }));
  }

  async say(conversationId: string, text: string): Promise<void> {
    await this.within(conversationId, (context) => context.sendActivity(text));
  }

  /** The conversation's members (Teams id and Entra object id). */
  async members(conversationId: string): Promise<{ id: string; aadObjectId?: string; name?: string }[]> {
    const members =
      (await this.within(conversationId, async (context) => {
        const all: TeamsChannelAccount[] = [];
        let token: string | undefined;
        for (let page = 0; page < 20; page++) {
          const result = await TeamsInfo.getPagedMembers(context, 100, token);
          all.push(...result.members);
          token = result.continuationToken;
          if (!token) break;
        }
        return all;
      })) ?? [];
    return members.map((m) => ({ id: m.id, aadObjectId: m.aadObjectId, name: m.name }));
  }
}
