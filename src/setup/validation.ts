import { z } from 'zod';
import { strings, t, type Locale, type StringKey } from '../i18n';

/**
 * The one validation layer for what users type and what cards submit. The same patterns go into
 * the cards (client-side `regex`) and are checked again here on the server.
 */

/** UPN: local part of letters, digits and ' . - _ ! # ^ ~ (no leading, trailing or double dot); a DNS domain. */
export const UPN_PATTERN =
  "^(?!\\.)(?!.*\\.\\.)[A-Za-z0-9'._!#^~-]{1,64}(?<!\\.)@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$";
export const GUID_PATTERN = '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$';
export const TENANT_DATAVERSE_PATTERN = '^https://[A-Za-z0-9-]+\\.crm\\d*\\.dynamics\\.com/?$';
export const BC_ENVIRONMENT_PATTERN = '^[A-Za-z0-9_-]{1,30}$';

export const upn = z
  .string()
  .trim()
  .max(113, 'validationTooLong')
  .regex(new RegExp(UPN_PATTERN), 'validationUpn');
export const guid = z.string().trim().regex(new RegExp(GUID_PATTERN), 'validationGuid');

/**
 * Control and invisible format characters: bidi overrides and isolates (U+202A-U+202E,
 * U+2066-U+2069), zero-width characters (U+200B-U+200D, U+2060, U+FEFF), soft hyphen and the like.
 * A name holding one can look like another name, or reorder the text around it.
 */
export const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** Free text that becomes a name in the tenant (display names): trimmed, bounded, all of it visible. */
export const plainText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'validationRequired')
    .max(max, 'validationTooLong')
    .refine((value) => !INVISIBLE.test(value), 'validationInvisible');

/** Multi-select choice sets submit "a,b,c". */
export const idList = z
  .string()
  .refine((value) => value.length <= 2000, { message: 'validationTooMany', params: { max: 20 } })
  .transform((value) => value.split(',').map((v) => v.trim()).filter(Boolean))
  .pipe(z.array(guid).max(20, 'validationTooMany'));

/**
 * The product's own message for one zod issue, in the reader's language. A schema here names its
 * message by a `validation…` string key; any other issue is told by its code (required, too long,
 * too short, too many, not one of the choices, not in the expected form). zod's own English text is
 * never shown.
 */
export function issueMessage(issue: z.ZodIssue, locale: Locale): string {
  const named = issue.message.startsWith('validation') && issue.message in strings(locale) ? (issue.message as StringKey) : undefined;
  const params = (issue as { params?: Record<string, string | number> }).params ?? {};
  switch (issue.code) {
    case z.ZodIssueCode.invalid_type:
      return t(locale, issue.received === 'undefined' || issue.received === 'null' ? 'validationRequired' : 'validationFormat');
    case z.ZodIssueCode.too_small:
      if (named && named !== 'validationRequired' && named !== 'validationTooShort') return t(locale, named, { min: Number(issue.minimum) });
      if (issue.type === 'array' || (issue.type === 'string' && Number(issue.minimum) <= 1)) return t(locale, 'validationRequired');
      return t(locale, 'validationTooShort', { min: Number(issue.minimum) });
    case z.ZodIssueCode.too_big:
      if (issue.type === 'array' || named === 'validationTooMany') return t(locale, 'validationTooMany', { max: Number(issue.maximum) });
      return t(locale, named ?? 'validationTooLong', { max: Number(issue.maximum) });
    case z.ZodIssueCode.invalid_enum_value:
    case z.ZodIssueCode.invalid_literal:
    case z.ZodIssueCode.invalid_union:
      return t(locale, 'validationChoice');
    default:
      return t(locale, named ?? 'validationFormat', params);
  }
}

/** Every issue of a failed parse, each after its field's label (as the card shows it), in the reader's language. */
export function describeIssues(error: z.ZodError, locale: Locale, labels: Record<string, string> = {}): string {
  const lines = error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    const problem = issueMessage(issue, locale);
    const label = labels[field] ?? field;
    return label ? t(locale, 'validationField', { field: label, problem }) : problem;
  });
  return [...new Set(lines)].join('; ');
}
