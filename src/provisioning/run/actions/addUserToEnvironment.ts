import { coded, isAppError } from '../../../errors';
import type { Action } from '../../../setup/plan';
import { entraId } from './resolve';
import type { ActionHandler } from './types';

type AddUserToEnvironment = Extract<Action, { type: 'addUserToEnvironment' }>;

/**
 * Power Platform addUser forces a licensed Entra user into the environment. It answers
 * userNotLicensed until the licence has propagated, so it is retried on that answer only, then
 * the Sales user is awaited.
 */
export const addUserToEnvironment: ActionHandler<AddUserToEnvironment> = async (action, context) => {
  const { clients, environment, settings, sleep, now } = context;
  const userId = await entraId(action.target, context);
  const sales = clients.sales(environment.dataverseUrl);
  const present = async () => {
    const user = await sales.findSystemUserByAadObjectId(userId);
    return !!user && !user.isDisabled;
  };
  if (await present()) return { already: true };

  const deadline = now() + settings.addUserTimeoutMs;
  for (;;) {
    try {
      await clients.powerPlatform.addUser(action.params.bapEnvironmentId, userId);
      break;
    } catch (error) {
      if (!isAppError(error, 'user_not_licensed') || now() >= deadline) throw error;
      await sleep(settings.addUserRetryMs);
    }
  }
  while (!(await present())) {
    if (now() >= deadline) {
      throw coded('service_timeout', 'errSalesUserTimeout', { user: action.target.userPrincipalName, seconds: String(Math.round(settings.addUserTimeoutMs / 1000)) });
    }
    await sleep(settings.pollMs);
  }
  return {};
};
