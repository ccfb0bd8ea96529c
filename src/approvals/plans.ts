import { randomUUID } from 'node:crypto';
import type { Plan, Run } from '../setup/plan';
import { planDigest } from '../setup/plan';
import type { RecordStore } from '../storage/records';
import { planKey, runKey } from '../provisioning/runner';
import { decide, newApproval, type Approval, type Decision, type DecisionResult, type Person } from './approval';

export const approvalKey = (planId: string) => `approval:${planId}`;

/**
 * Plans and their approvals in storage. The server trusts only its own stored plan: a card
 * carries a plan id and a digest, which are looked up and compared, never executed.
 */
export class PlanStore {
  constructor(
    private readonly records: RecordStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: Omit<Plan, 'id' | 'digest' | 'createdAt'>): Promise<Plan> {
    const plan: Plan = { ...input, id: randomUUID(), digest: planDigest(input), createdAt: this.now().toISOString() };
    await this.records.put(planKey(plan.id), plan);
    await this.records.put(approvalKey(plan.id), newApproval(plan.id, plan.digest, plan.conversationId, plan.createdBy, this.now()));
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
  async decide(planId: string, decision: Decision, digest: string, actor: Person): Promise<DecisionResult | undefined> {
    let result: DecisionResult | undefined;
    await this.records.update<Approval>(approvalKey(planId), (current) => {
      if (!current) return (result = undefined);
      result = decide(current, decision, digest, actor, this.now());
      return result.outcome === 'decided' || result.outcome === 'expired' ? result.approval : undefined;
    });
    return result;
  }
}
