/** The Microsoft 365 Agents Toolkit's `${{NAME}}` placeholders, as in manifest.json and the yml files. */

export type Env = Record<string, string | undefined>;

export const placeholdersIn = (text: string) => [...new Set([...text.matchAll(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]))];

/**
 * Fills `${{NAME}}` from env. Values are JSON-escaped (they land inside JSON strings). A name
 * that is unset fails; an empty value is allowed only for names listed in `mayBeEmpty`.
 */
export function resolvePlaceholders(text: string, env: Env, mayBeEmpty: string[] = ['APP_NAME_SUFFIX']): string {
  const missing = placeholdersIn(text).filter((name) => env[name] === undefined || (env[name] === '' && !mayBeEmpty.includes(name)));
  if (missing.length > 0) throw new Error(`Set ${missing.join(', ')} (in env/.env.<environment> or the environment) to build the app package.`);
  return text.replace(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_all, name: string) => JSON.stringify(env[name] ?? '').slice(1, -1));
}
