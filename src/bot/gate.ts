import { ActivityTypes, type Activity, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { t, type StringKey } from '../i18n';
import { TEAMS_CHANNEL_ID } from './adapter';
import { actorOf, answerInvoke, commandOf, localeFor, type Actor } from './context';
import { approversMayUse } from './routes';
import type { BotServices } from './services';
import type { SetupTurnState } from './state';

/**
 * The one gate every activity passes before any route runs (teams-ai `beforeTurn`). In order:
 * 0. the activity must come through Microsoft Teams (channel id `msteams`; in tenant mode the
 *    adapter has already refused any other with 401, and the Agents Playground is started with
 *    `--channel-id msteams`);
 * 1. the activity must come from the tenant the bot serves (in sandbox mode, the sandbox tenant);
 * 2. the sender must be an admin; an approver who is not one passes only with a route routes.ts
 *    marks for approvers (the approval card's verbs), whose handlers then apply the approver policy;
 * 3. the envelope must have the shape the routes expect (text is text, an Action.Execute names a
 *    verb), so no handler sees a message body or invoke of another shape.
 * A refusal is polite, carries no tenant data, answers every invoke (Teams retries an invoke left
 * unanswered), is audited (folded with the same refusals of the minute, counted), and changes
 * nothing else: no handler runs and no state is written.
 */

const ACTION_INVOKE = 'adaptiveCard/action';
const MAX_SUBJECT = 100;

/** The Action.Execute envelope; `data` is each verb's own to validate. */
const ExecuteEnvelope = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string().regex(/^[A-Za-z][A-Za-z0-9._-]{0,99}$/),
    data: z.unknown().optional(),
  }),
});

const MessageEnvelope = z.object({ text: z.string().nullish() });

type Kind = 'message' | 'action' | 'invoke' | 'botAdded' | 'other';

function kindOf(activity: Activity): Kind {
  switch (activity.type) {
    case ActivityTypes.Message:
      return 'message';
    case ActivityTypes.Invoke:
      return activity.name === ACTION_INVOKE ? 'action' : 'invoke';
    case ActivityTypes.ConversationUpdate:
      return (Array.isArray(activity.membersAdded) ? activity.membersAdded : []).some((m) => m?.id !== undefined && m.id === activity.recipient?.id)
        ? 'botAdded'
        : 'other';
    default:
      return 'other';
  }
}

/** Printable, short: what goes into the audit as the subject of a refusal. */
function clean(value: string): string {
  return value.replace(/[\p{Cc}\p{Cf}]/gu, '').slice(0, MAX_SUBJECT);
}

function verbOf(activity: Activity): string | undefined {
  const verb = (activity.value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
  return typeof verb === 'string' ? clean(verb) : undefined;
}

/** The command or verb the activity asks for, for the audit. */
export function subjectOf(activity: Activity): string {
  switch (kindOf(activity)) {
    case 'message':
      return commandOf(activity) ?? 'message';
    case 'action':
      return verbOf(activity) ?? ACTION_INVOKE;
    case 'invoke':
      return clean(`invoke:${String(activity.name ?? '')}`);
    case 'botAdded':
      return 'conversationUpdate:botAdded';
    default:
      return clean(String(activity.type ?? 'unknown'));
  }
}

/**
 * Every tenant id the activity names (Teams sends it in conversation and in channel data). An
 * activity is from our tenant only when it names at least one and all of them are ours.
 */
export function tenantsOf(activity: Activity): string[] {
  const named = [activity.conversation?.tenantId, (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id];
  return named.filter((id): id is string => id !== undefined && id !== null).map((id) => String(id).trim().toLowerCase());
}

export function fromTenant(activity: Activity, tenantId: string): boolean {
  const named = tenantsOf(activity);
  return named.length > 0 && named.every((id) => id === tenantId.toLowerCase());
}

/** Tells the sender, in the way the activity allows: the invoke's answer, or a message. */
async function answer(context: TurnContext, kind: Kind, key: StringKey): Promise<void> {
  const text = t(localeFor(context), key);
  if (kind === 'action' || kind === 'invoke') await answerInvoke(context, text);
  else if ((kind === 'message' || kind === 'botAdded') && context.activity.conversation?.id) await context.sendActivity(text);
}

type Reason = 'other channel' | 'other tenant' | 'not an admin' | 'not an approver' | 'access check failed';

async function refuse(services: BotServices, context: TurnContext, kind: Kind, actor: Actor, reason: Reason, key: StringKey): Promise<false> {
  // What nobody asked for (typing, reactions, other conversation updates) is dropped quietly.
  if (kind === 'other') return false;
  try {
    // Folded per actor, conversation, subject and reason each minute, with a count (audit.ts).
    await services.audit.refusal({
      event: 'access.refused',
      actor: { aadObjectId: actor.aadObjectId ? clean(actor.aadObjectId) : undefined, name: actor.name ? clean(actor.name) : undefined },
      subject: subjectOf(context.activity),
      conversationId: context.activity.conversation?.id ? clean(context.activity.conversation.id) : undefined,
      outcome: reason,
    });
  } catch (error) {
    services.logger.error({ err: error }, 'could not audit a refusal');
  }
  services.logger.warn({ reason, subject: subjectOf(context.activity), actor: actor.aadObjectId }, 'access refused');
  await answer(context, kind, key);
  return false;
}

export function accessGate(services: BotServices) {
  return async (context: TurnContext, _state: SetupTurnState): Promise<boolean> => {
    const activity = context.activity;
    const kind = kindOf(activity);
    const actor = actorOf(context);

    if (activity.channelId !== TEAMS_CHANNEL_ID) {
      return refuse(services, context, kind, actor, 'other channel', 'securityOtherChannel');
    }
    if (!fromTenant(activity, services.config.tenantId)) {
      return refuse(services, context, kind, actor, 'other tenant', 'securityOtherTenant');
    }

    let admin: boolean;
    try {
      admin = await services.access.isAdmin(actor.aadObjectId);
    } catch (error) {
      services.logger.warn({ err: error }, 'admin check failed');
      return refuse(services, context, kind, actor, 'access check failed', 'securityCheckFailed');
    }
    if (!admin) {
      const forApprovers = kind === 'action' ? approversMayUse({ verb: verbOf(activity) }) : kind === 'message' && approversMayUse({ command: commandOf(activity) });
      if (!forApprovers) return refuse(services, context, kind, actor, 'not an admin', 'securityNotAllowed');
      let approver: boolean;
      try {
        approver = await services.access.isApprover(actor.aadObjectId);
      } catch (error) {
        services.logger.warn({ err: error }, 'approver check failed');
        return refuse(services, context, kind, actor, 'access check failed', 'securityCheckFailed');
      }
      if (!approver) return refuse(services, context, kind, actor, 'not an approver', 'securityNotApprover');
    }

    if (kind === 'message' && !MessageEnvelope.safeParse(activity).success) {
      await answer(context, kind, 'securityTextOnly');
      return false;
    }
    if (kind === 'action' && !ExecuteEnvelope.safeParse(activity.value).success) {
      await answer(context, kind, 'securityBadAction');
      return false;
    }
    return true;
  };
}
