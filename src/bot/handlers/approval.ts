import { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { DecisionRules } from '../../approvals/approval';
import type { AuditEntry } from '../../approvals/audit';
import type { Plan, Run } from '../../setup/plan';
import type { AdaptiveCardJson } from '../../cards/render';
import { escapeMarkdown } from '../../cards/render';
import { t } from '../../i18n';
import { actorOf, isPersonalChat, localeFor } from '../context';
import { baseCard, broadcast, lookUpPlan, planCardFor, PlanRef } from '../planView';
import { sessionOf } from '../session';
import type { BotServices } from '../services';
import type { CardHandler, Make } from '../handler';

/**
 * Approvals from cards: request, view (the refresh of user-specific views), approve, reject.
 * Only approvers decide; a decision moves the stored approval exactly once; every posted copy of
 * the card is updated for everyone; the requester hears the outcome.
 */

const when = (iso?: string) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '');

function rules(services: BotServices): DecisionRules {
  const { approvalMode, approverIds, twoPersonRule } = services.config.access;
  return { mode: approvalMode, required: approverIds, twoPersonRule };
}

const person = (context: TurnContext) => {
  const actor = actorOf(context);
  return { aadObjectId: actor.aadObjectId, name: actor.name };
};

/** Tells the requester's conversation the outcome, when the decision was made elsewhere. */
async function tellRequester(services: BotServices, context: TurnContext, conversationId: string, text: string) {
  if (conversationId === context.activity.conversation.id) return;
  await services.notifier.say(conversationId, text).catch((error) => services.logger.warn({ err: error }, 'could not tell the requester'));
}

/** Decisions are the approvers' alone: anyone else is told so, and the attempt is on record. */
async function notApprover(services: BotServices, context: TurnContext, plan: Plan): Promise<AdaptiveCardJson | undefined> {
  const actor = person(context);
  if (await services.access.isApprover(actor.aadObjectId)) return undefined;
  await refusal(services, context, plan, 'not an approver');
  return planCardFor(services, context, plan, t(localeFor(context), 'approvalNotApprover'));
}

/** A refused decision is on record (folded with the same ones of the minute; audit.ts); it never stops the answer. */
async function refusal(services: BotServices, context: TurnContext, plan: Plan, reason: string) {
  const actor = person(context);
  await services.audit
    .refusal({ event: 'approval.refused', actor, planId: plan.id, digest: plan.digest, conversationId: context.activity.conversation.id, subject: verbOf(context.activity.value), outcome: reason })
    .catch((error) => services.logger.error({ err: error, planId: plan.id }, 'could not audit a refused decision'));
}

/**
 * Starts the run of an approved plan, at once. Should it fail, the approval already holds the
 * record that the run must happen: the run starts on "resume", at start-up, or when the plan is
 * approved or retried again. Returns whether it started.
 */
async function startRun(services: BotServices, plan: Plan, report: Run['report']): Promise<boolean> {
  try {
    await services.runner.start(plan, report);
    await services.plans.runStarted(plan.id).catch(() => undefined);
    return true;
  } catch (error) {
    services.logger.error({ err: error, planId: plan.id }, 'could not start the run of an approved plan; it starts on resume');
    return false;
  }
}

/** What happened is on record; a failure to write it is logged and changes nothing else. */
async function record(services: BotServices, entry: AuditEntry) {
  await services.audit.append(entry).catch((error) => services.logger.error({ err: error, planId: entry.planId }, 'could not write to the audit trail'));
}

/** `plan.view`: the refresh of the approval card, each approver's own view. */
export const planRefresh: Make<CardHandler> = (services) => async (context, _state, data) => {
  const plan = await lookUpPlan(services, context, data);
  if (typeof plan === 'string') return plan;
  await services.plans.expireIfDue(plan.id);
  return planCardFor(services, context, plan);
};

/** `plan.approve`: an approver's approval; the last one needed starts the run. */
export const planApprove: Make<CardHandler> = (services) => async (context, state, data) => {
  const locale = localeFor(context);
  const plan = await lookUpPlan(services, context, data);
  if (typeof plan === 'string') return plan;
  const actor = person(context);
  const here = context.activity.conversation.id;
  const refused = await notApprover(services, context, plan);
  if (refused) return refused;
  const approval = await services.plans.approval(plan.id);
  const session = sessionOf(state);
  if (approval?.status === 'pending' && here === plan.conversationId && session?.planId && session.planId !== plan.id) {
    return planCardFor(services, context, plan, t(locale, 'planStale'));
  }
  const report: Run['report'] = {
    conversationId: here,
    activityId: context.activity.replyToId,
    reference: TurnContext.getConversationReference(context.activity),
    locale,
  };
  // The approving decision and the record that its run must happen are one guarded write.
  const result = await services.plans.decide(plan.id, 'approve', typeof data.digest === 'string' ? data.digest : '', actor, rules(services), undefined, report);
  if (!result) return t(locale, 'planUnknown');
  const decided = result.approval;
  switch (result.outcome) {
    case 'digestMismatch':
      return planCardFor(services, context, plan, t(locale, 'planStale'));
    case 'superseded':
      await refusal(services, context, plan, 'superseded');
      return planCardFor(services, context, plan, t(locale, 'approvalSuperseded'));
    case 'ownPlan':
      await refusal(services, context, plan, 'two-person rule');
      return planCardFor(services, context, plan, t(locale, 'approvalOwnPlan'));
    case 'already':
      // Approved, yet without a run (its start failed, or is still on its way): it starts now, once.
      if (decided.status === 'approved' && !(await services.plans.run(plan.id)) && !(await startRun(services, plan, decided.run ?? report))) {
        return planCardFor(services, context, plan, t(locale, 'approvalRunDeferred'));
      }
      return planCardFor(services, context, plan, alreadyText(locale, decided));
    case 'expired':
      await record(services, { event: 'plan.expired', planId: plan.id, digest: plan.digest, conversationId: here });
      await broadcast(services, plan, locale, context.activity.replyToId).catch(() => undefined);
      return planCardFor(services, context, plan);
    case 'recorded':
      await record(services, { event: 'plan.approved', actor, planId: plan.id, digest: plan.digest, conversationId: here, outcome: 'more approvals needed' });
      await broadcast(services, plan, locale, context.activity.replyToId).catch(() => undefined);
      return planCardFor(services, context, plan);
    case 'decided': {
      // Everyone sees the decision first; the run's own updates follow. Neither the audit entry
      // nor the cards decide whether the run happens: the decision did.
      await broadcast(services, plan, locale, context.activity.replyToId).catch((error) => services.logger.warn({ err: error, planId: plan.id }, 'could not update the approval cards'));
      await record(services, { event: 'plan.approved', actor, planId: plan.id, digest: plan.digest, conversationId: here, outcome: 'approved' });
      const started = await startRun(services, plan, report);
      await tellRequester(services, context, plan.conversationId, t(locale, 'approvalApprovedNotice', { user: escapeMarkdown(actor.name ?? '') }));
      return planCardFor(services, context, plan, started ? undefined : t(locale, 'approvalRunDeferred'));
    }
  }
};


// A comment may span lines; other control characters and invisible ones (bidi, zero-width) are refused.
const Reject = PlanRef.extend({
  comment: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .refine((v) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\p{Cf}\u2028\u2029]/u.test(v)),
});

/** `plan.reject`: an approver's rejection, with a comment. */
export const planReject: Make<CardHandler> = (services) => async (context, _state, data) => {
  const locale = localeFor(context);
  const plan = await lookUpPlan(services, context, data);
  if (typeof plan === 'string') return plan;
  const actor = person(context);
  const here = context.activity.conversation.id;
  const refused = await notApprover(services, context, plan);
  if (refused) return refused;
  const parsed = Reject.safeParse(data);
  if (!parsed.success) return planCardFor(services, context, plan, t(locale, 'planRejectCommentError'));
  const result = await services.plans.decide(plan.id, 'reject', parsed.data.digest ?? '', actor, rules(services), parsed.data.comment);
  if (!result) return t(locale, 'planUnknown');
  if (result.outcome === 'digestMismatch') return planCardFor(services, context, plan, t(locale, 'planStale'));
  if (result.outcome === 'superseded') {
    await refusal(services, context, plan, 'superseded');
    return planCardFor(services, context, plan, t(locale, 'approvalSuperseded'));
  }
  if (result.outcome === 'already') return planCardFor(services, context, plan, alreadyText(locale, result.approval));
  if (result.outcome === 'decided') {
    await record(services, { event: 'plan.rejected', actor, planId: plan.id, digest: plan.digest, conversationId: here, outcome: parsed.data.comment });
    await broadcast(services, plan, locale, context.activity.replyToId).catch(() => undefined);
    await tellRequester(services, context, plan.conversationId, t(locale, 'approvalRejectedNotice', { user: escapeMarkdown(actor.name ?? ''), comment: escapeMarkdown(parsed.data.comment) }));
  }
  return planCardFor(services, context, plan);
};

/** `approval.request`: "Request approval": the approval card goes to the approvers' chat (configured) or this shared chat. */
export const approvalRequest: Make<CardHandler> = (services) => async (context, _state, data) => {
  const locale = localeFor(context);
  const plan = await lookUpPlan(services, context, data);
  if (typeof plan === 'string') return plan;
  const actor = person(context);
  const here = context.activity.conversation.id;
  const approval = await services.plans.approval(plan.id);
  if (approval?.status !== 'pending' || plan.conversationId !== here) return planCardFor(services, context, plan);
  const target = services.config.access.approvalConversationId ?? (isPersonalChat(context) ? undefined : here);
  if (!target) return planCardFor(services, context, plan, t(locale, 'approvalNoChat'));
  // The requester's own card is a copy too: it follows every decision.
  await services.plans.postedTo(plan.id, here, context.activity.replyToId);
  const posted = await services.notifier.post(target, await baseCard(services, plan, target, locale));
  if (!posted) return planCardFor(services, context, plan, t(locale, 'approvalChatUnknown'));
  await services.plans.postedTo(plan.id, target, posted);
  await record(services, { event: 'plan.requested', actor, planId: plan.id, digest: plan.digest, conversationId: target });
  return planCardFor(services, context, plan, t(locale, target === here ? 'approvalPostedHere' : 'approvalPostedThere'));
};

function alreadyText(locale: ReturnType<typeof localeFor>, approval: { status: string; decidedBy?: { name?: string }; decidedAt?: string }) {
  const key = approval.status === 'approved' ? 'approvalAlreadyApproved' : approval.status === 'rejected' ? 'approvalAlreadyRejected' : 'approvalAlreadyDecided';
  return t(locale, key, { user: escapeMarkdown(approval.decidedBy?.name ?? ''), time: when(approval.decidedAt) });
}

/** The verb of the card action an invoke carries ('' when it has none). */
function verbOf(value: unknown): string {
  const verb = (value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
  return typeof verb === 'string' ? verb : '';
}
