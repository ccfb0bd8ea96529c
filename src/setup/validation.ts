import { z } from 'zod';

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
  .max(113, 'a sign-in name is at most 113 characters')
  .regex(new RegExp(UPN_PATTERN), 'not a valid sign-in name (name@domain)');
export const guid = z.string().trim().regex(new RegExp(GUID_PATTERN), 'not a GUID');

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
    .min(1, 'is required')
    .max(max, `is at most ${max} characters`)
    .refine((value) => !INVISIBLE.test(value), 'contains invisible or control characters (such as bidi or zero-width characters); type it again');

/** Multi-select choice sets submit "a,b,c". */
export const idList = z
  .string()
  .max(2000, 'is too long: choose at most 20')
  .transform((value) => value.split(',').map((v) => v.trim()).filter(Boolean))
  .pipe(z.array(guid).max(20, 'choose at most 20'));

export function describeIssues(error: z.ZodError, labels: Record<string, string> = {}): string {
  return error.issues
    .map((issue) => {
      const field = String(issue.path[0] ?? '');
      const label = labels[field] ?? field;
      const message = issue.message === 'Required' ? 'is required' : issue.message;
      return label ? `${label}: ${message}` : message;
    })
    .join('; ');
}
