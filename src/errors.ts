import { t, type Locale, type StringKey } from './i18n';
import { grantMessage, type Grant, type Service } from './permissions';

/**
 * Coded errors. Every error the product raises on purpose carries a code from this union,
 * the original cause (never shown to users), and a message an administrator can act on.
 */
export type ErrorCode =
  // configuration
  | 'config_invalid'
  // transport and services
  | 'service_throttled'
  | 'service_unavailable'
  | 'service_timeout'
  | 'service_unreachable'
  | 'service_error'
  | 'auth_failed'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'bad_request'
  // directory (Graph)
  | 'upn_exists'
  | 'domain_not_verified'
  | 'usage_location_missing'
  | 'license_no_free_seats'
  | 'license_unknown_sku'
  | 'batch_dependency_failed'
  | 'already_member'
  // Sales environment (Dataverse, Power Platform admin)
  | 'user_not_licensed'
  | 'user_disabled'
  | 'role_not_in_business_unit'
  | 'non_interactive_limit'
  | 'environment_not_found'
  | 'not_in_security_group'
  // the bot's own storage (a write refused: disk full, read-only, unreachable)
  | 'storage_unavailable'
  // input
  | 'invalid_input';

/** HTTP services the product talks to. */
export const SERVICE_NAMES: Record<Service, string> = {
  graph: 'Microsoft Graph',
  dataverse: 'Dynamics 365 Sales (Dataverse)',
  bap: 'Power Platform admin API',
  bc: 'Business Central',
};

export interface AppErrorOptions {
  cause?: unknown;
  service?: Service;
  status?: number;
  /** The service's own error code (e.g. Graph "Request_BadRequest", Dataverse "0x80060888"). */
  serviceCode?: string;
  /** Seconds the service asked us to wait, when it said so. */
  retryAfterSeconds?: number;
  /** The README permission (or registration) the service's refusal points to. */
  grant?: Grant;
  /** The message as a string key, for readers in another language. */
  localized?: { key: StringKey; vars: Record<string, string> };
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly service?: Service;
  readonly status?: number;
  readonly serviceCode?: string;
  readonly retryAfterSeconds?: number;
  readonly grant?: Grant;
  readonly localized?: { key: StringKey; vars: Record<string, string> };

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.service = options.service;
    this.status = options.status;
    this.serviceCode = options.serviceCode;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.grant = options.grant;
    this.localized = options.localized;
  }
}

/**
 * A coded error whose message comes from the catalogue: English in `message` (for the log and
 * English readers), the key and its variables in `localized` for everyone else.
 */
export function coded(code: ErrorCode, key: StringKey, vars: Record<string, string> = {}, options: Omit<AppErrorOptions, 'localized'> = {}): AppError {
  return new AppError(code, t('en', key, vars), { ...options, localized: { key, vars } });
}

export function isAppError(value: unknown, code?: ErrorCode): value is AppError {
  return value instanceof AppError && (code === undefined || value.code === code);
}

/** Thrown at start-up when a setting is missing or malformed; names every offending setting. */
export class ConfigError extends AppError {
  readonly settings: string[];
  constructor(problems: { setting: string; problem: string }[]) {
    super(
      'config_invalid',
      `Configuration is not valid:\n${problems.map((p) => `  - ${p.setting}: ${p.problem}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.settings = problems.map((p) => p.setting);
  }
}

/**
 * A message that is safe to show to a user: never a stack, token or raw service response. With a
 * locale, a refusal that names a permission or registration is given in that language.
 */
export function userMessage(error: unknown, locale?: Locale): string {
  if (error instanceof AppError && error.grant && locale) {
    const { key, vars } = grantMessage(error.grant);
    return t(locale, key, vars);
  }
  if (error instanceof AppError && error.localized && locale) return t(locale, error.localized.key, error.localized.vars);
  // Another language than English reads the catalogue's sentence for the error's code and service.
  if (locale && locale !== 'en') {
    const text = errorText(error);
    if (text.key !== 'failUnknown') return renderErrorText(locale, text.key, text.vars);
  }
  if (error instanceof AppError) return error.message;
  return 'Something went wrong on our side. The details are in the bot log.';
}

const SERVICE_KEYS: Record<Service, StringKey> = { graph: 'serviceGraph', dataverse: 'serviceDataverse', bap: 'serviceBap', bc: 'serviceBc' };

/** An error's key and variables in `locale`; a `service` variable holding a service id reads as its name. */
export function renderErrorText(locale: Locale, key: StringKey, vars: Record<string, string> = {}): string {
  const service = vars.service;
  return t(locale, key, service && service in SERVICE_KEYS ? { ...vars, service: serviceName(service as Service, locale) } : vars);
}

/** A service's name as a reader of `locale` reads it. */
export function serviceName(service: Service, locale: Locale): string {
  return t(locale, SERVICE_KEYS[service]);
}

const CODE_KEYS: Partial<Record<ErrorCode, StringKey>> = {
  service_timeout: 'failServiceTimeout',
  service_unreachable: 'failServiceUnreachable',
  auth_failed: 'failServiceAuth',
  forbidden: 'failServiceForbidden',
  not_found: 'failServiceNotFound',
  conflict: 'failServiceConflict',
  service_throttled: 'failServiceThrottled',
  service_unavailable: 'failServiceUnavailable',
  service_error: 'failServiceError',
  bad_request: 'failServiceRejected',
};

/**
 * What an error says, as a catalogue key and its variables (never the service's own text): the
 * permission to grant, the error's own localised message, or a sentence for its code and service.
 * `service` holds a service id (rendered by name when read).
 */
export function errorText(error: unknown): { key: StringKey; vars: Record<string, string> } {
  if (!(error instanceof AppError)) return { key: 'failInternal', vars: {} };
  if (error.grant) return grantMessage(error.grant);
  if (error.localized) return error.localized;
  const key = CODE_KEYS[error.code];
  const needsStatus = key === 'failServiceError' || key === 'failServiceRejected';
  if (key && error.service && (!needsStatus || error.status !== undefined)) {
    return { key, vars: { service: error.service, ...(needsStatus ? { status: String(error.status) } : {}) } };
  }
  return { key: 'failUnknown', vars: { code: error.code } };
}
