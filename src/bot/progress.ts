import { MessageFactory, type ConversationReference } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Config } from '../config';
import { cardAttachment } from '../cards/render';
import { passwordCard } from '../cards/integration';
import { localeOf } from '../i18n';
import { failureReason } from '../provisioning/run/outcomes';
import type { Action, Plan, Run } from '../setup/plan';
import type { PasswordCards } from './passwordCards';
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
        ...(outcome?.status === 'done' && !outcome.note ? { outcomeKey: 'auditOutcomeDone' as const } : {}),
      };
    }),
    { event: 'run.completed', planId: plan.id, digest: plan.digest, outcome: run.status, outcomeKey: run.status === 'completed' ? ('auditOutcomeCompleted' as const) : ('auditOutcomeFailed' as const) },
  ]);
}

/**
 * A generated password goes to the requester's personal chat, once, as a new message, in the
 * language of that chat when the plan was made; it is passed through memory only and never logged
 * or stored by the bot. Where the message is goes to `passwords`, which withdraws it (passwordCards.ts).
 */
export async function deliverPassword(adapter: TeamsAdapter, config: Config, plan: Plan, action: Action, secret: string, passwords: PasswordCards): Promise<void> {
  const chat = plan.requesterChat as (Partial<ConversationReference> & { conversation?: { conversationType?: string } }) | undefined;
  if (!chat || chat.conversation?.conversationType !== 'personal') {
    throw new Error('the plan has no personal chat to show a password in');
  }
  const card = passwordCard({ userPrincipalName: action.target.userPrincipalName, password: secret }, localeOf(chat.locale));
  let activityId: string | undefined;
  let conversationId: string | undefined;
  await adapter.continueConversationAsync(config.bot.appId, chat, async (context) => {
    activityId = (await context.sendActivity(MessageFactory.attachment(cardAttachment(card))))?.id;
    conversationId = context.activity.conversation?.id;
  });
  if (!activityId || !conversationId) throw new Error('the password message was sent but Teams returned no message id to withdraw it by');
  await passwords.shown({
    conversationId,
    activityId,
    reference: chat,
    userPrincipalName: action.target.userPrincipalName,
    locale: chat.locale,
    requester: plan.createdBy.aadObjectId,
  });
}
