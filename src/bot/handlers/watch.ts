import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { AdaptiveCardJson } from '../../cards/render';
import { healthCard } from '../../cards/health';
import { watchPostCard, watchStatus, type WatchPostView } from '../../cards/watch';
import { t, type Locale } from '../../i18n';
import type { HealthReport } from '../../provisioning/observe/healthReport';
import { actorOf, localeFor } from '../context';
import { sessionOf } from '../session';
import type { BotServices } from '../services';
import type { SetupTurnState } from '../state';

/** The watch's buttons: on from the status card, off from the status card or from the watch's own post. */

const offData = z.object({ from: z.enum(['status', 'post']).default('status') });

/** The status card (the health check) with the chat's watch line and its button. */
export async function statusCard(services: BotServices, context: TurnContext, report: HealthReport): Promise<AdaptiveCardJson> {
  const locale: Locale = localeFor(context);
  const watch = await services.watch.get(context.activity.conversation.id);
  return healthCard(report, locale, watchStatus(watch, services.watch.intervalMs, locale, new Date(services.watch.now())));
}

/** The chat's environment, and whose admin roles are checked: the admin Part 1 set up, else whoever acts. */
function target(services: BotServices, context: TurnContext, state: SetupTurnState) {
  const session = sessionOf(state);
  // No environment chosen and none configured: an invalid_input error that says to choose one first.
  return { environment: services.environmentOf(session?.environment), admin: session?.admin?.userPrincipalName ?? actorOf(context).aadObjectId };
}

const who = (context: TurnContext) => {
  const actor = actorOf(context);
  return { aadObjectId: actor.aadObjectId, name: actor.name };
};

/** "Watch this setup": the check runs now as the baseline, and the status card shows the watch on. */
export function watchOn(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState): Promise<AdaptiveCardJson | string> => {
    const locale = localeFor(context);
    const conversationId = context.activity.conversation.id;
    // The watch posts later through the chat's stored reference (every turn stores it first).
    if (!(await services.notifier.reference(conversationId))) return t(locale, 'watchNoChat');
    const { environment, admin } = target(services, context, state);
    const checked = await services.watch.check(who(context), environment, admin);
    await services.watch.turnOn({ conversationId, environment, locale, actor: who(context), admin, snapshot: checked.snapshot });
    return statusCard(services, context, checked.report);
  };
}

/**
 * "Turn the watch off". On its post: the post says who turned it off and loses its buttons. On
 * the status card: the card, read anew, shows it off, and the latest post loses its buttons too.
 */
export function watchOff(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson | string> => {
    const locale = localeFor(context);
    const parsed = offData.safeParse(data);
    if (!parsed.success) return t(locale, 'securityBadAction');
    const conversationId = context.activity.conversation.id;
    const was = await services.watch.turnOff(conversationId, who(context));
    if (!was) return t(locale, 'watchAlreadyOff');
    const off = { name: who(context).name ?? '', at: new Date(services.watch.now()) };
    const post = was.lastPost;
    const clicked = context.activity.replyToId;
    if (post && post.activityId !== clicked) {
      await services.notifier
        .update(conversationId, post.activityId, watchPostCard(post.view as WatchPostView, off))
        .catch((error: unknown) => services.logger.warn({ err: error }, 'could not update the watch post'));
    }
    if (parsed.data.from === 'post') {
      return post && post.activityId === clicked ? watchPostCard(post.view as WatchPostView, off) : t(locale, 'watchTurnedOff');
    }
    const { environment, admin } = target(services, context, state);
    return statusCard(services, context, (await services.watch.check(who(context), environment, admin)).report);
  };
}
