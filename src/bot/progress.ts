import { MessageFactory, type ConversationReference } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Config } from '../config';
import type { Approval } from '../approvals/approval';
import { approvalKey } from '../approvals/plans';
import { cardAttachment } from '../cards/render';
import { planCard } from '../cards/setup';
import { passwordCard } from '../cards/integration';
import { localeOf } from '../i18n';
import type { Action, Plan, Run } from '../setup/plan';
import type { RecordStore } from '../storage/records';

/** The runner's progress reaches the plan card in place (updateActivity), from outside any turn. */
export async function updateRunCard(adapter: TeamsAdapter, config: Config, records: RecordStore, run: Run, plan: Plan): Promise<void> {
  const { reference, activityId, locale } = run.report;
  if (!reference || !activityId) return;
  const approval = await records.get<Approval>(approvalKey(plan.id));
  const card = planCard({ plan, approval, run }, localeOf(locale));
  await adapter.continueConversationAsync(config.bot.appId, reference as Partial<ConversationReference>, async (context) => {
    await context.updateActivity({ type: 'message', id: activityId, attachments: [cardAttachment(card)] });
  });
}

/**
 * A generated password goes to the requester's personal chat, once, as a new message; it is
 * passed through memory only and never logged or stored by the bot.
 */
export async function deliverPassword(adapter: TeamsAdapter, config: Config, plan: Plan, action: Action, secret: string): Promise<void> {
  const chat = plan.requesterChat as (Partial<ConversationReference> & { conversation?: { conversationType?: string } }) | undefined;
  if (!chat || (chat.conversation?.conversationType ?? 'personal') !== 'personal') {
    throw new Error('the plan has no personal chat to show a password in');
  }
  const card = passwordCard({ userPrincipalName: action.target.userPrincipalName, password: secret }, localeOf(chat.locale));
  await adapter.continueConversationAsync(config.bot.appId, chat, async (context) => {
    await context.sendActivity(MessageFactory.attachment(cardAttachment(card)));
  });
}
