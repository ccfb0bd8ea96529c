import { decide, isExpired, newApproval, supersede, type Approval, type DecisionRules } from '../../src/approvals/approval';
import { planStep, type Action } from '../../src/setup/plan';

/** The approval decision, pure: what a click on Approve, Reject or Cancel does to a stored approval. */

const DIGEST = 'a'.repeat(64);
const NOW = new Date('2026-03-02T09:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);
const INGRID = { aadObjectId: '11111111-1111-4111-8111-111111111111', name: 'Ingrid Berg' };
const KARI = { aadObjectId: '22222222-2222-4222-8222-222222222222', name: 'Kari Hansen' };
const LARS = { aadObjectId: '33333333-3333-4333-8333-333333333333', name: 'Lars Johansen' };
const FIRST: DecisionRules = { mode: 'first', required: [], twoPersonRule: false };
const TWO_PERSON: DecisionRules = { mode: 'first', required: [], twoPersonRule: true };
const ALL: DecisionRules = { mode: 'all', required: [INGRID.aadObjectId, KARI.aadObjectId, LARS.aadObjectId], twoPersonRule: true };

const pending = (): Approval => newApproval('plan-1', DIGEST, 'conv-1', INGRID, NOW, 60_000);

describe('decide', () => {
  it('approves a pending approval once: who, when, and the approvals so far', () => {
    const result = decide(pending(), 'approve', DIGEST, KARI, later(1000), FIRST);
    expect(result.outcome).toBe('decided');
    expect(result.approval).toMatchObject({ status: 'approved', decidedBy: KARI, decidedAt: '2026-03-02T09:00:01.000Z', approvals: [{ ...KARI, at: '2026-03-02T09:00:01.000Z' }] });
    // A second decision, of any kind, changes nothing.
    for (const decision of ['approve', 'reject', 'cancel'] as const) {
      expect(decide(result.approval, decision, DIGEST, LARS, later(2000), FIRST)).toEqual({ outcome: 'already', approval: result.approval });
    }
  });

  it('binds to the digest: another digest is refused and changes nothing', () => {
    const current = pending();
    expect(decide(current, 'approve', 'b'.repeat(64), KARI, NOW, FIRST)).toEqual({ outcome: 'digestMismatch', approval: current });
    expect(decide(current, 'reject', '', KARI, NOW, FIRST)).toEqual({ outcome: 'digestMismatch', approval: current });
  });

  it('expires at expiresAt: no decision after it, and the approval is marked expired', () => {
    expect(isExpired(pending(), later(59_999))).toBe(false);
    expect(isExpired(pending(), later(60_000))).toBe(true);
    const result = decide(pending(), 'approve', DIGEST, KARI, later(60_000), FIRST);
    expect(result.outcome).toBe('expired');
    expect(result.approval).toMatchObject({ status: 'expired', decidedAt: '2026-03-02T09:01:00.000Z' });
    expect(result.approval.decidedBy).toBeUndefined();
  });

  it('rejects with the comment, and cancels, recording who', () => {
    expect(decide(pending(), 'reject', DIGEST, KARI, NOW, FIRST, 'Wrong environment').approval).toMatchObject({ status: 'rejected', decidedBy: KARI, comment: 'Wrong environment' });
    expect(decide(pending(), 'cancel', DIGEST, INGRID, NOW, FIRST).approval).toMatchObject({ status: 'cancelled', decidedBy: INGRID });
  });

  it('under the two-person rule the requester cannot approve (ids compared without case); anyone else can', () => {
    const shouting = { ...INGRID, aadObjectId: INGRID.aadObjectId.toUpperCase() };
    expect(decide(pending(), 'approve', DIGEST, shouting, NOW, TWO_PERSON)).toEqual({ outcome: 'ownPlan', approval: pending() });
    expect(decide(pending(), 'approve', DIGEST, KARI, NOW, TWO_PERSON).outcome).toBe('decided');
    // Without the rule, the requester may.
    expect(decide(pending(), 'approve', DIGEST, INGRID, NOW, FIRST).outcome).toBe('decided');
  });

  it('"all" mode: each listed approver once (the requester excused under the two-person rule); the last one decides', () => {
    const kari = decide(pending(), 'approve', DIGEST, KARI, later(1), ALL);
    expect(kari.outcome).toBe('recorded');
    expect(kari.approval.status).toBe('pending');
    // Kari's approval is counted; Ingrid and Lars are still to approve (the card's refresh list reads this).
    expect(kari.approval.approvals!.map((a) => a.aadObjectId)).toEqual([KARI.aadObjectId]);
    expect(decide(kari.approval, 'approve', DIGEST, KARI, later(2), ALL)).toEqual({ outcome: 'already', approval: kari.approval });
    const lars = decide(kari.approval, 'approve', DIGEST, LARS, later(3), ALL);
    expect(lars.outcome).toBe('decided');
    expect(lars.approval).toMatchObject({ status: 'approved', decidedBy: LARS });
    expect(lars.approval.approvals!.map((a) => a.name)).toEqual(['Kari Hansen', 'Lars Johansen']);
    // Decided: no one is asked any more.
    expect(lars.approval.status).not.toBe('pending');
  });

  it('a superseded approval is refused as superseded, for every decision', () => {
    const superseded = supersede(pending(), 'plan-2', INGRID, later(5))!;
    expect(superseded).toMatchObject({ status: 'cancelled', supersededBy: 'plan-2', decidedBy: INGRID, decidedAt: '2026-03-02T09:00:00.005Z' });
    for (const decision of ['approve', 'reject', 'cancel'] as const) {
      expect(decide(superseded, decision, DIGEST, KARI, later(10), FIRST)).toEqual({ outcome: 'superseded', approval: superseded });
    }
  });
});

describe('supersede', () => {
  it('replaces only a pending approval: one decided first stands', () => {
    const approved = decide(pending(), 'approve', DIGEST, KARI, NOW, FIRST).approval;
    expect(supersede(approved, 'plan-2', INGRID, NOW)).toBeUndefined();
    expect(supersede(decide(pending(), 'cancel', DIGEST, INGRID, NOW).approval, 'plan-2', INGRID, NOW)).toBeUndefined();
    expect(supersede(pending(), 'plan-1', INGRID, NOW)).toBeUndefined(); // not by itself
  });
});

describe('planStep', () => {
  const environment = { dataverseUrl: 'https://contoso.crm4.dynamics.com', bapEnvironmentId: 'env', bcEnvironment: 'Production', bcCompanyId: 'c1' };
  const role = (upn: string, roleId: string): Action => ({ key: `assignRole:${upn}:${roleId}`, type: 'assignRole', target: { userPrincipalName: upn }, params: { roleId, roleName: 'Role' } });

  it('is the kind, the environment and whom the plan changes, whatever the changes are', () => {
    const a = planStep({ kind: 'admin', environment, actions: [role('ingrid@contoso.no', 'r1')] });
    expect(planStep({ kind: 'admin', environment: { ...environment, dataverseUrl: 'https://CONTOSO.crm4.dynamics.com' }, actions: [role('Ingrid@Contoso.no', 'r2'), role('ingrid@contoso.no', 'r3')] })).toBe(a);
    expect(planStep({ kind: 'admin', environment, actions: [role('kari@contoso.no', 'r1')] })).not.toBe(a);
    expect(planStep({ kind: 'admin', environment: { ...environment, bcEnvironment: 'Sandbox' }, actions: [role('ingrid@contoso.no', 'r1')] })).not.toBe(a);
    expect(planStep({ kind: 'integrationUser', environment, actions: [role('ingrid@contoso.no', 'r1')] })).not.toBe(a);
  });

  it('for salespeople, the Business Central company', () => {
    const a = planStep({ kind: 'salespeople', environment, actions: [role('ola@contoso.no', 'r1')] });
    expect(planStep({ kind: 'salespeople', environment, actions: [role('kari@contoso.no', 'r1')] })).toBe(a);
    expect(planStep({ kind: 'salespeople', environment: { ...environment, bcCompanyId: 'c2' }, actions: [] })).not.toBe(a);
  });
});
