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

/** Multi-select choice sets submit "a,b,c". */
export const idList = z
  .string()
  .max(2000)
  .transform((value) => value.split(',').map((v) => v.trim()).filter(Boolean))
  .pipe(z.array(guid).max(20));

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
