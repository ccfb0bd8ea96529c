import { MessageFactory, type ConversationReference } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Config } from '../config';
import { cardAttachment } from '../cards/render';
import { passwordCard } from '../cards/integration';
import { localeOf } from '../i18n';
import { failureReason } from '../provisioning/outcomes';
import type { Action, Plan, Run } from '../setup/plan';
import { baseCard } from './planView';
import type { BotServices } from './services';

/**
 * The runner's progress reaches the plan card in place (updateActivity, from outside any turn):
 * the card where it was approved and every posted copy. When the run ends, each action's result
 * goes into the audit trail.
 */
export async function reportRun(services: BotServices, run: Run, plan: Plan): Promise<void> {
  const locale = localeOf(run.report.locale);
  const approval = await services.plans.approval(plan.id);
  const copies = [{ conversationId: run.report.conversationId, activityId: run.report.activityId }, ...(approval?.postedTo ?? [])];
  const seen = new Set<string>();
  for (const copy of copies) {
    if (!copy.activityId || seen.has(copy.activityId)) continue;
    seen.add(copy.activityId);
    await services.notifier.update(copy.conversationId, copy.activityId, await baseCard(services, plan, copy.conversationId, locale));
  }
  if (run.status === 'running') return;
  await services.audit.appendMany([
    ...plan.actions.map((action) => {
      const outcome = run.journal[action.key];
      return {
        event: outcome?.status === 'done' ? ('action.done' as const) : ('action.failed' as const),
        planId: plan.id,
        digest: plan.digest,
        subject: action.key,
        outcome: outcome?.status === 'failed' ? failureReason(outcome, locale) : outcome?.status === 'done' && outcome.note ? outcome.note : outcome?.status,
      };
    }),
    { event: 'run.completed', planId: plan.id, digest: plan.digest, outcome: run.status },
  ]);
}

/**
 * A generated password goes to the requester's personal chat, once, as a new message, in the
 * language of that chat when the plan was made; it is
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
