/**
 * The README's permission table is what this test proves. The sandbox tenant issues tokens whose
 * roles are the app registration's permissions and checks them as Microsoft's services do; this
 * test removes each README row in turn (restarting the bot so it signs in afresh) and shows, over
 * HTTP as Teams drives the bot, that the features needing that row fail with a message naming it,
 * in English and Norwegian, and that every other feature still works.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SEED } from '../../src/sandbox';
import { ADMIN, startHarness, type Harness } from '../helpers/harness';
import { approveAndWait, resetTenant, startSetup } from '../helpers/flows';
import { cardText } from '../helpers/teams';

let h: Harness;
beforeAll(async () => {
  // Approvers are the members of the approvers' group (APPROVER_GROUP_ID), checked through Graph.
  h = await startHarness({ env: { APPROVER_GROUP_ID: SEED.approverGroupId } });
});
afterAll(async () => {
  await h.close();
});

type Feature = 'environmentLists' | 'adminCheck' | 'integrationCheck' | 'salespeopleCheck' | 'part1Applied' | 'part1SecurityGroup';
const FEATURES: Feature[] = ['environmentLists', 'adminCheck', 'integrationCheck', 'salespeopleCheck', 'part1Applied', 'part1SecurityGroup'];

async function control(path: string, method: string, body?: unknown) {
  const response = await fetch(`${h.sandbox.url}/_sandbox/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

/** The three parts of the status card, each with its lines. */
function parts(text: string): Record<'admin' | 'integration' | 'salespeople', string> {
  const a = text.indexOf('1. Administrator account in Sales');
  const b = text.indexOf('2. Integration account');
  const c = text.indexOf('3. Salespeople');
  return { admin: text.slice(a, b), integration: text.slice(b, c), salespeople: text.slice(c) };
}

/** Part 1 for an account with no Sales licence: licence, addUser (Power Platform), roles (Dataverse), approval (group). */
async function part1ForOystein(locale?: string, userPrincipalName: string = SEED.users.oysteinBakke.upn): Promise<{ ok: boolean; text: string }> {
  const chat = h.conversation({ locale });
  let part1: { ok: boolean; text: string };
  try {
    const { cardActivityId } = await startSetup(h, chat);
    const plan = await chat.execute(ADMIN, 'admin.plan', { userPrincipalName, nonAdminRoleIds: SEED.dataverse.roles.root.salesManager }, cardActivityId);
    const planText = cardText(plan.body.value);
    if (!/plan\.approve/.test(JSON.stringify(plan.body.value))) {
      part1 = { ok: false, text: planText };
    } else {
      const { immediate, final } = await approveAndWait(h, chat, plan.body.value, cardActivityId);
      const text = `${cardText(immediate)}\n${final ? cardText(final) : ''}\n${h.connector.texts().join('\n')}`;
      part1 = { ok: /Applied: all \d+ changes done\./.test(text), text };
    }
  } catch (error) {
    part1 = { ok: false, text: `${(error as Error).message}\n${h.connector.texts().join('\n')}` };
  }
  return part1;
}

/** Each feature: the text the admin reads, and whether it worked (the app registration patched as given). */
async function observe(patch: Record<string, unknown>): Promise<Record<Feature, { ok: boolean; text: string }>> {
  // Choosing the environments from the lists: a fresh chat's "set up" offers the choice, not typed values.
  const choosing = h.conversation();
  h.connector.clear();
  await choosing.say(ADMIN, 'set up');
  const envCard = h.connector.cards().at(-1);
  const environmentLists = { ok: JSON.stringify(envCard).includes('"id":"bcCompany"'), text: cardText(envCard) };
  const chat = h.conversation();
  h.connector.clear();
  // The welcome card's three parts (help); the health card (status) is read the same way below.
  await chat.say(ADMIN, 'help');
  const status = parts(cardText(h.connector.cards().at(-1)));
  const checked = (s: string) => !/Could not check|refused this/.test(s);
  const part1 = await part1ForOystein();
  // Part 1 for the admin on an environment whose security group the admin is not a member of.
  await withoutRow(patch, { environmentSecurityGroup: true });
  h.connector.clear();
  const part1SecurityGroup = await part1ForOystein(undefined, SEED.admin.upn);
  return {
    environmentLists,
    adminCheck: { ok: checked(status.admin), text: status.admin },
    integrationCheck: { ok: checked(status.integration), text: status.integration },
    salespeopleCheck: { ok: checked(status.salespeople), text: status.salespeople },
    part1Applied: part1,
    part1SecurityGroup,
  };
}

/** Removes one README row from the sandbox's app registration; the bot then signs in again. */
async function withoutRow(patch: Record<string, unknown>, seed?: Record<string, unknown>) {
  if (seed) await control('reset', 'POST', { seed, settings: { syncDelayMs: 200, licensePropagationMs: 300 } });
  else await resetTenant(h);
  await control('app', 'PATCH', patch);
  await h.restartBot();
}

const without = (permission: string) => ({ graphRoles: SEED.app.graphRoles.filter((p) => p !== permission) });

const ROWS: { row: string; patch: Record<string, unknown>; fails: Feature[]; names: RegExp; nb: RegExp }[] = [
  {
    row: 'Microsoft Graph User.ReadWrite.All',
    patch: without('User.ReadWrite.All'),
    fails: ['adminCheck', 'salespeopleCheck', 'part1Applied', 'part1SecurityGroup'],
    names: /application permission User\.ReadWrite\.All/,
    nb: /programtillatelsen User\.ReadWrite\.All/,
  },
  {
    row: 'Microsoft Graph Organization.Read.All',
    patch: without('Organization.Read.All'),
    fails: ['adminCheck', 'salespeopleCheck', 'part1Applied', 'part1SecurityGroup'],
    names: /application permission Organization\.Read\.All/,
    nb: /programtillatelsen Organization\.Read\.All/,
  },
  {
    row: 'Microsoft Graph GroupMember.ReadWrite.All',
    patch: without('GroupMember.ReadWrite.All'),
    fails: ['part1Applied', 'part1SecurityGroup'],
    names: /application permission GroupMember\.ReadWrite\.All/,
    nb: /programtillatelsen GroupMember\.ReadWrite\.All/,
  },
  {
    row: 'Dataverse application user with System Administrator',
    patch: { dataverseSystemAdministrator: false },
    fails: ['adminCheck', 'integrationCheck', 'salespeopleCheck', 'part1Applied', 'part1SecurityGroup'],
    names: /application user of the Sales environment with the System Administrator role/,
    nb: /programbruker i Sales-miljøet med rollen Systemansvarlig/,
  },
  {
    row: 'Power Platform management app',
    patch: { powerPlatformManagementApp: false },
    // Parts 1 and 3 read the environment (its security group) before they can say what is missing;
    // the environment card lists the Power Platform environments.
    fails: ['environmentLists', 'adminCheck', 'salespeopleCheck', 'part1Applied', 'part1SecurityGroup'],
    names: /registered as a Power Platform management app/,
    nb: /registrert som administrasjonsapp for Power Platform/,
  },
  {
    row: 'Business Central API.ReadWrite.All and Microsoft Entra Applications',
    patch: { businessCentralEntraApplication: false },
    // The setup starts by choosing the environments, which lists the Business Central companies.
    fails: ['environmentLists', 'salespeopleCheck', 'part1Applied', 'part1SecurityGroup'],
    names: /API\.ReadWrite\.All .* Microsoft Entra Applications/,
    nb: /API\.ReadWrite\.All .* Microsoft Entra-programmer/,
  },
  {
    row: 'Business Central AdminCenter.ReadWrite.All and the admin center authorisation',
    patch: { businessCentralRoles: SEED.app.businessCentralRoles.filter((p) => p !== 'AdminCenter.ReadWrite.All') },
    // Optional: only the lists to choose the environments from; the typed values still work.
    fails: ['environmentLists'],
    names: /AdminCenter\.ReadWrite\.All .*authorised in the Business Central admin center/,
    nb: /AdminCenter\.ReadWrite\.All .*autorisert i administrasjonssenteret/,
  },
];

/** The rows of the README's table ("Pointing it at a real tenant"): API and permission. */
function readmeRows(): { api: string; permission: string }[] {
  const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  return [...readme.matchAll(/^\s*\| (Microsoft Graph|Dynamics CRM \(Dataverse\)|Power Platform admin API|Dynamics 365 Business Central) \| ([^|]+) \|/gm)].map((m) => ({
    api: m[1],
    permission: m[2].trim(),
  }));
}

describe("the README's permission table", () => {
  it('is what the sandbox grants by default, and every row of it is tested below', () => {
    const rows = readmeRows();
    const graph = rows.filter((r) => r.api === 'Microsoft Graph').map((r) => /^`([^`]+)`$/.exec(r.permission)?.[1]);
    expect(graph).toEqual(SEED.app.graphRoles);
    expect(rows.map((r) => r.api)).toEqual(['Microsoft Graph', 'Microsoft Graph', 'Microsoft Graph', 'Dynamics CRM (Dataverse)', 'Power Platform admin API', 'Dynamics 365 Business Central', 'Dynamics 365 Business Central']);
    expect(ROWS).toHaveLength(rows.length);
    const bc = rows.filter((r) => r.api === 'Dynamics 365 Business Central').map((r) => /^`([^`]+)`/.exec(r.permission)?.[1]);
    expect(bc).toEqual(SEED.app.businessCentralRoles);
  });

  it('with every row granted, every feature works', async () => {
    await withoutRow({});
    const seen = await observe({});
    expect(Object.fromEntries(FEATURES.map((f) => [f, seen[f].ok ? 'works' : seen[f].text]))).toEqual(Object.fromEntries(FEATURES.map((f) => [f, 'works'])));
  });

  it.each(ROWS)('without $row: exactly the features needing it fail, naming it', async ({ patch, fails, names }) => {
    await withoutRow(patch);
    const seen = await observe(patch);
    const outcome = Object.fromEntries(FEATURES.map((f) => [f, seen[f].ok ? 'works' : 'fails']));
    expect(outcome).toEqual(Object.fromEntries(FEATURES.map((f) => [f, fails.includes(f) ? 'fails' : 'works'])));
    for (const f of fails) expect(seen[f].text).toMatch(names);
  });

  it.each(ROWS.filter((r) => r.fails.includes('environmentLists')))('names $row in Norwegian on the environment card', async ({ patch, nb }) => {
    await withoutRow(patch);
    const chat = h.conversation({ locale: 'nb-NO' });
    h.connector.clear();
    await chat.say(ADMIN, 'sett opp');
    expect(cardText(h.connector.cards().at(-1))).toMatch(nb);
  });

  it.each(ROWS.filter((r) => r.fails.some((f) => f.endsWith('Check'))))('names $row in Norwegian for a Norwegian Teams client', async ({ patch, fails, nb }) => {
    await withoutRow(patch);
    const chat = h.conversation({ locale: 'nb-NO' });
    h.connector.clear();
    await chat.say(ADMIN, 'status');
    const status = cardText(h.connector.cards().at(-1));
    expect(status).toMatch(nb);
    expect(fails.length).toBeGreaterThan(0);
  });

  it.each(ROWS.filter((r) => r.fails.every((f) => f.startsWith('part1'))))('names $row in Norwegian where a Part 1 plan stops on it', async ({ patch, nb }) => {
    await withoutRow(patch);
    h.connector.clear();
    const { text } = await part1ForOystein('nb-NO');
    expect(text).toMatch(nb);
  });
});
