import { coded } from '../../../errors';
import type { Action } from '../../../setup/plan';
import { entraId } from './resolve';
import type { ActionHandler } from './types';

type SetMail = Extract<Action, { type: 'setMail' }>;

/**
 * Gives an account without a mailbox the salesperson's e-mail as `mail` (Graph PATCH /users), then
 * the same address as its Sales user's primary e-mail, which Business Central's Match-Based
 * Coupling matches on. Only a missing `mail` is set: one that appeared since the plan was made is
 * left alone and the step fails saying so. Safe to run twice.
 */
export const setMail: ActionHandler<SetMail> = async (action, context) => {
  const { directory } = context.clients;
  const id = await entraId(action.target, context);
  const user = await directory.getUser(id);
  if (!user) throw coded('not_found', 'errNoEntraAccount', { user: action.target.userPrincipalName });
  const wanted = action.params.mail;
  const same = (a: string | null | undefined) => (a ?? '').toLowerCase() === wanted.toLowerCase();
  let already = same(user.mail);
  if (!already) {
    if (user.mail) throw coded('conflict', 'errMailSetMeanwhile', { user: action.target.userPrincipalName, mail: user.mail });
    await directory.updateUser(id, { mail: wanted });
  }
  if (action.target.systemUserId) {
    const sales = context.clients.sales(context.environment.dataverseUrl);
    const salesUser = await sales.getSystemUser(action.target.systemUserId);
    if (!salesUser) throw coded('not_found', 'errNotSalesUser', { user: action.target.userPrincipalName });
    if (!same(salesUser.email)) {
      await sales.setPrimaryEmail(salesUser.id, wanted);
      already = false;
    }
  }
  return already ? { already: true } : {};
};
