import { createHash } from 'node:crypto';
import type { Grant } from '../permissions';

/**
 * Plans: every tenant change is an action in a plan, and an approval binds to the plan's digest.
 * Conversation code builds plans; only the runner executes them.
 */

/** The environment a plan works on. */
export interface PlanEnvironment {
  dataverseUrl: string;
  bapEnvironmentId: string;
  bcEnvironment: string;
  bcCompanyId?: string;
}

export interface UserTarget {
  /** Entra object id, when the user exists. */
  userId?: string;
  /** Dataverse system user id: set for application users, which have no UPN. */
  systemUserId?: string;
  /** The UPN; for an application user, its name. */
  userPrincipalName: string;
  displayName?: string;
}

export interface CreateUserParams {
  mailNickname: string;
  /** ISO 3166 alpha-2; set at creation so a licence can be assigned. */
  usageLocation: string;
  givenName?: string;
  surname?: string;
  jobTitle?: string;
  department?: string;
  /** Profile fields from an imported admin center file (Graph user properties). */
  profile?: UserProfileParams;
  /**
   * The account's `mail`, set at creation (writable: microsoftgraph/microsoft-graph-docs PR 9653):
   * for a salesperson, the e-mail in Business Central, so that the Sales user's primary e-mail
   * carries it and BC's Match-Based Coupling finds it (an account without a mailbox has none).
   */
  mail?: string;
  /**
   * True for an account whose password a person must receive (the integration user): it is shown
   * once to the requester. Otherwise the password is random and never shown; the admin resets it.
   */
  deliverPassword: boolean;
}

export interface UserProfileParams {
  officeLocation?: string;
  businessPhones?: string[];
  mobilePhone?: string;
  faxNumber?: string;
  otherMails?: string[];
  streetAddress?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
}

/**
 * The environment's security group as observed: only its members are admitted to the environment.
 * `nonMembers`: the Entra ids, among the users observed, that are not members (a user without an
 * account is never a member).
 */
export interface EnvironmentSecurityGroup {
  id: string;
  displayName: string;
  nonMembers: string[];
}

/** The membership action a user needs in an environment with a security group, if any. */
export function groupMemberAction(group: EnvironmentSecurityGroup | null | undefined, target: UserTarget): Action | undefined {
  if (!group) return undefined;
  if (target.userId && !group.nonMembers.includes(target.userId.toLowerCase())) return undefined;
  return {
    key: actionKey.addGroupMember(group.id, target.userId ?? target.userPrincipalName),
    type: 'addGroupMember',
    target,
    params: { groupId: group.id, groupName: group.displayName },
  };
}

/** Couples a Business Central salesperson to the target's Sales user through the coupling endpoint. */
export interface CoupleSalespersonParams {
  /** The coupling endpoint's API root for this tenant and environment (approved with the plan). */
  endpoint: string;
  companyId: string;
  salespersonId: string;
  salespersonCode: string;
}

export type Action =
  | { key: string; type: 'createUser'; target: UserTarget; params: CreateUserParams }
  | {
      key: string;
      type: 'assignLicense';
      target: UserTarget;
      /** `usageLocation`: set first when the account has none (a licence needs one). */
      params: { skuId: string; skuPartNumber: string; usageLocation?: string };
    }
  | { key: string; type: 'addUserToEnvironment'; target: UserTarget; params: { bapEnvironmentId: string } }
  | {
      key: string;
      type: 'addGroupMember';
      target: UserTarget;
      /** The environment's security group (only its members are admitted to the environment). */
      params: { groupId: string; groupName: string };
    }
  | {
      key: string;
      type: 'assignRole';
      target: UserTarget;
      /** The role as chosen (root business unit copy); the runner assigns the copy in the user's business unit. */
      params: { roleId: string; roleName: string; roleTemplateId?: string | null };
    }
  | { key: string; type: 'setAccessMode'; target: UserTarget; params: { accessMode: number; accessModeName: string } }
  | { key: string; type: 'removeRole'; target: UserTarget; params: { roleId: string; roleName: string; roleTemplateId?: string | null } }
  | { key: string; type: 'coupleSalesperson'; target: UserTarget; params: CoupleSalespersonParams }
  // Group-based licensing (Part 3 through a group). The group's target names it: `userPrincipalName`
  // is the group's name, `userId` its object id once it exists.
  | { key: string; type: 'createGroup'; target: UserTarget; params: { displayName: string; mailNickname: string; description: string } }
  | {
      key: string;
      type: 'assignGroupLicense';
      target: UserTarget;
      /** `members`: the seats the group's future members need (the seat check at planning). */
      params: { groupName: string; groupId?: string; skuId: string; skuPartNumber: string; members: number };
    }
  | {
      key: string;
      type: 'nestGroup';
      target: UserTarget;
      /** The licence group joins the environment's security group, so its members are admitted. */
      params: { groupName: string; groupId?: string; parentGroupId: string; parentGroupName: string };
    }
  | {
      key: string;
      type: 'joinLicenceGroup';
      target: UserTarget;
      /** The user joins the licence group and counts done once Entra shows the group's licence Active on them. */
      params: { groupName: string; groupId?: string; skuId: string; skuPartNumber: string };
    }
  /**
   * Sets the account's missing `mail` (Graph PATCH /users) and, when the target names its Sales user,
   * that user's primary e-mail (internalemailaddress), so that BC's Match-Based Coupling finds it.
   */
  | { key: string; type: 'setMail'; target: UserTarget; params: { mail: string } }
  | {
      key: string;
      type: 'assignTeamRole';
      /** The team (its name as `userPrincipalName`): BC's owning team holds the integration role of its business unit. */
      target: UserTarget;
      params: { teamId: string; teamName: string; roleId: string; roleName: string; rootRoleId: string };
    }
  | {
      key: string;
      type: 'addTeamMember';
      /** A coupled Sales user, made a member of BC's default owning team. */
      target: UserTarget;
      params: { teamId: string; teamName: string };
    };

export type ActionType = Action['type'];

export type PlanKind = 'admin' | 'integrationApplication' | 'integrationUser' | 'integrationAccessMode' | 'salespeople' | 'health';

export interface Plan {
  id: string;
  kind: PlanKind;
  environment: PlanEnvironment;
  actions: Action[];
  digest: string;
  conversationId: string;
  createdBy: { aadObjectId?: string; name?: string };
  createdAt: string;
  /**
   * The requester's personal chat, where a generated password may be shown (never part of the
   * digest; absent when the plan was made elsewhere, and then no password is ever delivered).
   */
  requesterChat?: Record<string, unknown>;
  /** Part 3: how the salespeople are licensed and why (shown on the card; the actions say the same). */
  licensing?: { mode: 'perUser' | 'group'; why: { key: string; vars?: Record<string, string | number> } };
}

/**
 * Canonical JSON: keys sorted at every level, so equal content gives an equal digest.
 *
 * The approver approves this text's digest, so it must never change for the same input. Plain
 * JSON data (what plans are) is written by `JSON.stringify` with each object's keys put in order
 * on the way, several times faster over a plan of tens of thousands of actions; anything else
 * (a key that is an array index, which JSON.stringify would put first; a value JSON.stringify
 * would write differently, such as a function, an undefined array item or a Date) is written by
 * the reference rules below, exactly as before.
 */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(value, sortedKeys);
  } catch (error) {
    if (error !== NOT_PLAIN) throw error;
    return referenceCanonicalJson(value);
  }
}

/** The reference rules of canonicalJson, value by value. */
export function referenceCanonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(referenceCanonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${referenceCanonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const NOT_PLAIN = new Error('not plain JSON data');
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

/** JSON.stringify's replacer for canonicalJson: plain objects with their keys in order; anything else stops it. */
function sortedKeys(this: unknown, key: string, value: unknown): unknown {
  // A value that toJSON replaced (a Date), or one JSON.stringify writes unlike the reference rules.
  if (!Object.is((this as Record<string, unknown>)[key], value)) throw NOT_PLAIN;
  const type = typeof value;
  if (type === 'function' || type === 'symbol' || type === 'bigint') throw NOT_PLAIN;
  if (value === undefined) {
    if (Array.isArray(this)) throw NOT_PLAIN;
    return value;
  }
  if (type !== 'object' || value === null || Array.isArray(value)) return value;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) throw NOT_PLAIN;
  const keys = Object.keys(value);
  let ordered = true;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] === '__proto__' || ARRAY_INDEX.test(keys[i])) throw NOT_PLAIN;
    if (i > 0 && keys[i - 1] > keys[i]) ordered = false;
  }
  if (ordered) return value;
  keys.sort();
  const sorted: Record<string, unknown> = {};
  for (const k of keys) sorted[k] = (value as Record<string, unknown>)[k];
  return sorted;
}

/** What the approval binds to: the kind, the environment and the exact actions. */
export function planDigest(plan: Pick<Plan, 'kind' | 'environment' | 'actions'>): string {
  return createHash('sha256')
    .update(canonicalJson({ kind: plan.kind, environment: plan.environment, actions: plan.actions }))
    .digest('hex');
}

/** Actions written between two turns of the event loop in planDigestOf (a few milliseconds' work). */
const DIGEST_SLICE = 2000;

/**
 * planDigest, the same digest, computed a slice of actions at a time: a plan of tens of thousands
 * of actions does not hold up every other admin's card for the whole of it. The canonical text is
 * the same (`{"actions":[…],"environment":…,"kind":…}`, keys in order, each action as
 * canonicalJson writes it inside the list), fed to the hash piece by piece.
 */
export async function planDigestOf(plan: Pick<Plan, 'kind' | 'environment' | 'actions'>, yieldNow: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve))): Promise<string> {
  const { kind, environment, actions } = plan;
  if (!Array.isArray(actions)) return planDigest(plan);
  const hash = createHash('sha256');
  hash.update('{"actions":[');
  for (let start = 0; start < actions.length; start += DIGEST_SLICE) {
    if (start > 0) await yieldNow();
    // An item the reference rules write as nothing (undefined) leaves its place empty between commas.
    const slice = Array.prototype.slice.call(actions, start, start + DIGEST_SLICE) as unknown[];
    hash.update((start > 0 ? ',' : '') + slice.map((action) => canonicalJson(action) ?? '').join(','));
  }
  hash.update(']');
  if (environment !== undefined) hash.update(`,"environment":${canonicalJson(environment)}`);
  if (kind !== undefined) hash.update(`,"kind":${canonicalJson(kind)}`);
  hash.update('}');
  return hash.digest('hex');
}

/**
 * The step of the procedure a plan is for: its kind, its environment and whom it changes (for
 * Part 3, the Business Central company whose salespeople it sets up). A newer plan for the same
 * step supersedes an older one still waiting for approval.
 */
export function planStep(plan: Pick<Plan, 'kind' | 'environment' | 'actions'>): string {
  const { dataverseUrl, bcEnvironment, bcCompanyId } = plan.environment;
  const target =
    plan.kind === 'salespeople'
      ? [`company:${(bcCompanyId ?? '').toLowerCase()}`]
      : [...new Set(plan.actions.map((action) => action.target.userPrincipalName.toLowerCase()))].sort();
  return canonicalJson({ kind: plan.kind, dataverseUrl: dataverseUrl.toLowerCase(), bcEnvironment: bcEnvironment.toLowerCase(), target });
}

export const actionKey = {
  createUser: (upn: string) => `createUser:${upn.toLowerCase()}`,
  setAccessMode: (user: string, mode: number) => `setAccessMode:${user.toLowerCase()}:${mode}`,
  removeRole: (user: string, roleId: string) => `removeRole:${user.toLowerCase()}:${roleId}`,
  assignLicense: (user: string, skuId: string) => `assignLicense:${user.toLowerCase()}:${skuId}`,
  addUserToEnvironment: (user: string, environmentId: string) => `addUserToEnvironment:${user.toLowerCase()}:${environmentId}`,
  addGroupMember: (groupId: string, user: string) => `addGroupMember:${groupId.toLowerCase()}:${user.toLowerCase()}`,
  assignRole: (user: string, roleId: string) => `assignRole:${user.toLowerCase()}:${roleId}`,
  coupleSalesperson: (salespersonId: string) => `coupleSalesperson:${salespersonId.toLowerCase()}`,
  createGroup: (name: string) => `createGroup:${name.toLowerCase()}`,
  assignGroupLicense: (group: string, skuId: string) => `assignGroupLicense:${group.toLowerCase()}:${skuId.toLowerCase()}`,
  nestGroup: (group: string, parentId: string) => `nestGroup:${group.toLowerCase()}:${parentId.toLowerCase()}`,
  joinLicenceGroup: (group: string, user: string) => `joinLicenceGroup:${group.toLowerCase()}:${user.toLowerCase()}`,
  setMail: (user: string) => `setMail:${user.toLowerCase()}`,
  assignTeamRole: (teamId: string, roleId: string) => `assignTeamRole:${teamId.toLowerCase()}:${roleId.toLowerCase()}`,
  addTeamMember: (teamId: string, user: string) => `addTeamMember:${teamId.toLowerCase()}:${user.toLowerCase()}`,
};

/** Why a step failed: a catalogue key and its parameters, rendered in the reader's language (provisioning/run/outcomes.ts). */
export interface OutcomeText {
  key: string;
  params?: Record<string, string>;
}

/** Journal of a run: one entry per action key. */
export type ActionOutcome =
  | { status: 'pending' }
  /** `waitedMs`: how long the step waited for a service to finish in the background (group licences). */
  | { status: 'done'; at: string; note?: string; waitedMs?: number }
  /**
   * `code`: the error's code ("blocked" when not attempted because an earlier step for the user
   * failed); `text`: why, as a key with parameters; `reason`: the English text journals held
   * before outcomes were coded (read as it is). `grant`: the README permission or registration
   * the service's refusal points to (shown localised).
   */
  | { status: 'failed'; at: string; code: string; text?: OutcomeText; reason?: string; grant?: Grant };

export interface Run {
  id: string;
  planId: string;
  digest: string;
  status: 'running' | 'completed' | 'failed';
  journal: Record<string, ActionOutcome>;
  startedAt: string;
  finishedAt?: string;
  /** How many times "Retry failed" sent the failed actions round again (bounded). */
  retries?: number;
  /** Where the run reports progress: the conversation and the plan card's activity. */
  report: { conversationId: string; activityId?: string; reference?: Record<string, unknown>; locale?: string };
}
