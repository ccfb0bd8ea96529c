import { randomUUID } from 'node:crypto';
import type { Plan, Run } from '../setup/plan';
import { planDigest } from '../setup/plan';
import type { RecordStore } from '../storage/records';
import { planKey, runKey } from '../provisioning/runner';
import { decide, isExpired, newApproval, type Approval, type Decision, type DecisionResult, type DecisionRules, type Person } from './approval';

export const approvalKey = (planId: string) => `approval:${planId}`;

/**
 * Plans and their approvals in storage. The server trusts only its own stored plan: a card
 * carries a plan id and a digest, which are looked up and compared, never executed.
 */
export class PlanStore {
  constructor(
    private readonly records: RecordStore,
    private readonly now: () => Date = () => new Date(),
    private readonly expiryMs?: number,
  ) {}

  async create(input: Omit<Plan, 'id' | 'digest' | 'createdAt'>): Promise<Plan> {
    const plan: Plan = { ...input, id: randomUUID(), digest: planDigest(input), createdAt: this.now().toISOString() };
    await this.records.put(planKey(plan.id), plan);
    await this.records.put(approvalKey(plan.id), newApproval(plan.id, plan.digest, plan.conversationId, plan.createdBy, this.now(), this.expiryMs));
    return plan;
  }

  get(planId: string): Promise<Plan | undefined> {
    return this.records.get<Plan>(planKey(planId));
  }

  approval(planId: string): Promise<Approval | undefined> {
    return this.records.get<Approval>(approvalKey(planId));
  }

  run(planId: string): Promise<Run | undefined> {
    return this.records.get<Run>(runKey(planId));
  }

  /** Moves the approval out of pending exactly once (eTag-guarded); later calls see "already". */
  async decide(
    planId: string,
    decision: Decision,
    digest: string,
    actor: Person,
    rules?: DecisionRules,
    comment?: string,
  ): Promise<DecisionResult | undefined> {
    let result: DecisionResult | undefined;
    await this.records.update<Approval>(approvalKey(planId), (current) => {
      if (!current) return (result = undefined);
      result = decide(current, decision, digest, actor, this.now(), rules, comment);
      return ['decided', 'recorded', 'expired'].includes(result.outcome) ? result.approval : undefined;
    });
    return result;
  }

  /** Marks a pending approval whose time has run out as expired (once). */
  async expireIfDue(planId: string): Promise<void> {
    await this.records.update<Approval>(approvalKey(planId), (current) =>
      current && isExpired(current, this.now()) ? { ...current, status: 'expired', decidedAt: this.now().toISOString() } : undefined,
    );
  }

  /** Remembers where the approval card was posted, so every copy can be updated on a decision. */
  async postedTo(planId: string, conversationId: string, activityId: string | undefined): Promise<void> {
    await this.records.update<Approval>(approvalKey(planId), (current) => {
      if (!current) return undefined;
      const posted = (current.postedTo ?? []).filter((p) => !(p.conversationId === conversationId && p.activityId === activityId));
      return { ...current, postedTo: [...posted, { conversationId, activityId }] };
    });
  }
}
