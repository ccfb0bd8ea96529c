import { coded, isAppError } from '../../../errors';
import type { Action } from '../../../setup/plan';
import type { CreateUserInput } from '../../clients/graph/directory';
import { generatePassword } from './password';
import type { ActionHandler } from './types';

type CreateUser = Extract<Action, { type: 'createUser' }>;

/** The Graph account for a createUser action: the same for one user and for a bulk $batch. */
export function createUserInput(action: CreateUser, password: string): CreateUserInput {
  const { target, params } = action;
  return {
    userPrincipalName: target.userPrincipalName,
    displayName: target.displayName ?? target.userPrincipalName,
    mailNickname: params.mailNickname,
    usageLocation: params.usageLocation,
    givenName: params.givenName,
    surname: params.surname,
    jobTitle: params.jobTitle,
    department: params.department,
    ...(params.mail ? { mail: params.mail } : {}),
    ...params.profile,
    accountEnabled: true,
    password,
    forceChangePasswordNextSignIn: !params.deliverPassword,
  };
}

/**
 * Creates the Entra account. An account that already exists with this UPN counts as done (the
 * create may have happened before a lost response or a crash); its password is then unknown to
 * us, and the requester is told to reset it where one must be delivered.
 */
export const createUser: ActionHandler<CreateUser> = async (action, context) => {
  const { target, params } = action;
  const { directory } = context.clients;
  const existing = await directory.getUser(target.userPrincipalName);
  if (existing) return { already: true };
  if (params.deliverPassword && !context.deliverSecret) {
    throw coded('invalid_input', 'errPasswordNeedsPersonalChat');
  }
  const password = generatePassword();
  try {
    await directory.createUser(createUserInput(action, password));
  } catch (error) {
    if (!isAppError(error, 'upn_exists')) throw error;
    // The create went through but its answer was lost: the account is there, so this is done.
    if (await directory.getUser(target.userPrincipalName)) return { already: true };
    throw error;
  }
  if (params.deliverPassword) {
    try {
      await context.deliverSecret!(action, password);
    } catch (cause) {
      throw coded('service_error', 'errPasswordNotShown', { user: target.userPrincipalName }, { cause });
    }
  }
  return {};
};
