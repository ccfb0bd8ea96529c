import type { ConversationReference } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Config } from '../config';
import type { Approval } from '../approvals/approval';
import { approvalKey } from '../approvals/plans';
import { cardAttachment } from '../cards/render';
import { planCard } from '../cards/setup';
import { localeOf } from '../i18n';
import type { Plan, Run } from '../setup/plan';
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
