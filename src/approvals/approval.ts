import type { Run } from '../setup/plan';

/**
 * Approvals, pure: an approval binds to a plan's digest and moves from pending exactly once.
 * Storage makes the move atomic (eTag-guarded update); this decides what the move is.
 */

export interface Person {
  aadObjectId?: string;
  name?: string;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'cancelled' | 'expired';

export interface Approval {
  planId: string;
  digest: string;
  conversationId: string;
  requester: Person;
  status: ApprovalStatus;
  /** Who approved so far (several only when every listed approver must approve). */
  approvals?: (Person & { at: string })[];
  decidedBy?: Person;
  decidedAt?: string;
  comment?: string;
  expiresAt: string;
  /** Conversations where the approval card was posted (the requester's, and an approvers' chat). */
  postedTo?: { conversationId: string; activityId?: string }[];
  /**
   * Written with the decision that approves the plan, in the same guarded write: the run must
   * happen, and reports here. Whoever finds an approved plan without a run starts it from this.
   */
  run?: Run['report'];
  /** A newer plan for the same step replaced this one while it waited (status "cancelled"). */
  supersededBy?: string;
}

export type Decision = 'approve' | 'reject' | 'cancel';

export interface DecisionRules {
  /** "all": every id in `required` must approve; "first": one approval decides. */
  mode: 'first' | 'all';
  required: string[];
  twoPersonRule: boolean;
}

export type DecisionResult =
  | { outcome: 'decided'; approval: Approval }
  /** An approval was recorded, others are still needed ("all" mode). */
  | { outcome: 'recorded'; approval: Approval }
  /** Decided before (by this or another person): nothing changes; say who and when. */
  | { outcome: 'already'; approval: Approval }
  /** The card's digest is not the stored plan's: the plan changed, a new approval is needed. */
  | { outcome: 'digestMismatch'; approval: Approval }
  | { outcome: 'expired'; approval: Approval }
  /** The requester tried to approve their own plan under the two-person rule. */
  | { outcome: 'ownPlan'; approval: Approval }
  /** A newer plan for the same step replaced this one: nothing changes; decide on the newer one. */
  | { outcome: 'superseded'; approval: Approval };

export const DEFAULT_EXPIRY_MS = 24 * 60 * 60 * 1000;

export function newApproval(planId: string, digest: string, conversationId: string, requester: Person, now: Date, expiryMs = DEFAULT_EXPIRY_MS): Approval {
  return { planId, digest, conversationId, requester, status: 'pending', approvals: [], expiresAt: new Date(now.getTime() + expiryMs).toISOString() };
}

const same = (a: Person | undefined, b: Person | undefined) =>
  !!a?.aadObjectId && !!b?.aadObjectId && a.aadObjectId.toLowerCase() === b.aadObjectId.toLowerCase();

export function isExpired(approval: Approval, now: Date): boolean {
  return approval.status === 'pending' && now.getTime() >= Date.parse(approval.expiresAt);
}

export function decide(
  current: Approval,
  decision: Decision,
  digest: string,
  actor: Person,
  now: Date,
  rules: DecisionRules = { mode: 'first', required: [], twoPersonRule: false },
  comment?: string,
): DecisionResult {
  if (current.status === 'cancelled' && current.supersededBy) return { outcome: 'superseded', approval: current };
  if (current.status !== 'pending') return { outcome: 'already', approval: current };
  if (digest !== current.digest) return { outcome: 'digestMismatch', approval: current };
  const at = now.toISOString();
  if (isExpired(current, now)) return { outcome: 'expired', approval: { ...current, status: 'expired', decidedAt: at } };
  if (decision === 'cancel') return { outcome: 'decided', approval: { ...current, status: 'cancelled', decidedBy: actor, decidedAt: at } };
  if (decision === 'reject') return { outcome: 'decided', approval: { ...current, status: 'rejected', decidedBy: actor, decidedAt: at, comment } };
  if (rules.twoPersonRule && same(actor, current.requester)) return { outcome: 'ownPlan', approval: current };
  const approvals = [...(current.approvals ?? [])];
  if (approvals.some((a) => same(a, actor))) return { outcome: 'already', approval: current };
  approvals.push({ ...actor, at });
  const missing =
    rules.mode === 'all'
      ? rules.required.filter((id) => !(rules.twoPersonRule && same({ aadObjectId: id }, current.requester)) && !approvals.some((a) => same(a, { aadObjectId: id })))
      : [];
  if (missing.length > 0) return { outcome: 'recorded', approval: { ...current, approvals } };
  return { outcome: 'decided', approval: { ...current, approvals, status: 'approved', decidedBy: actor, decidedAt: at } };
}

/**
 * A newer plan for the same step replaces a pending one: cancelled as superseded, by the newer
 * plan's requester. Undefined when the approval has left pending (decided first: it stands).
 */
export function supersede(current: Approval, newerPlanId: string, by: Person, now: Date): Approval | undefined {
  if (current.status !== 'pending' || current.planId === newerPlanId) return undefined;
  return { ...current, status: 'cancelled', supersededBy: newerPlanId, decidedBy: by, decidedAt: now.toISOString() };
}
