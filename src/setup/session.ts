import type { Config } from '../config';
import type { IntegrationPath } from './integrationPlanner';
import type { PlanEnvironment, PlanKind } from './plan';

/**
 * The conversation engine, pure: a state machine persisted in conversation state.
 * environment → admin account → integration account → salespeople → summary.
 */

export const STEPS = ['environment', 'admin', 'integration', 'salespeople', 'summary'] as const;
export type Step = (typeof STEPS)[number];

export type Deployment = 'online' | 'onpremises';

export interface SessionEnvironment extends PlanEnvironment {
  deployment: Deployment;
  bcCompanyName?: string;
}

export interface SetupSession {
  active: boolean;
  step: Step;
  /** Remembered per conversation, also across cancel and restart. */
  environment?: SessionEnvironment;
  admin?: { userPrincipalName: string; nonAdminRoleIds: string[] };
  /** Part 2: which path, which account, and where in it. */
  integration?: IntegrationState;
  /** The plan waiting for approval (or running) in the current step. */
  planId?: string;
  updatedAt: string;
}

export type IntegrationPhase = 'choose' | 'form' | 'connection' | 'check';

export interface IntegrationState {
  phase: IntegrationPhase;
  path?: IntegrationPath;
  /** The dedicated user's UPN, once planned. */
  userPrincipalName?: string;
}

export type Command = 'setup' | 'status' | 'help' | 'cancel' | 'restart' | 'resume' | 'language' | 'audit' | 'salespeople';

const COMMAND_PATTERNS: [Command, RegExp][] = [
  ['setup', /^(set\s*up|setup|start|sett\s*opp|oppsett)$/],
  ['status', /^(status|check|kontroller|sjekk)$/],
  ['help', /^(help|hjelp|hi|hello|hey|hei|hallo|god\s*dag|\?)$/],
  ['cancel', /^(cancel|stop|avbryt|stopp)$/],
  ['restart', /^(restart|start\s*over|start\s*p[åa]\s*nytt|begynn\s*p[åa]\s*nytt)$/],
  ['resume', /^(resume|continue|fortsett)$/],
  ['language', /^(language|lang|spr[åa]k)( \S+)?$/],
  ['audit', /^(audit|revisjon|revisjonsspor|logg)$/],
  ['salespeople', /^(sales\s*people|salespersons|selgere|selgerne)$/],
];

/**
 * Commands are short: a message longer than this is not a command, and nothing beyond it is read.
 * Every step below is linear in the length of what is left.
 */
export const MAX_COMMAND_TEXT = 1_000;

/**
 * `text` without trailing `!`, `.` and `?`. A loop, not `/[!.?]+$/`: that pattern is tried from
 * every position of a long run of punctuation that does not end the text, which is quadratic.
 */
export function trimEndPunctuation(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '!' || text[end - 1] === '.' || text[end - 1] === '?')) end--;
  return text.slice(0, end);
}

/** A command in English or Norwegian, matched on the whole message. */
export function parseCommand(text: string): Command | undefined {
  const head = text.slice(0, MAX_COMMAND_TEXT + 1);
  if (head.length > MAX_COMMAND_TEXT) return undefined;
  const lowered = head.normalize('NFKC').toLowerCase().trim();
  if (lowered === '?') return 'help';
  const normalised = trimEndPunctuation(lowered).trim().replace(/\s+/g, ' ');
  return COMMAND_PATTERNS.find(([, pattern]) => pattern.test(normalised))?.[0];
}

export type SessionEvent =
  | { type: 'start' }
  | { type: 'restart' }
  | { type: 'cancel' }
  | { type: 'resume' }
  | { type: 'environmentSaved'; environment: SessionEnvironment }
  | { type: 'changeEnvironment' }
  | { type: 'goto'; step: 'admin' | 'integration' | 'salespeople' }
  | { type: 'adminChosen'; admin: NonNullable<SetupSession['admin']>; planId?: string }
  | { type: 'planSettled' }
  | { type: 'planCompleted'; kind: PlanKind }
  | { type: 'integrationPath'; path: IntegrationPath }
  | { type: 'integrationUserPlanned'; userPrincipalName: string; planId: string }
  | { type: 'integrationPlanned'; planId: string }
  | { type: 'integrationPhase'; phase: IntegrationPhase }
  | { type: 'salespeoplePlanned'; planId: string }
  /** A plan made from the health check's "Plan the fix": the plan this conversation now waits on. */
  | { type: 'healthPlanned'; planId: string }
  | { type: 'advance' };

export function newSession(now: string, environment?: SessionEnvironment): SetupSession {
  return { active: true, step: 'environment', environment, updatedAt: now };
}

/** The next state. Unknown or out-of-place events leave the session as it is. */
export function transition(session: SetupSession | undefined, event: SessionEvent, now: string): SetupSession {
  const at = (next: SetupSession): SetupSession => ({ ...next, updatedAt: now });
  switch (event.type) {
    case 'start':
      if (session?.active) return session;
      return session ? at({ ...session, active: true }) : newSession(now);
    case 'restart':
      return newSession(now, session?.environment);
    case 'cancel':
      return session ? at({ ...session, active: false, planId: undefined }) : newSession(now);
    case 'resume':
      return session ? at({ ...session, active: true }) : newSession(now);
    case 'changeEnvironment':
      return at({ ...(session ?? newSession(now)), active: true, step: 'environment', planId: undefined });
    case 'goto': {
      // Without a remembered environment the setup starts with it; otherwise straight to the part.
      const base = session ?? newSession(now);
      return at({ ...base, active: true, step: base.environment ? event.step : 'environment', planId: undefined });
    }
  }
  if (!session) return newSession(now);
  switch (event.type) {
    case 'environmentSaved':
      return at({ ...session, environment: event.environment, step: session.step === 'environment' ? 'admin' : session.step, planId: undefined });
    case 'adminChosen':
      return at({ ...session, admin: event.admin, planId: event.planId });
    case 'planSettled':
      return at({ ...session, planId: undefined });
    case 'planCompleted':
      return at(afterPlan({ ...session, planId: undefined }, event.kind));
    case 'integrationPath':
      return at({ ...session, planId: undefined, integration: { phase: event.path === 'application' ? 'check' : 'form', path: event.path } });
    case 'integrationUserPlanned':
      return at({ ...session, planId: event.planId, integration: { ...integrationOf(session), userPrincipalName: event.userPrincipalName } });
    case 'integrationPlanned':
      return at({ ...session, planId: event.planId });
    case 'integrationPhase':
      return at({ ...session, planId: undefined, integration: { ...integrationOf(session), phase: event.phase } });
    case 'salespeoplePlanned':
    case 'healthPlanned':
      return at({ ...session, planId: event.planId });
    case 'advance': {
      const index = STEPS.indexOf(session.step);
      return at({ ...session, step: STEPS[Math.min(index + 1, STEPS.length - 1)], planId: undefined });
    }
  }
  return session;
}

const integrationOf = (session: SetupSession): IntegrationState => session.integration ?? { phase: 'choose' };

/** Where the procedure goes once a plan of this kind has been applied (or had nothing to do). */
function afterPlan(session: SetupSession, kind: PlanKind): SetupSession {
  switch (kind) {
    case 'admin':
      return session.step === 'admin' ? { ...session, step: 'integration' } : session;
    case 'integrationUser':
      return { ...session, integration: { ...integrationOf(session), phase: 'connection' } };
    case 'integrationAccessMode':
    case 'integrationApplication':
      return { ...session, integration: { ...integrationOf(session), phase: 'check' } };
    case 'salespeople':
    case 'health':
      return session;
  }
}

/** The configured default environment when all of it is configured (tenant mode may leave it out). */
export function configuredEnvironment(config: Pick<Config, 'defaults'>): { dataverseUrl: string; bapEnvironmentId: string; bcEnvironment: string; bcCompanyId?: string } | undefined {
  const { dataverseUrl, bapEnvironmentId, bcEnvironment, bcCompanyId } = config.defaults;
  return dataverseUrl && bapEnvironmentId && bcEnvironment ? { dataverseUrl, bapEnvironmentId, bcEnvironment, bcCompanyId } : undefined;
}
