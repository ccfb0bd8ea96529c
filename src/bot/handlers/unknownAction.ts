import type { TurnContext } from 'botbuilder';
import { t } from '../../i18n';
import { answerInvoke, localeFor } from '../context';

/**
 * Last route for invokes: a verb no route knows (a card from an older version, or a made-up verb)
 * still gets an answer, so Teams neither retries nor shows a failure without a reason.
 */
export async function unknownAction(context: TurnContext): Promise<void> {
  await answerInvoke(context, t(localeFor(context), 'securityUnknownAction'));
}
