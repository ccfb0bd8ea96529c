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

describe('decide: the order of the rules', () => {
  const decided = {
    approved: () => decide(pending(), 'approve', DIGEST, KARI, NOW, FIRST).approval,
    rejected: () => decide(pending(), 'reject', DIGEST, KARI, NOW, FIRST, 'No').approval,
    cancelled: () => decide(pending(), 'cancel', DIGEST, INGRID, NOW, FIRST).approval,
    expired: () => decide(pending(), 'approve', DIGEST, KARI, later(60_000), FIRST).approval,
  };

  it.each(Object.keys(decided) as (keyof typeof decided)[])('once %s, an approval answers every later decision with "already", even with a wrong digest or after expiry', (status) => {
    const current = decided[status]();
    expect(current.status).toBe(status);
    for (const decision of ['approve', 'reject', 'cancel'] as const) {
      expect(decide(current, decision, DIGEST, LARS, later(1), ALL)).toEqual({ outcome: 'already', approval: current });
      expect(decide(current, decision, 'b'.repeat(64), LARS, later(120_000), ALL)).toEqual({ outcome: 'already', approval: current });
    }
  });

  it('checks the digest before expiry, and expiry before the decision itself (cancel, reject, the two-person rule)', () => {
    const late = later(60_000);
    expect(decide(pending(), 'cancel', 'b'.repeat(64), INGRID, late, TWO_PERSON).outcome).toBe('digestMismatch');
    for (const decision of ['approve', 'reject', 'cancel'] as const) {
      expect(decide(pending(), decision, DIGEST, INGRID, late, TWO_PERSON).outcome).toBe('expired');
    }
  });

  it('the two-person rule binds approval only: the requester may still cancel, and an approver reject', () => {
    expect(decide(pending(), 'cancel', DIGEST, INGRID, NOW, TWO_PERSON).approval).toMatchObject({ status: 'cancelled', decidedBy: INGRID });
    expect(decide(pending(), 'reject', DIGEST, KARI, NOW, TWO_PERSON, 'Not now').approval).toMatchObject({ status: 'rejected', decidedBy: KARI, comment: 'Not now' });
  });

  it('changes nothing in the approval it is given', () => {
    const current = pending();
    const copy = structuredClone(current);
    decide(current, 'approve', DIGEST, KARI, NOW, ALL);
    decide(current, 'reject', DIGEST, KARI, NOW, FIRST, 'No');
    decide(current, 'approve', DIGEST, KARI, later(60_000), FIRST);
    expect(current).toEqual(copy);
  });

  it('reads an approval stored without its list of approvals', () => {
    const { approvals: _none, ...stored } = pending();
    expect(decide(stored, 'approve', DIGEST, KARI, NOW, FIRST).approval.approvals).toEqual([{ ...KARI, at: NOW.toISOString() }]);
  });
});

describe('decide: "all" mode', () => {
  const ALL_OPEN: DecisionRules = { ...ALL, twoPersonRule: false };

  it('without the two-person rule the requester is one of those who must approve', () => {
    const kari = decide(pending(), 'approve', DIGEST, KARI, later(1), ALL_OPEN);
    const lars = decide(kari.approval, 'approve', DIGEST, LARS, later(2), ALL_OPEN);
    expect(lars.outcome).toBe('recorded');
    const ingrid = decide(lars.approval, 'approve', DIGEST, INGRID, later(3), ALL_OPEN);
    expect(ingrid.outcome).toBe('decided');
    expect(ingrid.approval.approvals!.map((a) => a.name)).toEqual(['Kari Hansen', 'Lars Johansen', 'Ingrid Berg']);
  });

  it('counts listed approvers by object id without regard to case; one not on the list is recorded but never completes it', () => {
    const outsider = { aadObjectId: '44444444-4444-4444-8444-444444444444', name: 'Øystein Bakke' };
    const first = decide(pending(), 'approve', DIGEST, outsider, later(1), ALL);
    expect(first.outcome).toBe('recorded');
    const kari = decide(first.approval, 'approve', DIGEST, { ...KARI, aadObjectId: KARI.aadObjectId.toUpperCase() }, later(2), ALL);
    expect(kari.outcome).toBe('recorded');
    expect(decide(kari.approval, 'approve', DIGEST, KARI, later(3), ALL).outcome).toBe('already');
    expect(decide(kari.approval, 'approve', DIGEST, LARS, later(4), ALL).outcome).toBe('decided');
  });

  it('with nobody listed, the first approval decides', () => {
    expect(decide(pending(), 'approve', DIGEST, KARI, NOW, { mode: 'all', required: [], twoPersonRule: true }).outcome).toBe('decided');
  });

  it('a reject by anyone ends it, whatever approvals were recorded', () => {
    const kari = decide(pending(), 'approve', DIGEST, KARI, later(1), ALL);
    expect(decide(kari.approval, 'reject', DIGEST, LARS, later(2), ALL, 'No').approval).toMatchObject({ status: 'rejected', decidedBy: LARS, approvals: [expect.objectContaining({ name: 'Kari Hansen' })] });
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
