import { MessageFactory, type TurnContext } from 'botbuilder';
import type { AuditEntry } from '../../approvals/audit';
import { cardAttachment, escapeMarkdown, type AdaptiveCardJson } from '../../cards/render';
import { MAX_RETRIES } from '../../provisioning/run/runner';
import type { Plan } from '../../setup/plan';
import { t } from '../../i18n';
import { actorOf, localeFor } from '../context';
import { broadcast, lookUpPlan, planCardFor } from '../planView';
import { applyEvent, sessionOf } from '../session';
import type { BotServices } from '../services';
import type { SetupTurnState } from '../state';
import { stepCard } from '../steps';

/**
 * The plan card's verbs for the requester: cancel, retry what failed, and continue. Approvals:
 * approval.ts. Cancelling (the card's button and the typed `cancel`) and retrying go through one
 * path each, with the same checks and the same audit entries however they are asked for.
 */

/** How a cancel or retry was asked for: the card's verb, or a typed command. */
export type Via = 'plan.cancel' | 'plan.retry' | 'cancel';

export type PlanStepResult = { done: true; notice?: string } | { done: false; notice: string };

const sameId = (a: string | undefined, b: string | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** A refused cancel or retry is on record (folded per minute, audit.ts) and changes nothing. */
async function refused(services: BotServices, context: TurnContext, plan: Plan, via: Via, reason: string, notice: string): Promise<PlanStepResult> {
  const actor = actorOf(context);
  await services.audit
    .refusal({ event: 'plan.refused', actor: { aadObjectId: actor.aadObjectId, name: actor.name }, planId: plan.id, digest: plan.digest, conversationId: context.activity.conversation.id, subject: via, outcome: reason })
    .catch((error) => services.logger.error({ err: error, planId: plan.id }, 'could not audit a refused plan command'));
  return { done: false, notice };
}

async function record(services: BotServices, entry: AuditEntry): Promise<void> {
  await services.audit.append(entry).catch((error) => services.logger.error({ err: error, planId: entry.planId }, 'could not write to the audit trail'));
}

/**
 * Cancels a plan waiting for approval. Only its requester may (approvers reject instead); the
 * digest must be the stored plan's. On record, and every posted copy of its card shows it.
 */
export async function cancelPlan(services: BotServices, context: TurnContext, state: SetupTurnState, plan: Plan, digest: string, via: 'plan.cancel' | 'cancel'): Promise<PlanStepResult> {
  const locale = localeFor(context);
  const actor = actorOf(context);
  if (!sameId(actor.aadObjectId, plan.createdBy.aadObjectId)) {
    const notice = via === 'cancel' ? t(locale, 'cancelNotRequester', { user: escapeMarkdown(plan.createdBy.name ?? '') }) : t(locale, 'planCancelOnlyRequester');
    return refused(services, context, plan, via, 'not the requester', notice);
  }
  const person = { aadObjectId: actor.aadObjectId, name: actor.name };
  const result = await services.plans.decide(plan.id, 'cancel', digest, person);
  if (result?.outcome === 'superseded') return { done: false, notice: t(locale, 'approvalSuperseded') };
  if (result?.outcome === 'digestMismatch') return { done: false, notice: t(locale, 'planStale') };
  if (result?.outcome === 'decided') {
    await record(services, { event: 'plan.cancelled', actor: person, planId: plan.id, digest: plan.digest, conversationId: context.activity.conversation.id, subject: via });
    await broadcast(services, plan, locale, context.activity.replyToId).catch(() => undefined);
    if (sessionOf(state)?.planId === plan.id) applyEvent(state, { type: 'planSettled' });
  }
  return { done: true };
}

/**
 * Retries what failed in an approved plan's run: its requester or an approver may, at most
 * MAX_RETRIES times per run. An approved plan without a run (its start failed) is started.
 */
export async function retryPlan(services: BotServices, context: TurnContext, plan: Plan): Promise<PlanStepResult> {
  const locale = localeFor(context);
  const actor = actorOf(context);
  const person = { aadObjectId: actor.aadObjectId, name: actor.name };
  const here = context.activity.conversation.id;
  if (!sameId(actor.aadObjectId, plan.createdBy.aadObjectId) && !(await services.access.isApprover(actor.aadObjectId))) {
    return refused(services, context, plan, 'plan.retry', 'not the requester or an approver', t(locale, 'planRetryNotAllowed'));
  }
  const [approval, run] = await Promise.all([services.plans.approval(plan.id), services.plans.run(plan.id)]);
  if (!run) {
    if (approval?.status !== 'approved') return { done: true };
    await services.runner.start(plan, approval.run ?? { conversationId: plan.conversationId, activityId: context.activity.replyToId, locale });
    await services.plans.runStarted(plan.id).catch(() => undefined);
    await record(services, { event: 'plan.retried', actor: person, planId: plan.id, digest: plan.digest, conversationId: here, subject: 'plan.retry', outcome: 'run started', outcomeKey: 'auditOutcomeRunStarted' });
    return { done: true };
  }
  if (run.status === 'failed' && (run.retries ?? 0) >= MAX_RETRIES) {
    return refused(services, context, plan, 'plan.retry', 'retry limit', t(locale, 'planRetryLimit', { count: MAX_RETRIES }));
  }
  const retried = await services.runner.retryFailed(plan.id);
  if (retried?.status === 'running' && retried.retries !== run.retries) {
    await record(services, { event: 'plan.retried', actor: person, planId: plan.id, digest: plan.digest, conversationId: here, subject: 'plan.retry', outcome: `retry ${retried.retries} of ${MAX_RETRIES}`, outcomeKey: 'auditOutcomeRetry', outcomeVars: { round: retried.retries ?? 0, max: MAX_RETRIES } });
  }
  return { done: true };
}

export function planCancel(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson | string> => {
    const plan = await lookUpPlan(services, context, data);
    if (typeof plan === 'string') return plan;
    const result = await cancelPlan(services, context, state, plan, typeof data.digest === 'string' ? data.digest : '', 'plan.cancel');
    return planCardFor(services, context, plan, result.notice);
  };
}

export function planRetry(services: BotServices) {
  return async (context: TurnContext, _state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson | string> => {
    const plan = await lookUpPlan(services, context, data);
    if (typeof plan === 'string') return plan;
    const result = await retryPlan(services, context, plan);
    return planCardFor(services, context, plan, result.notice);
  };
}

/**
 * "Continue" after a completed (or empty) plan: the next step of the procedure, as a new card
 * below this one; this card becomes the record of what was applied, without Continue.
 */
export function planContinue(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson | string> => {
    const locale = localeFor(context);
    const plan = await lookUpPlan(services, context, data);
    if (typeof plan === 'string') return plan;
    const run = await services.plans.run(plan.id);
    const finished = plan.actions.length === 0 || run?.status === 'completed';
    if (!finished) return planCardFor(services, context, plan);
    let session = sessionOf(state);
    if (session?.planId === plan.id) {
      session = applyEvent(state, { type: 'planCompleted', kind: plan.kind });
      if (plan.kind === 'admin') await context.sendActivity(`${t(locale, 'adminComplete')} ${t(locale, 'nextStepIntegration')}`);
    }
    if (!session) return planCardFor(services, context, plan);
    // The plan card stays in the chat as the record of what was done; the next step comes below it.
    await context.sendActivity(MessageFactory.attachment(cardAttachment(await stepCard(services, context, session))));
    return planCardFor(services, context, plan, undefined, undefined, { movedOn: true });
  };
}
