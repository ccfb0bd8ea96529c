import type { AppError } from '../../../errors';

import { HttpResponse } from '../../http/types';
import { readServiceError, toServiceError } from '../../http/errors';

/**
 * Dataverse answers `{ error: { code: "0x…", message } }`. The codes below are Dataverse's own
 * (web service error codes); where a limit has no stable public code, the message is matched.
 */
export const DATAVERSE_ERRORS = {
  /**
   * On a role association: invalid role for the user (a copy from another business unit). The
   * same code is Dataverse's generic "bad request" elsewhere, so it is read as a role error only
   * for role operations.
   */
  invalidRole: '0x80060888',
  /** The specified user is either disabled or is not a member of any business unit. */
  userNotEnabled: '0x80040225',
  /** Duplicate key: the association or record already exists. */
  duplicate: '0x80040237',
  /** Record does not exist. */
  notFound: '0x80040217',
} as const;

export interface DataverseErrorContext {
  what: string;
  /** Set for role assignments (the role id): enables the role-specific mapping. */
  role?: string;
  user?: string;
}

export function isDataverseCode(response: HttpResponse, code: string): boolean {
  return (readServiceError(response).code ?? '').toLowerCase() === code.toLowerCase();
}

export function dataverseError(response: HttpResponse, context: DataverseErrorContext): AppError {
  const { code, message } = readServiceError(response);
  const serviceCode = (code ?? '').toLowerCase();
  const text = message ?? '';
  const user = context.user ? ` ${context.user}` : '';
  if (context.role !== undefined && serviceCode === DATAVERSE_ERRORS.invalidRole) {
    return toServiceError(response, context.what, {
      code: 'role_not_in_business_unit',
      key: 'errRoleOtherUnit',
      vars: { role: context.role ?? '', user: context.user ?? '' },
    });
  }
  if (serviceCode === DATAVERSE_ERRORS.userNotEnabled || /user is (either )?disabled|disabled user/i.test(text)) {
    return toServiceError(response, context.what, {
      code: 'user_disabled',
      ...(context.user ? { key: 'errUserDisabledSales' as const, vars: { user: context.user } } : { message: `The user${user} is disabled in Dynamics 365 Sales, and roles can be assigned only to enabled users. Check that the user is licensed and enabled in Microsoft Entra ID, wait for the sync, then try again.` }),
    });
  }
  if (/non-?interactive/i.test(text) && /(limit|maximum|max\b|more than|exceed|allowed)/i.test(text)) {
    // The environment's own limit when its message names one (MaxNumberOfNonInteractiveUsers).
    const limit = /\((\d+)\)|\b(\d+)\b/.exec(text);
    const count = limit ? (limit[1] ?? limit[2]) : undefined;
    return toServiceError(response, context.what, {
      code: 'non_interactive_limit',
      ...(count ? { key: 'errNonInteractiveLimit' as const, vars: { count } } : { key: 'errNonInteractiveLimitUnknown' as const }),
    });
  }
  if (response.status === 404 || serviceCode === DATAVERSE_ERRORS.notFound) {
    return toServiceError(response, context.what, {
      code: 'not_found',
      message: `Dynamics 365 Sales could not find what was needed to ${context.what}.`,
    });
  }
  return toServiceError(response, context.what);
}
