import { SEED } from '../../src/sandbox';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { actionsOf, findById, inputValues } from '../helpers/cards';
import { approveAndWait, completePart1, continuePlan, dataverse, openPart3, resetTenant, salespeoplePlan, startSetup } from '../helpers/flows';
import { salesUserWithRoles } from '../helpers/tenant';
import { sendFile, startFileHost } from '../helpers/salespeopleFiles';
import { ADMIN_CENTER_HEADER } from '../../src/setup/csvFormat';
import { cardText, type TeamsConversation } from '../helpers/teams';

/**
 * Parts 1–3 on environments whose roles are not named in English: a Norwegian environment (base
 * language 1044, no template ids for the Sales roles), one whose roles have names the product does
 * not know (the admin picks them on the card, once per environment), and one with three levels of
 * business units.
 */

// Each environment below gets its own bot (and so its own remembered role choices).
let h: Harness;
function ownBot() {
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
}

const ROOT = SEED.dataverse.roles.root;
const APP_USER = SEED.dataverse.systemUsers.bcIntegrationApp;

function facts(card: any): Record<string, string> {
  const set = card.body.find((b: any) => b.type === 'FactSet');
  return Object.fromEntries(set.facts.map((f: any) => [f.title, f.value]));
}

function rulesOf(card: any): string[] {
  return card.body.filter((b: any) => b.type === 'ColumnSet').map((set: any) => set.columns[0].items[0].text);
}

/** An Action.Execute anywhere on the card (the picker's button sits in its own section). */
function buttonOf(card: any, verb: string): { data: Record<string, unknown> } {
  let found: any;
  const walk = (node: any) => {
    if (found || !node || typeof node !== 'object') return;
    if (!Array.isArray(node) && node.type === 'Action.Execute' && node.verb === verb) found = node;
    else Object.values(node).forEach(walk);
  };
  walk(card);
  if (!found) throw new Error(`card has no ${verb} button`);
  return { data: found.data ?? {} };
}

const choicesOf = (input: any) => (input?.choices ?? []).map((c: any) => c.title as string);

async function rolesOf(aadObjectId: string) {
  return (await salesUserWithRoles(h.sandbox.url, aadObjectId))!.systemuserroles_association;
}

/** Part 2 for BC online after Part 1: the application user's checks. */
async function part2Checks(chat: TeamsConversation, cardActivityId: string) {
  return (await chat.execute(ADMIN, 'integration.path', { path: 'application' }, cardActivityId)).body.value;
}

/** Part 3's plan approved and run; the final card's text. */
async function runPart3(chat: TeamsConversation, card: any, cardActivityId: string) {
  const plan = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
  const { final } = await approveAndWait(h, chat, plan, cardActivityId);
  return { plan: cardText(plan), final: cardText(final) };
}

describe('a Norwegian environment (base language nb)', () => {
  ownBot();
  beforeEach(() => resetTenant(h, { language: 'nb' }));

  it('completes Part 1: Systemansvarlig and Systemtilpasser by template, Salgssjef preselected by its Norwegian name', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await startSetup(h, chat);
    expect(findById(card, 'nonAdminRoleIds')?.value).toBe(ROOT.salesManager);
    expect(choicesOf(findById(card, 'nonAdminRoleIds'))).toContain('Salgssjef');
    expect(cardText(card)).not.toContain('No role in this environment is called');
    const plan = (await chat.execute(ADMIN, 'admin.plan', inputValues(card), cardActivityId)).body.value;
    expect(cardText(plan)).toContain('the role Systemtilpasser');
    expect(cardText(plan)).toContain('the role Salgssjef');
    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 2 changes done.');
    expect((await rolesOf(SEED.admin.id)).map((r) => r.name).sort()).toEqual(['Salgssjef', 'Systemansvarlig', 'Systemtilpasser']);
  });

  it('completes Part 2: the integration role is found by Business Central\'s role id and given back by it', async () => {
    await dataverse(h, `systemusers(${APP_USER})/systemuserroles_association/$ref?$id=${h.sandbox.url}/dataverse/api/data/v9.2/roles(${ROOT.bcIntegration})`, { method: 'DELETE' });
    const chat = h.conversation();
    const { cardActivityId } = await completePart1(h, chat);
    const checks = await part2Checks(chat, cardActivityId);
    expect(rulesOf(checks)).toContain('❌');
    const plan = (await chat.execute(ADMIN, 'integration.fix', {}, cardActivityId)).body.value;
    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 1 changes done.');
    const { next: checked } = await continuePlan(h, chat, final, cardActivityId);
    expect(rulesOf(checked).every((mark) => mark === '✅')).toBe(true);
    expect((await rolesOf(SEED.servicePrincipals.bcIntegration)).map((r) => r.roleid)).toEqual(['a2b18661-9ff5-e911-a812-000d3a0b9028']);
  });

  it('completes Part 3: every salesperson gets the role Selger in their own business unit, no role to pick', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(h, chat);
    expect(cardText(card)).toContain('Role for salespeople: **Selger**.');
    expect(findById(card, 'salespersonRoleId')).toBeUndefined();
    expect(facts(card)['No Salesperson role']).toBe('1');
    const { plan, final } = await runPart3(chat, card, cardActivityId);
    expect(plan).toContain("8 × the role Selger (the copy in each user's business unit)");
    expect(final).toContain('Applied: all 9 salespeople are set up.');
    const lars = await rolesOf(SEED.users.larsJohansen.id);
    expect(lars).toEqual([expect.objectContaining({ roleid: SEED.dataverse.roles.salgVest.salesperson, name: 'Selger', _businessunitid_value: SEED.dataverse.businessUnits.salgVest })]);
  });

  it('reads the environment\'s base language as Dataverse publishes it', async () => {
    const body = (await (await dataverse(h, 'organizations?$select=languagecode')).json()) as { value: { languagecode: number }[] };
    expect(body.value[0].languagecode).toBe(1044);
  });
});

describe('an environment whose role names the product does not know', () => {
  ownBot();
  const names = { salesManager: 'Vertriebsleiter', salesperson: 'Verkäufer', bcIntegration: 'Business Central Dataverse-Integration' };
  beforeEach(() => resetTenant(h, { roleNames: names }));

  it('Part 1: nothing preselected, the admin picks the role, and the next card in another chat preselects that pick', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await startSetup(h, chat);
    expect(findById(card, 'nonAdminRoleIds')?.value).toBe('');
    expect(cardText(card)).toContain('No role in this environment is called Sales Manager / Salgssjef');
    const plan = (await chat.execute(ADMIN, 'admin.plan', { ...inputValues(card), nonAdminRoleIds: ROOT.salesManager }, cardActivityId)).body.value;
    expect(cardText(plan)).toContain('the role Vertriebsleiter');
    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 2 changes done.');

    const again = await startSetup(h, h.conversation());
    expect(findById(again.card, 'nonAdminRoleIds')?.value).toBe(ROOT.salesManager);
    expect(cardText(again.card)).not.toContain('No role in this environment is called');
  });

  it('Part 2: a renamed integration role still passes, because Business Central finds it by id', async () => {
    const chat = h.conversation();
    const { cardActivityId } = await completePart1(h, chat);
    const checks = await part2Checks(chat, cardActivityId);
    expect(rulesOf(checks).every((mark) => mark === '✅')).toBe(true);
    expect(actionsOf(checks).map((a) => a.verb)).not.toContain('integration.fix');
  });

  it('Part 3: the admin picks the role on the card instead of a refusal, it is used, and a second plan does not ask again', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(h, chat);
    const picker = findById(card, 'salespersonRoleId');
    expect(picker).toBeDefined();
    expect(cardText(card)).toContain('No role in this environment is called Salesperson / Selger');
    expect(choicesOf(picker)).toEqual(expect.arrayContaining(['Verkäufer', 'Vertriebsleiter']));
    expect(choicesOf(picker)).not.toContain('System Administrator');
    expect(choicesOf(picker)).not.toContain(names.bcIntegration);
    // Without a pick the plan asks for one (and nothing is planned).
    const unpicked = (await salespeoplePlan(chat, card, cardActivityId)).body.value;
    expect(cardText(unpicked)).toContain('Choose the role the salespeople get first');
    expect(actionsOf(unpicked).map((a) => a.verb)).not.toContain('plan.approve');
    // A role that is not one of the environment's root roles is not taken.
    const wrong = (await chat.execute(ADMIN, 'salespeople.role', { ...inputValues(unpicked), ...buttonOf(unpicked, 'salespeople.role').data, salespersonRoleId: SEED.dataverse.roles.salgVest.salesperson }, cardActivityId)).body.value;
    expect(cardText(wrong)).toContain('Choose one of the roles in the list.');
    expect(findById(wrong, 'salespersonRoleId')).toBeDefined();

    const picked = (await chat.execute(ADMIN, 'salespeople.role', { ...inputValues(wrong), ...buttonOf(wrong, 'salespeople.role').data, salespersonRoleId: ROOT.salesperson }, cardActivityId)).body.value;
    expect(cardText(picked)).toContain('Role for salespeople: **Verkäufer** (chosen by an admin for this environment).');
    expect(findById(picked, 'salespersonRoleId')).toBeUndefined();
    expect(facts(picked)['No Salesperson role']).toBe('1'); // Kari holds it already: counted once the role is known
    const { plan, final } = await runPart3(chat, picked, cardActivityId);
    expect(plan).toContain("8 × the role Verkäufer (the copy in each user's business unit)");
    expect(final).toContain('Applied: all 9 salespeople are set up.');
    expect((await rolesOf(SEED.users.larsJohansen.id)).map((r) => r.roleid)).toEqual([SEED.dataverse.roles.salgVest.salesperson]);

    // Another conversation, another plan: the pick is remembered for the environment.
    const other = h.conversation();
    const second = await openPart3(h, other);
    expect(findById(second.card, 'salespersonRoleId')).toBeUndefined();
    expect(cardText(second.card)).toContain('Role for salespeople: **Verkäufer**');
    expect(facts(second.card).Coupled).toBe('9');
  });
});

describe('an import in an environment whose role names the product does not know', () => {
  ownBot();
  beforeEach(() => resetTenant(h, { roleNames: { salesperson: 'Verkäufer' } }));

  it('asks for the role on a card instead of refusing, remembers it, and plans the file sent again', async () => {
    const files = await startFileHost();
    try {
      const chat = h.conversation();
      await startSetup(h, chat);
      const csv = [ADMIN_CENTER_HEADER.join(','), ADMIN_CENTER_HEADER.map((c) => ({ 'User Name': 'nina.berg@contoso.no', 'Display Name': 'Nina Berg', 'Country or Region': 'Norway' })[c as string] ?? '').join(',')].join('\r\n');
      h.connector.clear();
      await sendFile(chat, ADMIN, 'nye.csv', files.serve('nye.csv', csv));
      const picker = h.connector.cards().at(-1)!;
      expect(cardText(picker)).toContain('Which role do the salespeople get?');
      expect(choicesOf(findById(picker, 'salespersonRoleId'))).toContain('Verkäufer');
      const remembered = await chat.execute(ADMIN, 'salespeople.role', { ...buttonOf(picker, 'salespeople.role').data, salespersonRoleId: ROOT.salesperson }, h.connector.activities.at(-1)!.activityId);
      expect(remembered.body.value).toContain('Salespeople get the role **Verkäufer**');

      h.connector.clear();
      await sendFile(chat, ADMIN, 'nye.csv', files.serve('nye.csv', csv));
      expect(h.connector.texts().at(-1)).toBe('All 1 rows of nye.csv are valid.');
      const plan = h.connector.cards().at(-1)!;
      expect(cardText(plan)).toContain('1 × the role Verkäufer');
    } finally {
      await files.close();
    }
  });
});

describe('three levels of business units', () => {
  ownBot();
  beforeEach(() => resetTenant(h, { nestedBusinessUnit: true }));

  it('gives a salesperson in the grandchild unit that unit\'s copy of the role', async () => {
    const chat = h.conversation();
    const { card, cardActivityId } = await openPart3(h, chat);
    const { final } = await runPart3(chat, card, cardActivityId);
    expect(final).toContain('Applied: all 9 salespeople are set up.');
    const lars = await salesUserWithRoles(h.sandbox.url, SEED.users.larsJohansen.id);
    expect(lars!._businessunitid_value).toBe(SEED.dataverse.businessUnits.salgBergen);
    expect(lars!.systemuserroles_association).toEqual([
      expect.objectContaining({ roleid: SEED.dataverse.roles.salgBergen.salesperson, _businessunitid_value: SEED.dataverse.businessUnits.salgBergen }),
    ]);
    // Once assigned, Part 3 counts him as holding the role (the copy is known by its root role).
    const again = (await chat.execute(ADMIN, 'salespeople.refresh', {}, cardActivityId)).body.value;
    expect(cardText(again)).not.toMatch(/LJ · Lars Johansen[^\n]*No Salesperson role/);
  });
});
