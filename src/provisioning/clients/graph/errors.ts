import type { AppError } from '../../../errors';

import { HttpResponse } from '../../http/types';
import { readServiceError, toServiceError } from '../../http/errors';

/**
 * Graph's validation failures all arrive as 400 Request_BadRequest; what tells them apart is the
 * message text (and, for conflicts, details[].code). The patterns live here, in one place, so a
 * direct call and a `$batch` item are classified the same way.
 */

interface GraphErrorBody {
  error?: { code?: string; message?: string; details?: { code?: string; target?: string }[] };
}

export interface GraphErrorContext {
  /** What the app was trying to do, in words an admin reads ("create the user x@y"). */
  what: string;
  /** For licence errors: the SKU's name, or its id when the name is not known. */
  sku?: string;
  /** For create errors: the UPN being created. */
  userPrincipalName?: string;
}

function details(response: HttpResponse): { message: string; detailCodes: string[]; targets: string[] } {
  const { message } = readServiceError(response);
  let detailCodes: string[] = [];
  let targets: string[] = [];
  try {
    const parsed = response.json<GraphErrorBody>();
    detailCodes = (parsed?.error?.details ?? []).map((d) => d.code ?? '');
    targets = (parsed?.error?.details ?? []).map((d) => d.target ?? '');
  } catch {
    // not JSON: no details
  }
  return { message: message ?? '', detailCodes, targets };
}

export function graphError(response: HttpResponse, context: GraphErrorContext): AppError {
  const { message, detailCodes, targets } = details(response);
  const upn = context.userPrincipalName ? ` ${context.userPrincipalName}` : '';
  if (response.status === 400 || response.status === 409) {
    if (/same value for property userPrincipalName|userPrincipalName already exists/i.test(message) ||
        (detailCodes.includes('ObjectConflict') && targets.includes('userPrincipalName'))) {
      return toServiceError(response, context.what, {
        code: 'upn_exists',
        ...(context.userPrincipalName ? { key: 'errUpnExists' as const, vars: { user: context.userPrincipalName } } : { message: `A user with the user name${upn} already exists in Microsoft Entra ID.` }),
      });
    }
    if (/same value for property (proxyAddresses|mailNickname)|ObjectConflict/i.test(message) || detailCodes.includes('ObjectConflict')) {
      return toServiceError(response, context.what, {
        code: 'conflict',
        key: 'errMailConflict',
      });
    }
    if (/domain portion of the userPrincipalName|verified domain/i.test(message)) {
      const domain = context.userPrincipalName?.split('@')[1];
      return toServiceError(response, context.what, {
        code: 'domain_not_verified',
        ...(domain ? { key: 'errDomainNotVerified' as const, vars: { domain } } : { message: 'The domain is not a verified domain of this tenant. Verify it in the Microsoft 365 admin center (Settings → Domains) or use a verified domain.' }),
      });
    }
    if (/usage location/i.test(message)) {
      return toServiceError(response, context.what, {
        code: 'usage_location_missing',
        key: 'errUsageLocationMissing',
      });
    }
    if (/does not have any available licenses|no available licenses|not enough licenses|insufficient licenses/i.test(message)) {
      return toServiceError(response, context.what, {
        code: 'license_no_free_seats',
        ...(context.sku ? { key: 'errNoFreeSeats' as const, vars: { sku: context.sku } } : { message: `The licence has no free seats. Buy more seats or free one up in the Microsoft 365 admin center (Billing → Licenses), then try again.` }),
      });
    }
    if (/does not correspond to a valid company license|invalid (sku|license)|license .* (is )?not valid|skuId .* (is )?invalid/i.test(message)) {
      return toServiceError(response, context.what, {
        code: 'license_unknown_sku',
        ...(context.sku ? { key: 'errUnknownSku' as const, vars: { sku: context.sku } } : { message: `The licence is not one this tenant subscribes to. Pick a licence from the tenant's subscriptions.` }),
      });
    }
    if (/added object references already exist/i.test(message)) {
      return toServiceError(response, context.what, {
        code: 'already_member',
        key: 'errAlreadyMember',
      });
    }
    if (/password complexity|password.*(does not|doesn't) (comply|meet)/i.test(message)) {
      return toServiceError(response, context.what, {
        code: 'bad_request',
        key: 'errPasswordPolicy',
      });
    }
  }
  if (response.status === 424) {
    return toServiceError(response, context.what, {
      code: 'batch_dependency_failed',
      key: 'errBatchDependency',
    });
  }
  return toServiceError(response, context.what);
}
