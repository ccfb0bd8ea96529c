import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { approversMayUse, CARD_VERBS, COMMANDS } from '../../src/bot/routes';

/**
 * The route table against the cards. A card verb is the `verb` of an Action.Execute (Teams sends
 * it as an `adaptiveCard/action` invoke, and only CARD_VERBS answers those); a command is the
 * text of a message, parsed by setup/session.ts, and only COMMANDS answers those. So a card verb
 * is whatever a card carries in `verb`, and nothing typed in chat is one.
 *
 * Fails when a card in cards/*.json or one built in src/cards/*.ts carries a verb routes.ts has no
 * line for (its button would get "unknown action"), when a line in routes.ts names a verb no card
 * carries (a route no one can reach), or when a card holds a button whose verb cannot be read here.
 */

const ROOT = path.resolve(__dirname, '../..');
const TEMPLATES = path.join(ROOT, 'cards');
const CARD_CODE = path.join(ROOT, 'src/cards');
/** The gate's rule for a verb (gate.ts, ExecuteEnvelope). */
const VERB = /^[A-Za-z][A-Za-z0-9._-]{0,99}$/;

interface Found {
  verb: unknown;
  where: string;
}

/** Every action in a template: Action.Execute with its verb (buttons, show cards, refresh), and any Action.Submit. */
function templateActions(): { executes: Found[]; submits: string[] } {
  const executes: Found[] = [];
  const submits: string[] = [];
  for (const file of readdirSync(TEMPLATES).filter((f) => f.endsWith('.json'))) {
    const walk = (node: unknown, at: string) => {
      if (Array.isArray(node)) node.forEach((child, i) => walk(child, `${at}[${i}]`));
      else if (node && typeof node === 'object') {
        const object = node as Record<string, unknown>;
        if (object.type === 'Action.Execute') executes.push({ verb: object.verb, where: `cards/${file} ${at}` });
        if (object.type === 'Action.Submit') submits.push(`cards/${file} ${at}`);
        for (const [key, value] of Object.entries(object)) walk(value, `${at}.${key}`);
      }
    };
    walk(JSON.parse(readFileSync(path.join(TEMPLATES, file), 'utf8')), '');
  }
  return { executes, submits };
}

/**
 * Every `verb` property and every Action.Execute / Action.Submit named in card code: a verb must
 * be a string literal there, so this test can read it.
 */
function codeActions(): { verbs: Found[]; unreadable: string[]; submits: string[] } {
  const verbs: Found[] = [];
  const unreadable: string[] = [];
  const submits: string[] = [];
  for (const file of readdirSync(CARD_CODE).filter((f) => f.endsWith('.ts'))) {
    const source = ts.createSourceFile(file, readFileSync(path.join(CARD_CODE, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (node: ts.Node) => `src/cards/${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const visit = (node: ts.Node) => {
      if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) && node.name.text === 'verb') {
        if (ts.isStringLiteralLike(node.initializer)) verbs.push({ verb: node.initializer.text, where: where(node) });
        else unreadable.push(where(node));
      }
      if (ts.isShorthandPropertyAssignment(node) && node.name.text === 'verb') unreadable.push(where(node));
      if (ts.isStringLiteralLike(node) && node.text === 'Action.Submit') submits.push(where(node));
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { verbs, unreadable, submits };
}

const templates = templateActions();
const code = codeActions();
const carried = [...templates.executes, ...code.verbs];
const routed = Object.keys(CARD_VERBS);

describe('the route table against the cards', () => {
  it('reads verbs from the templates (the test sees the cards at all)', () => {
    // The plan card's buttons and its refresh: if these are not found, the walk is broken.
    expect(carried.map((f) => f.verb)).toEqual(expect.arrayContaining(['plan.approve', 'plan.reject', 'plan.view', 'admin.plan', 'env.save']));
  });

  it('every verb a card carries is a literal the gate accepts', () => {
    const bad = carried.filter((f) => typeof f.verb !== 'string' || !VERB.test(f.verb) || f.verb.includes('${'));
    expect(bad).toEqual([]);
    expect(code.unreadable).toEqual([]);
  });

  it('no card uses Action.Submit: only Action.Execute reaches a route by its verb', () => {
    expect([...templates.submits, ...code.submits]).toEqual([]);
  });

  it('every verb a card carries has a route', () => {
    const missing = carried.filter((f) => !routed.includes(String(f.verb))).map((f) => `${String(f.verb)} (${f.where})`);
    expect(missing).toEqual([]);
  });

  it('every route in CARD_VERBS is carried by some card', () => {
    const verbs = new Set(carried.map((f) => String(f.verb)));
    expect(routed.filter((verb) => !verbs.has(verb))).toEqual([]);
  });

  it('no command is also a card verb: they are routed apart', () => {
    expect(Object.keys(COMMANDS).filter((command) => routed.includes(command))).toEqual([]);
  });
});

describe('who may use a route (the flag the gate reads)', () => {
  it('approvers who are not admins may use the approval card\'s verbs and nothing else', () => {
    expect(routed.filter((verb) => approversMayUse({ verb })).sort()).toEqual(['approval.request', 'plan.approve', 'plan.reject', 'plan.view']);
    expect(Object.keys(COMMANDS).filter((command) => approversMayUse({ command: command as keyof typeof COMMANDS }))).toEqual([]);
  });

  it('an unknown verb, or one named like an object property, is nobody\'s', () => {
    for (const verb of ['plan.approveX', 'approval.other', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '', undefined]) {
      expect(approversMayUse({ verb })).toBe(false);
    }
    expect(approversMayUse({ command: undefined })).toBe(false);
  });
});
