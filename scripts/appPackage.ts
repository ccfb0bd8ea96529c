import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import AdmZip from 'adm-zip';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { readPngHeader } from './png';
import { resolvePlaceholders, type Env } from './placeholders';

export { placeholdersIn, resolvePlaceholders } from './placeholders';

/**
 * The Teams app package: appPackage/manifest.json with its `${{NAME}}` placeholders resolved
 * from the environment (as the Microsoft 365 Agents Toolkit does), validated offline against the
 * schema bundled in @microsoft/app-manifest, with the icons and language files beside it.
 */

export const ROOT = path.resolve(__dirname, '..');
export const APP_PACKAGE_DIR = path.join(ROOT, 'appPackage');
export const ICON_SIZES = { color: 192, outline: 32 } as const;

export type { Env };

/** env/.env.<name>, then env/.env.<name>.user (the toolkit's secrets), then the process environment. */
export function toolkitEnv(name: string, processEnv: Env = process.env, root = ROOT): Env {
  const merged: Env = {};
  for (const file of [`.env.${name}`, `.env.${name}.user`]) {
    const full = path.join(root, 'env', file);
    if (existsSync(full)) Object.assign(merged, parseEnv(readFileSync(full, 'utf8')));
  }
  for (const [key, value] of Object.entries(processEnv)) if (value !== undefined) merged[key] = value;
  return merged;
}

const BUNDLED = path.dirname(require.resolve('@microsoft/app-manifest'));

/** The bundled copy of a developer.microsoft.com schema URL (with or without a locale segment). */
export function bundledSchemaFile(url: string): string | undefined {
  const match = /^https:\/\/developer\.microsoft\.com\/(?:[a-z]{2}(?:-[a-z]{2})?\/)?(json-schemas\/teams\/[^?#]+)$/i.exec(url);
  if (!match || match[1].includes('..')) return undefined;
  const file = path.join(BUNDLED, match[1]);
  return existsSync(file) ? file : undefined;
}

/** Problems with the manifest (or a localization file) against its bundled schema; never fetched. */
export async function schemaProblems(document: { $schema?: string }): Promise<string[]> {
  const url = document.$schema;
  if (!url) return ['$schema is missing'];
  const file = bundledSchemaFile(url);
  if (!file) return [`${url} is not among the schemas bundled in @microsoft/app-manifest`];
  const schema = JSON.parse(readFileSync(file, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b'));
  return AppManifestUtils.validateAgainstSchema(document as never, unicodeSafePatterns(schema));
}

/**
 * The bundled localization schemas have patterns with an unescaped `]` after `\b` (activity
 * types), which ajv's unicode-mode regular expressions reject. The same pattern with the
 * bracket escaped means what it meant; any other pattern that fails still fails loudly.
 */
function unicodeSafePatterns<T>(schema: T): T {
  const valid = (pattern: string) => {
    try {
      new RegExp(pattern, 'u');
      return true;
    } catch {
      return false;
    }
  };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => {
        if (key === 'patternProperties' && value && typeof value === 'object') {
          return [key, Object.fromEntries(Object.entries(value).map(([pattern, sub]) => [valid(pattern) ? pattern : pattern.replace(/\\b\]/g, '\\b\\]'), walk(sub)]))];
        }
        if (key === 'pattern' && typeof value === 'string' && !valid(value)) return [key, value.replace(/\\b\]/g, '\\b\\]')];
        return [key, walk(value)];
      }),
    );
  };
  return walk(schema) as T;
}

/** The newest manifest schema version bundled (preview excluded). */
export function newestBundledManifestVersion(): string {
  const teams = path.join(BUNDLED, 'json-schemas', 'teams');
  const versions = readdirSync(teams)
    .filter((name) => /^v\d+\.\d+$/.test(name))
    .map((name) => name.slice(1));
  return versions.sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]) || Number(a.split('.')[0]) - Number(b.split('.')[0])).at(-1)!;
}

export function iconProblems(files: Record<'color' | 'outline', Buffer>): string[] {
  const problems: string[] = [];
  for (const kind of ['color', 'outline'] as const) {
    try {
      const { width, height } = readPngHeader(files[kind]);
      const size = ICON_SIZES[kind];
      if (width !== size || height !== size) problems.push(`${kind} icon is ${width}×${height}, must be ${size}×${size}`);
    } catch (error) {
      problems.push(`${kind} icon: ${(error as Error).message}`);
    }
  }
  return problems;
}

export interface BuiltPackage {
  zipPath: string;
  bytes: number;
  manifest: Record<string, any>;
  files: string[];
}

/** Resolves, validates and zips. Throws with every problem found. */
export async function buildAppPackage(env: Env, zipPath = path.join(APP_PACKAGE_DIR, 'build', 'appPackage.zip'), source = APP_PACKAGE_DIR): Promise<BuiltPackage> {
  const manifestText = resolvePlaceholders(readFileSync(path.join(source, 'manifest.json'), 'utf8'), env);
  const manifest = JSON.parse(manifestText) as Record<string, any>;
  const entries = new Map<string, Buffer>([['manifest.json', Buffer.from(manifestText, 'utf8')]]);
  const problems = (await schemaProblems(manifest)).map((p) => `manifest.json: ${p}`);

  for (const kind of ['color', 'outline'] as const) entries.set(manifest.icons[kind], readFileSync(path.join(source, manifest.icons[kind])));
  problems.push(...iconProblems({ color: entries.get(manifest.icons.color)!, outline: entries.get(manifest.icons.outline)! }));

  for (const language of manifest.localizationInfo?.additionalLanguages ?? []) {
    const text = resolvePlaceholders(readFileSync(path.join(source, language.file), 'utf8'), env);
    problems.push(...(await schemaProblems(JSON.parse(text))).map((p) => `${language.file}: ${p}`));
    entries.set(language.file, Buffer.from(text, 'utf8'));
  }
  if (problems.length > 0) throw new Error(`The app package is not valid:\n  ${problems.join('\n  ')}`);

  const zip = new AdmZip();
  for (const [name, data] of entries) zip.addFile(name, data);
  mkdirSync(path.dirname(zipPath), { recursive: true });
  zip.writeZip(zipPath);
  return { zipPath, bytes: readFileSync(zipPath).length, manifest, files: [...entries.keys()] };
}
