import { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Approval, Person } from '../approvals/approval';
import { planCard, type PlanRights } from '../cards/setup';
import type { AdaptiveCardJson } from '../cards/render';
import { t, type Locale } from '../i18n';
import type { Action, Plan, PlanEnvironment, PlanKind, Run } from '../setup/plan';
import { guid } from '../setup/validation';
import { actorOf, isPersonalChat, localeFor, type Actor } from './context';
import type { BotServices } from './services';

/**
 * The plan card as each person sees it. Card data carries only a plan id and a digest: the plan
 * is looked up and must belong to this conversation (where it was made, or where its approval
 * card was posted); the approval binds to the stored plan's digest.
 */

export const PlanRef = z.object({ planId: guid, digest: z.string().regex(/^[0-9a-f]{64}$/).optional() });

export async function lookUpPlan(services: BotServices, context: TurnContext, data: unknown): Promise<Plan | string> {
  const locale = localeFor(context);
  const parsed = PlanRef.safeParse(data);
  if (!parsed.success) return t(locale, 'planUnknown');
  const plan = await services.plans.get(parsed.data.planId.toLowerCase());
  if (!plan) return t(locale, 'planUnknown');
  const here = context.activity.conversation.id;
  if (plan.conversationId === here) return plan;
  const approval = await services.plans.approval(plan.id);
  return approval?.postedTo?.some((p) => p.conversationId === here) ? plan : t(locale, 'planUnknown');
}

const sameId = (a: string | undefined, b: string | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

export async function rightsOf(services: BotServices, actor: Actor | Person, plan: Plan, approval: Approval | undefined): Promise<PlanRights> {
  const none = { approve: false, reject: false, cancel: false, request: false };
  if (approval?.status !== 'pending') return none;
  const approver = await services.access.isApprover(actor.aadObjectId);
  const requester = sameId(actor.aadObjectId, plan.createdBy.aadObjectId);
  const approvedAlready = (approval.approvals ?? []).some((a) => sameId(a.aadObjectId, actor.aadObjectId));
  const approve = approver && !approvedAlready && !(services.config.access.twoPersonRule && requester);
  return {
    approve,
    reject: approver && !requester,
    cancel: requester,
    request: requester && !approve && !(approval.postedTo ?? []).some((p) => p.conversationId !== plan.conversationId),
  };
}

/**
 * Teams ids of the members who may still approve (at most 60), for refresh.userIds: approvers who
 * have not approved yet, and not the requester when the two-person rule is on.
 */
export async function approverIds(services: BotServices, conversationId: string, plan: Plan, approval: Approval | undefined): Promise<string[]> {
  const members = (await services.notifier.members(conversationId).catch(() => [])).filter(
    (member) =>
      !(services.config.access.twoPersonRule && sameId(member.aadObjectId, plan.createdBy.aadObjectId)) &&
      !(approval?.approvals ?? []).some((a) => sameId(a.aadObjectId, member.aadObjectId)),
  );
  // One directory lookup for the whole chat, not one per member.
  const approvers = await services.access.approversAmong(members.map((member) => member.aadObjectId));
  return members.filter((member) => !!member.aadObjectId && approvers.has(member.aadObjectId.toLowerCase())).slice(0, 60).map((member) => member.id);
}

/** The run as the card shows it: the runner's own copy when its last state could not be stored. */
async function runOf(services: BotServices, plan: Plan): Promise<Run | undefined> {
  return services.runner.unsaved?.(plan.id) ?? services.plans.run(plan.id);
}

/**
 * The card for the person in this turn. It carries no refresh: an invoke answer is that person's
 * own view, while the shared message (baseCard, with the approvers' refresh) is updated for
 * everyone by broadcast.
 */
export async function planCardFor(
  services: BotServices,
  context: TurnContext,
  plan: Plan,
  notice?: string,
  nothingText?: string,
  options: { movedOn?: boolean } = {},
): Promise<AdaptiveCardJson> {
  const [approval, run] = await Promise.all([services.plans.approval(plan.id), runOf(services, plan)]);
  const rights = await rightsOf(services, actorOf(context), plan, approval);
  return planCard({ plan, approval, run, rights, notice, nothingText, movedOn: options.movedOn }, localeFor(context));
}

/** The card everyone sees where the approval was posted: status, no buttons; approvers refresh to theirs. */
export async function baseCard(services: BotServices, plan: Plan, conversationId: string, locale: Locale): Promise<AdaptiveCardJson> {
  const [approval, run] = await Promise.all([services.plans.approval(plan.id), runOf(services, plan)]);
  const refreshUserIds = approval?.status === 'pending' ? await approverIds(services, conversationId, plan, approval) : [];
  return planCard({ plan, approval, run, rights: { approve: false, reject: false, cancel: false, request: false }, refreshUserIds }, locale);
}

/** After a decision: every posted copy of the approval card shows it, for everyone. */
export async function broadcast(services: BotServices, plan: Plan, locale: Locale, except?: string): Promise<void> {
  const approval = await services.plans.approval(plan.id);
  for (const copy of approval?.postedTo ?? []) {
    if (!copy.activityId || copy.activityId === except) continue;
    try {
      await services.notifier.update(copy.conversationId, copy.activityId, await baseCard(services, plan, copy.conversationId, locale));
    } catch (error) {
      services.logger.warn({ err: error, planId: plan.id }, 'could not update a copy of the approval card');
    }
  }
}

/**
 * A plan made in this turn: by the person acting, in this conversation, on exactly these
 * environments. Made in a personal chat, it remembers that chat: the only place a generated
 * password may be shown. An older plan for the same step still waiting for approval is
 * superseded: it is on record, and every posted copy of its card says so.
 */
export async function createPlan(
  services: BotServices,
  context: TurnContext,
  kind: PlanKind,
  environment: PlanEnvironment,
  actions: Action[],
  extra: Pick<Plan, 'licensing'> = {},
): Promise<Plan> {
  const actor = actorOf(context);
  const { dataverseUrl, bapEnvironmentId, bcEnvironment, bcCompanyId } = environment;
  const { plan, superseded } = await services.plans.create({
    kind,
    environment: { dataverseUrl, bapEnvironmentId, bcEnvironment, bcCompanyId },
    actions,
    ...(extra.licensing ? { licensing: extra.licensing } : {}),
    conversationId: context.activity.conversation.id,
    createdBy: { aadObjectId: actor.aadObjectId, name: actor.name },
    // With the requester's language as this conversation reads it ("språk nb"), for the password card.
    requesterChat: isPersonalChat(context) ? ({ ...TurnContext.getConversationReference(context.activity), locale: localeFor(context) }) : undefined,
  });
  if (superseded) {
    try {
      await services.audit.append({
        event: 'plan.superseded',
        actor: plan.createdBy,
        planId: superseded.id,
        digest: superseded.digest,
        conversationId: context.activity.conversation.id,
        subject: `plan ${plan.id}`,
        outcome: 'superseded',
      });
    } catch (error) {
      services.logger.error({ err: error, planId: superseded.id }, 'could not audit a superseded plan');
    }
    await broadcast(services, superseded, localeFor(context), context.activity.replyToId).catch((error) =>
      services.logger.warn({ err: error, planId: superseded.id }, 'could not update the cards of a superseded plan'),
    );
  }
  return plan;
}
