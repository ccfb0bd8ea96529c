// @microsoft/app-manifest requires strip-bom 5, an ES module that node loads and jest's CommonJS
// runtime does not; the stand-in does what it does. (The path is where npm ci puts that copy.)
jest.mock('../../node_modules/@microsoft/app-manifest/node_modules/strip-bom/index.js', () => ({
  __esModule: true,
  default: (text: string) => text.replace(/^\uFEFF/, ''),
}));

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import AdmZip from 'adm-zip';
import { AppManifestUtils } from '@microsoft/app-manifest';
import {
  APP_PACKAGE_DIR,
  ICON_SIZES,
  buildAppPackage,
  bundledSchemaFile,
  iconProblems,
  newestBundledManifestVersion,
  resolvePlaceholders,
  schemaProblems,
  toolkitEnv,
} from '../../scripts/appPackage';
import { drawIcon, ACCENT } from '../../scripts/icons';
import { decodePng, encodePng } from '../../scripts/png';
import { parseCommand } from '../../src/setup/session';

/**
 * The Teams app package: a manifest on a current schema that validates offline against the
 * schema bundled in @microsoft/app-manifest, icons of the right sizes, and a zip as
 * `npm run package` builds it.
 */

const ROOT = path.resolve(__dirname, '../..');
const TEAMS_APP_ID = '5f0c6a9e-3b1d-4c7e-9a2f-8d6b4e1c7a30';
const BOT_ID = 'b7e3d2c1-9a8f-4e6d-8c5b-1a2f3e4d5c6b';
const ENV = { ...toolkitEnv('dev', {}), TEAMS_APP_ID, BOT_ID };

const template = () => readFileSync(path.join(APP_PACKAGE_DIR, 'manifest.json'), 'utf8');
const manifest = () => JSON.parse(resolvePlaceholders(template(), ENV)) as Record<string, any>;
const localization = () => JSON.parse(resolvePlaceholders(readFileSync(path.join(APP_PACKAGE_DIR, 'nb.json'), 'utf8'), ENV)) as Record<string, string>;

let fetchSpy: jest.SpyInstance;
beforeEach(() => {
  // Offline: any attempt to download a schema fails the test.
  fetchSpy = jest.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    throw new Error(`network access attempted: ${String(input)}`);
  });
});
afterEach(() => fetchSpy.mockRestore());

describe('the manifest', () => {
  it('is on a current schema (v1.19 or newer) that @microsoft/app-manifest bundles', async () => {
    const m = manifest();
    const [major, minor] = String(m.manifestVersion).split('.').map(Number);
    expect(major === 1 && minor >= 19).toBe(true);
    expect(m.$schema).toContain(`/v${m.manifestVersion}/MicrosoftTeams.schema.json`);
    expect(bundledSchemaFile(m.$schema)).toBeDefined();
    expect(Number(newestBundledManifestVersion().split('.')[1])).toBeGreaterThanOrEqual(minor);
    // The package's own loader finds the same file without the network.
    const schema = await AppManifestUtils.fetchSchema(m.$schema);
    expect((schema as { properties: { manifestVersion: { const?: string } } }).properties.manifestVersion.const).toBe(m.manifestVersion);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('validates against the bundled schema with AppManifestUtils.validateAgainstSchema, and so does its Norwegian file', async () => {
    const schema = JSON.parse(readFileSync(bundledSchemaFile(manifest().$schema)!, 'utf8'));
    expect(await AppManifestUtils.validateAgainstSchema(manifest() as never, schema)).toEqual([]);
    expect(await schemaProblems(manifest())).toEqual([]);
    expect(await schemaProblems(localization())).toEqual([]);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('the validation finds what the schema forbids', async () => {
    const broken = manifest();
    broken.bots[0].scopes = ['personal', 'everywhere'];
    broken.developer.websiteUrl = 'not a url';
    delete broken.accentColor;
    const problems = await schemaProblems(broken);
    expect(problems.join('\n')).toMatch(/accentColor/);
    expect(problems.join('\n')).toMatch(/scopes/);
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });

  it('has one bot in personal, team and group chats, with files and the commands', () => {
    const m = manifest();
    expect(m.id).toBe(TEAMS_APP_ID);
    expect(m.version).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    expect(m.bots).toHaveLength(1);
    const [bot] = m.bots;
    expect(bot.botId).toBe(BOT_ID);
    expect([...bot.scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot.supportsFiles).toBe(true);
    expect(bot.commandLists.length).toBeLessThanOrEqual(3);
    const scopes = bot.commandLists.flatMap((list: { scopes: string[] }) => list.scopes).sort();
    expect(scopes).toEqual(['groupChat', 'personal', 'team']);
    for (const list of bot.commandLists) {
      expect(list.commands.length).toBeLessThanOrEqual(10);
      const titles = list.commands.map((c: { title: string }) => c.title);
      expect(titles).toEqual(expect.arrayContaining(['set up', 'status', 'audit', 'help']));
    }
  });

  it('lists only commands the bot understands, in English and in Norwegian', () => {
    const m = manifest();
    const nb = localization();
    m.bots[0].commandLists.forEach((list: { commands: { title: string }[] }, l: number) =>
      list.commands.forEach((command, c) => {
        expect([command.title, parseCommand(command.title)]).toEqual([command.title, expect.any(String)]);
        const translated = nb[`bots[0].commandLists[${l}].commands[${c}].title`];
        expect([translated, parseCommand(translated ?? '')]).toEqual([translated, parseCommand(command.title)]);
      }),
    );
    const keys = Object.keys(nb).filter((key) => key.startsWith('bots['));
    const declared = m.bots[0].commandLists.flatMap((list: { commands: unknown[] }, l: number) =>
      list.commands.flatMap((_c: unknown, c: number) => [`bots[0].commandLists[${l}].commands[${c}].title`, `bots[0].commandLists[${l}].commands[${c}].description`]),
    );
    expect(keys.sort()).toEqual(declared.sort());
    expect(m.localizationInfo.additionalLanguages).toEqual([{ languageTag: 'nb-no', file: 'nb.json' }]);
  });

  it('refuses to build with a placeholder unset, naming it', () => {
    expect(() => resolvePlaceholders(template(), { ...ENV, BOT_ID: '' })).toThrow(/Set BOT_ID/);
    expect(() => resolvePlaceholders(template(), { ...ENV, TEAMS_APP_ID: undefined })).toThrow(/TEAMS_APP_ID/);
    expect(resolvePlaceholders('{"a":"${{X}}"}', { X: 'say "hi"' })).toBe('{"a":"say \\"hi\\""}');
  });
});

describe('the icons', () => {
  const png = (name: string) => readFileSync(path.join(APP_PACKAGE_DIR, name));

  it('are PNGs of 192×192 (colour) and 32×32 (outline), read from their headers', () => {
    for (const [name, size] of [['color.png', ICON_SIZES.color], ['outline.png', ICON_SIZES.outline]] as const) {
      const file = png(name);
      expect(file.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(file.toString('ascii', 12, 16)).toBe('IHDR');
      expect([file.readUInt32BE(16), file.readUInt32BE(20)]).toEqual([size, size]);
    }
    expect(iconProblems({ color: png('color.png'), outline: png('outline.png') })).toEqual([]);
    expect(iconProblems({ color: png('outline.png'), outline: png('color.png') })).toEqual([
      'color icon is 32×32, must be 192×192',
      'outline icon is 192×192, must be 32×32',
    ]);
  });

  it('outline: a white glyph on a transparent background', () => {
    const { width, height, pixels } = decodePng(png('outline.png'));
    const at = (x: number, y: number) => [...pixels.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)];
    for (const [x, y] of [[0, 0], [width - 1, 0], [0, height - 1], [width - 1, height - 1]]) expect(at(x, y)[3]).toBe(0);
    let opaque = 0;
    const notWhite: number[] = [];
    for (let i = 0; i < width * height; i++) {
      const [r, g, b, a] = pixels.subarray(i * 4, i * 4 + 4);
      if (a > 0 && (r !== 255 || g !== 255 || b !== 255)) notWhite.push(i);
      if (a === 255) opaque++;
    }
    expect(notWhite).toEqual([]);
    expect(opaque).toBeGreaterThan(40);
  });

  it('colour: opaque, on the accent colour, as the committed script draws them', () => {
    const { width, height, pixels } = decodePng(png('color.png'));
    const translucent = Array.from({ length: width * height }, (_, i) => i).filter((i) => pixels[i * 4 + 3] !== 255);
    expect(translucent).toEqual([]);
    expect(manifest().accentColor).toBe(ACCENT);
    const corner = `#${[...pixels.subarray(0, 3)].map((v) => v.toString(16).padStart(2, '0')).join('')}`.toUpperCase();
    expect(corner).toBe(ACCENT.toUpperCase());
    expect(png('color.png').equals(encodePng(drawIcon(192, 0.045, ACCENT)))).toBe(true);
    expect(png('outline.png').equals(encodePng(drawIcon(32, 0.07)))).toBe(true);
  });
});

describe('the app package', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'app-package-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('zips the resolved, valid manifest with its icons and language file', async () => {
    const built = await buildAppPackage(ENV, path.join(dir, 'appPackage.zip'));
    const zip = new AdmZip(built.zipPath);
    expect(zip.getEntries().map((e) => e.entryName).sort()).toEqual(['color.png', 'manifest.json', 'nb.json', 'outline.png']);
    const text = zip.readAsText('manifest.json');
    expect(text).not.toContain('${{');
    const zipped = JSON.parse(text);
    expect(zipped.id).toBe(TEAMS_APP_ID);
    expect(zipped.name.short).toBe('BC Sales Setup (dev)');
    expect(await schemaProblems(zipped)).toEqual([]);
    expect(iconProblems({ color: zip.readFile('color.png')!, outline: zip.readFile('outline.png')! })).toEqual([]);
    expect(built.bytes).toBeLessThan(64 * 1024);
  });

  it('`npm run package` builds appPackage/build/appPackage.zip from the environment, and fails naming what is missing', async () => {
    fetchSpy.mockRestore();
    const run = promisify(execFile);
    const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir() };
    const ok = await run(process.execPath, ['--import', 'tsx', 'scripts/package.ts', '--env', 'dev'], { cwd: ROOT, env: { ...base, TEAMS_APP_ID, BOT_ID } });
    expect(ok.stdout).toMatch(/appPackage\/build\/appPackage\.zip \(\d+ bytes; manifest\.json, color\.png, outline\.png, nb\.json\); manifest 1\.\d+ valid/);
    expect(new AdmZip(path.join(APP_PACKAGE_DIR, 'build', 'appPackage.zip')).readAsText('manifest.json')).toContain(BOT_ID);
    // An environment without a file: only what the process environment gives.
    await expect(run(process.execPath, ['--import', 'tsx', 'scripts/package.ts', '--env', 'nowhere'], { cwd: ROOT, env: { ...base, TEAMS_APP_ID } })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^Set .*BOT_ID/),
    });
  }, 60_000);
});
