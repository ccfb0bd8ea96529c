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
  decidedBy?: Person;
  decidedAt?: string;
  expiresAt: string;
}

export type Decision = 'approve' | 'cancel';

export type DecisionResult =
  | { outcome: 'decided'; approval: Approval }
  /** Decided before (by this or another person): nothing changes; say who and when. */
  | { outcome: 'already'; approval: Approval }
  /** The card's digest is not the stored plan's: the plan changed, a new approval is needed. */
  | { outcome: 'digestMismatch'; approval: Approval }
  | { outcome: 'expired'; approval: Approval };

export const APPROVAL_TTL_MS = 24 * 60 * 60 * 1000;

export function newApproval(planId: string, digest: string, conversationId: string, requester: Person, now: Date): Approval {
  return { planId, digest, conversationId, requester, status: 'pending', expiresAt: new Date(now.getTime() + APPROVAL_TTL_MS).toISOString() };
}

export function decide(current: Approval, decision: Decision, digest: string, actor: Person, now: Date): DecisionResult {
  if (current.status !== 'pending') return { outcome: 'already', approval: current };
  if (digest !== current.digest) return { outcome: 'digestMismatch', approval: current };
  if (now.getTime() >= Date.parse(current.expiresAt)) {
    return { outcome: 'expired', approval: { ...current, status: 'expired', decidedAt: now.toISOString() } };
  }
  return {
    outcome: 'decided',
    approval: { ...current, status: decision === 'approve' ? 'approved' : 'cancelled', decidedBy: actor, decidedAt: now.toISOString() },
  };
}
