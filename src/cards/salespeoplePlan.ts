import { t, type Locale, type StringKey } from '../i18n';
import type { Action, ActionOutcome, Plan, Run } from '../setup/plan';
import { skuDisplayName } from '../setup/skuNames';
import { escapeMarkdown, renderCard, type AdaptiveCardJson } from './render';
import { failureReason } from '../provisioning/run/outcomes';
import type { Approval } from '../approvals/approval';
import { planStage, type PlanStage } from './planStage';

/**
 * The Part 3 plan as a summary: counts per kind of change, the first salespeople with their
 * steps, progress in people ("412 / 1,000 · 3 failed") and each failure with its reason, paged,
 * so a plan of thousands of changes stays one card well under Teams' 28 KB.
 */

const PEOPLE_SHOWN = 15;
const FAILURES_ON_PLAN = 10;
export const FAILURES_PER_PAGE = 25;

const STEP: Partial<Record<Action['type'], StringKey>> = {
  createUser: 'spStepCreate',
  assignLicense: 'spStepLicence',
  addGroupMember: 'spStepGroup',
  joinLicenceGroup: 'glStepJoin',
  addUserToEnvironment: 'spStepEnvironment',
  assignRole: 'spStepRole',
  coupleSalesperson: 'spStepCouple',
  setMail: 'spStepMail',
};

interface Person {
  user: string;
  code?: string;
  actions: Action[];
}

export const formatNumber = (n: number, locale: Locale) => new Intl.NumberFormat(locale === 'nb' ? 'nb-NO' : 'en-GB').format(n);

/** Steps on the licence group itself (group-based licensing), not on a person. */
const GROUP_STEPS: ReadonlySet<Action['type']> = new Set(['createGroup', 'assignGroupLicense', 'nestGroup']);

/** The plan's people in plan order, each with their actions. */
export function peopleOf(plan: Plan): Person[] {
  const people = new Map<string, Person>();
  for (const action of plan.actions) {
    if (GROUP_STEPS.has(action.type)) continue;
    const key = action.target.userPrincipalName.toLowerCase();
    const person = people.get(key) ?? { user: action.target.userPrincipalName, actions: [] };
    if (action.type === 'coupleSalesperson') person.code = action.params.salespersonCode;
    person.actions.push(action);
    people.set(key, person);
  }
  return [...people.values()];
}

type PersonState = 'done' | 'failed' | 'pending';

function stateOf(person: Person, journal: Record<string, ActionOutcome>): PersonState {
  const outcomes = person.actions.map((a) => journal[a.key]?.status ?? 'pending');
  if (outcomes.includes('failed')) return 'failed';
  return outcomes.every((o) => o === 'done') ? 'done' : 'pending';
}

/** Every failure that has a cause of its own (not "not attempted because of an earlier one"). */
export function failureLines(plan: Plan, run: Run | undefined, locale: Locale): string[] {
  if (!run) return [];
  return plan.actions.flatMap((action) => {
    const outcome = run.journal[action.key];
    if (outcome?.status !== 'failed' || outcome.code === 'blocked') return [];
    return [t(locale, 'spFailure', { user: escapeMarkdown(action.target.userPrincipalName), reason: escapeMarkdown(failureReason(outcome, locale)) })];
  });
}

function summary(plan: Plan, locale: Locale): string[] {
  const of = (type: Action['type']) => plan.actions.filter((a) => a.type === type);
  const n = (count: number) => formatNumber(count, locale);
  const lines: string[] = [];
  for (const a of plan.actions) {
    if (a.type === 'createGroup') lines.push(t(locale, 'glPlanCreateGroup', { group: escapeMarkdown(a.params.displayName) }));
    if (a.type === 'assignGroupLicense') lines.push(t(locale, 'glPlanGroupLicence', { group: escapeMarkdown(a.params.groupName), sku: escapeMarkdown(skuDisplayName(a.params)), members: n(a.params.members) }));
    if (a.type === 'nestGroup') lines.push(t(locale, 'glPlanNest', { group: escapeMarkdown(a.params.groupName), parent: escapeMarkdown(a.params.parentGroupName) }));
  }
  const joins = of('joinLicenceGroup') as Extract<Action, { type: 'joinLicenceGroup' }>[];
  if (joins.length) lines.push(t(locale, 'glPlanJoin', { count: n(joins.length), group: escapeMarkdown(joins[0].params.groupName) }));
  const creates = of('createUser');
  const licences = of('assignLicense') as Extract<Action, { type: 'assignLicense' }>[];
  const usage = licences.filter((a) => a.params.usageLocation);
  if (creates.length) lines.push(t(locale, 'spPlanCreate', { count: n(creates.length) }));
  if (usage.length) lines.push(t(locale, 'spPlanUsage', { count: n(usage.length), location: escapeMarkdown(usage[0].params.usageLocation!) }));
  if (licences.length) lines.push(t(locale, 'spPlanLicence', { count: n(licences.length), sku: escapeMarkdown(skuDisplayName(licences[0].params)) }));
  const members = of('addGroupMember') as Extract<Action, { type: 'addGroupMember' }>[];
  if (members.length) lines.push(t(locale, 'spPlanGroup', { count: n(members.length), group: escapeMarkdown(members[0].params.groupName) }));
  if (of('addUserToEnvironment').length) lines.push(t(locale, 'spPlanEnvironment', { count: n(of('addUserToEnvironment').length) }));
  const roles = of('assignRole') as Extract<Action, { type: 'assignRole' }>[];
  if (roles.length) lines.push(t(locale, 'spPlanRole', { count: n(roles.length), role: escapeMarkdown(roles[0].params.roleName) }));
  if (of('coupleSalesperson').length) lines.push(t(locale, 'spPlanCouple', { count: n(of('coupleSalesperson').length) }));
  if (of('setMail').length) lines.push(t(locale, 'spPlanMail', { count: n(of('setMail').length) }));
  return lines;
}

const SP_PLAN_INTRO: Record<PlanStage, StringKey> = {
  proposed: 'spPlanIntro',
  applying: 'spPlanIntroApplying',
  applied: 'spPlanIntroApplied',
  partly: 'spPlanIntroPartly',
  notMade: 'spPlanIntroNotMade',
};

/** The Part 3 parts of the plan card's data (bound as `sp` in salespeoplePlan.json). */
export function salespeoplePlanData(plan: Plan, run: Run | undefined, locale: Locale, { approval, movedOn = false }: { approval?: Approval; movedOn?: boolean } = {}) {
  const people = peopleOf(plan);
  const journal = run?.journal ?? {};
  const states = people.map((p) => stateOf(p, journal));
  const done = states.filter((s) => s === 'done').length;
  const failedPeople = states.filter((s) => s === 'failed').length;
  const n = (count: number) => formatNumber(count, locale);
  const failures = failureLines(plan, run, locale);
  const couples = plan.actions.filter((a) => a.type === 'coupleSalesperson');
  const made = couples.filter((a) => { const o = journal[a.key]; return o?.status === 'done' && !o.note; }).length;
  const already = couples.filter((a) => { const o = journal[a.key]; return o?.status === 'done' && o.note === 'already'; }).length;
  let progress = '';
  let progressColor = 'Default';
  if (run?.status === 'running') progress = t(locale, 'spProgress', { done: n(done), total: n(people.length), failed: n(failedPeople) });
  if (run?.status === 'completed') [progress, progressColor] = [t(locale, 'spRunDone', { total: n(people.length) }), 'Good'];
  if (run?.status === 'failed') [progress, progressColor] = [t(locale, 'spRunFailed', { done: n(done), total: n(people.length), failed: n(failedPeople) }), 'Attention'];
  const notes: string[] = [];
  const joins = plan.actions.filter((a): a is Extract<Action, { type: 'joinLicenceGroup' }> => a.type === 'joinLicenceGroup');
  const waited = joins.map((a) => journal[a.key]).filter((o): o is Extract<ActionOutcome, { status: 'done' }> => o?.status === 'done' && o.waitedMs !== undefined);
  if (run && waited.length > 0) {
    const seconds = Math.max(...waited.map((o) => o.waitedMs!)) / 1000;
    notes.push(t(locale, 'glWaited', { seconds: formatNumber(Math.round(seconds * 10) / 10, locale), count: n(waited.length), group: escapeMarkdown(joins[0].params.groupName) }));
  }
  if (run && run.status !== 'running' && couples.length > 0) {
    notes.push(t(locale, 'spCouplingsMade', { count: n(made) }));
    if (already > 0) notes.push(t(locale, 'spCouplingsAlready', { count: n(already) }));
  }
  return {
    intro: t(locale, SP_PLAN_INTRO[planStage(approval, run)], { people: n(people.length), environment: escapeMarkdown(plan.environment.dataverseUrl) }),
    licensing: licensingLine(plan, locale),
    summary: summary(plan, locale),
    passwords: plan.actions.some((a) => a.type === 'createUser') ? t(locale, 'spPlanPasswords') : '',
    people: people.slice(0, PEOPLE_SHOWN).map((p, i) => ({
      text: `${p.code ? `${escapeMarkdown(p.code)} · ` : ''}${escapeMarkdown(p.user)}: ${p.actions.map((a) => t(locale, STEP[a.type] ?? 'spStepRole')).join(', ')}`,
      outcome: !run ? '' : states[i] === 'done' ? t(locale, 'outcomeDone') : states[i] === 'failed' ? '❌' : t(locale, 'outcomePending'),
    })),
    more: people.length > PEOPLE_SHOWN ? t(locale, 'spPlanMore', { count: n(people.length - PEOPLE_SHOWN) }) : '',
    progress,
    progressColor,
    notes,
    failureTitle: failures.length ? t(locale, 'spFailures', { from: 1, to: Math.min(FAILURES_ON_PLAN, failures.length), count: n(failures.length) }) : '',
    failures: failures.slice(0, FAILURES_ON_PLAN),
    moreFailures: failures.length > FAILURES_ON_PLAN,
    // Back to the list whenever nothing is running (after a run, a cancellation or a rejection),
    // unless the list was already sent below this card ("Continue"): the card is then a record.
    back: run?.status !== 'running' && !movedOn,
  };
}

/** Which licensing mode the plan uses and why (group-based licensing or per user). */
function licensingLine(plan: Plan, locale: Locale): string {
  const note = plan.licensing;
  if (!note) return '';
  const vars = Object.fromEntries(Object.entries(note.why.vars ?? {}).map(([k, v]) => [k, escapeMarkdown(String(v))]));
  const why = t(locale, note.why.key as StringKey, vars);
  return note.mode === 'group' ? why : t(locale, 'glModePerUser', { why });
}

/** One page (1-based) of a run's failures. */
export function failuresCard(plan: Plan, run: Run | undefined, page: number, locale: Locale, title: string): AdaptiveCardJson {
  return renderCard('salespeopleFailures', failuresCardData(plan, run, page, locale, title), locale);
}

export function failuresCardData(plan: Plan, run: Run | undefined, page: number, locale: Locale, title: string) {
  const all = failureLines(plan, run, locale);
  const pages = Math.max(1, Math.ceil(all.length / FAILURES_PER_PAGE));
  const at = Math.min(Math.max(1, page), pages);
  const from = (at - 1) * FAILURES_PER_PAGE;
  return {
    title,
    heading: t(locale, 'spFailures', { from: all.length ? from + 1 : 0, to: Math.min(from + FAILURES_PER_PAGE, all.length), count: formatNumber(all.length, locale) }),
    lines: all.slice(from, from + FAILURES_PER_PAGE),
    planId: plan.id,
    previous: at > 1 ? at - 1 : -1,
    next: at < pages ? at + 1 : -1,
  };
}
