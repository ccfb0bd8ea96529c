import { AppError, coded, SERVICE_NAMES, type ErrorCode } from '../../errors';
import type { StringKey } from '../../i18n';
import { grantFor, grantSentence } from '../../permissions';
import { retryAfterMs } from './retry';
import type { HttpResponse } from './types';

/** Query strings can carry user data; logs keep only the path. */
export function redactQuery(url: string): string {
  const index = url.indexOf('?');
  return index < 0 ? url : `${url.slice(0, index)}?…`;
}

/** The `{ error: { code, message } }` shape all four services use for errors. */
export function readServiceError(response: HttpResponse): { code?: string; message?: string } {
  try {
    // Most services wrap the error in `error`; Business Central's admin center API answers
    // `{ code, message }` at the top level (Learn "The Business Central Administration Center API", "Error Format").
    const parsed = response.json<{ error?: { code?: unknown; message?: unknown }; code?: unknown; message?: unknown }>();
    const inner = parsed?.error ?? parsed;
    const code = typeof inner?.code === 'string' ? inner.code : undefined;
    const message = typeof inner?.message === 'string' ? inner.message : undefined;
    return { code, message };
  } catch {
    return {};
  }
}

/**
 * The generic mapping from a failed response to a coded error with a message an admin can act
 * on. Clients check their service-specific cases first and fall back to this. The service's own
 * text stays in `cause` (for the log), never in the message.
 */
/** A service-specific case: its code and either an English message or a catalogue key with its variables. */
export type SpecificError = { code: ErrorCode; message: string } | { code: ErrorCode; key: StringKey; vars?: Record<string, string> };

export function toServiceError(response: HttpResponse, what: string, specific?: SpecificError): AppError {
  const service = response.service;
  const { code: serviceCode, message: serviceMessage } = readServiceError(response);
  const name = SERVICE_NAMES[service];
  const options = {
    service,
    status: response.status,
    serviceCode,
    cause: new Error(`${response.status} ${serviceCode ?? ''} ${serviceMessage ?? ''}`.trim()),
    retryAfterSeconds: (() => {
      const ms = retryAfterMs(response.headers);
      return ms === undefined ? undefined : Math.ceil(ms / 1000);
    })(),
  };
  if (specific && 'key' in specific) return coded(specific.code, specific.key, specific.vars ?? {}, options);
  if (specific) return new AppError(specific.code, specific.message, options);
  switch (response.status) {
    case 401: {
      // Business Central answers 401 (Authentication_InvalidCredentials) to a valid token of an app
      // it does not admit: no API.ReadWrite.All, or not on its "Microsoft Entra Applications" page;
      // its admin center answers 401 to an app without AdminCenter.ReadWrite.All or not authorised there.
      if (service === 'bc') {
        const grant = grantFor('bc', response.request) ?? 'bc:s2s';
        return new AppError('forbidden', `${name} refused to ${what}: ${grantSentence(grant)}.`, { ...options, grant });
      }
      return new AppError('auth_failed', `${name} did not accept the app's credentials while trying to ${what}. Check the app registration's secret or certificate.`, options);
    }
    case 403: {
      const grant = grantFor(service, response.request);
      return new AppError(
        'forbidden',
        grant ? `${name} refused to ${what}: ${grantSentence(grant)}.` : `${name} refused to ${what}: the app registration lacks a permission. See the README's permission list.`,
        { ...options, grant },
      );
    }
    case 404:
      return new AppError('not_found', `${name} could not find what was needed to ${what}.`, options);
    case 409:
      return new AppError('conflict', `${name} reported a conflict while trying to ${what}.`, options);
    case 429:
      return new AppError('service_throttled', `${name} is throttling requests; could not ${what}. Try again in a few minutes.`, options);
    case 503:
      return new AppError('service_unavailable', `${name} is temporarily unavailable; could not ${what}. Try again in a few minutes.`, options);
    default:
      if (response.status >= 500) return new AppError('service_error', `${name} failed while trying to ${what} (HTTP ${response.status}). Try again later.`, options);
      return new AppError('bad_request', `${name} rejected the request to ${what} (HTTP ${response.status}).`, options);
  }
}
