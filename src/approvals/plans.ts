import { randomUUID } from 'node:crypto';
import type { Plan, Run } from '../setup/plan';
import { planDigestOf, planStep } from '../setup/plan';
import type { RecordStore } from '../storage/records';
import { approvalKey, dueKey, DUE_PREFIX, planKey, runKey, stepKey } from '../storage/keys';
import { decide, isExpired, newApproval, supersede, type Approval, type Decision, type DecisionResult, type DecisionRules, type Person } from './approval';

/**
 * A plan being approved whose run may not exist yet: written before the approving decision,
 * deleted once the run exists. Listed (cheaply: only these few) to start every approved plan that
 * has no run, whatever stopped it from starting.
 */
/** A due record whose approval is not approved after this long was an approval that did not happen. */
const DUE_STALE_MS = 10 * 60_000;

export interface DueRun {
  plan: Plan;
  report: Run['report'];
  /** To call once the run exists. */
  started(): Promise<void>;
}

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

  /**
   * Stores a new plan with its pending approval, and makes it the newest of its step: an older
   * plan of that step still waiting for approval is cancelled as superseded (returned, so its
   * cards can say so). An older plan approved first stands; the supersession is the guarded
   * write of its approval, so exactly one of "approved" and "superseded" wins.
   */
  async create(input: Omit<Plan, 'id' | 'digest' | 'createdAt'>): Promise<{ plan: Plan; superseded?: Plan }> {
    const plan: Plan = { ...input, id: randomUUID(), digest: await planDigestOf(input), createdAt: this.now().toISOString() };
    await this.records.put(planKey(plan.id), plan);
    await this.records.put(approvalKey(plan.id), newApproval(plan.id, plan.digest, plan.conversationId, plan.createdBy, this.now(), this.expiryMs));
    let previous: string | undefined;
    await this.records.update<{ planId: string; at: string }>(stepKey(planStep(plan)), (current) => {
      previous = current?.planId;
      return { planId: plan.id, at: plan.createdAt };
    });
    if (!previous || previous === plan.id) return { plan };
    const { changed } = await this.records.update<Approval>(approvalKey(previous), (current) =>
      current ? supersede(current, plan.id, plan.createdBy, this.now()) : undefined,
    );
    const superseded = changed ? await this.get(previous) : undefined;
    return { plan, superseded };
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

  /**
   * Moves the approval out of pending exactly once (eTag-guarded); later calls see "already".
   * An approving decision carries `run` (where the run reports) in the same write: the record
   * that the run must happen. Before it, a due record makes the plan findable until its run
   * exists (`due`).
   */
  async decide(
    planId: string,
    decision: Decision,
    digest: string,
    actor: Person,
    rules?: DecisionRules,
    comment?: string,
    run?: Run['report'],
  ): Promise<DecisionResult | undefined> {
    if (decision === 'approve' && run) {
      const current = await this.approval(planId);
      const trial = current && decide(current, decision, digest, actor, this.now(), rules, comment);
      if (trial?.outcome === 'decided') await this.records.put(dueKey(planId), { planId, at: this.now().toISOString() });
    }
    let result: DecisionResult | undefined;
    await this.records.update<Approval>(approvalKey(planId), (current) => {
      if (!current) return (result = undefined);
      result = decide(current, decision, digest, actor, this.now(), rules, comment);
      if (result.outcome === 'decided' && result.approval.status === 'approved' && run) result = { ...result, approval: { ...result.approval, run } };
      return ['decided', 'recorded', 'expired'].includes(result.outcome) ? result.approval : undefined;
    });
    return result;
  }

  /** The run of an approved plan exists: it no longer needs finding. */
  async runStarted(planId: string): Promise<void> {
    await this.records.delete(dueKey(planId));
  }

  /**
   * Approved plans without a run, with where each run reports (the approval's record of it, or
   * the plan's conversation). Due records whose run exists are removed; so are old ones whose
   * approval never happened.
   */
  async due(): Promise<DueRun[]> {
    const found: DueRun[] = [];
    for (const { planId, at } of await this.records.list<{ planId?: string; at?: string }>(DUE_PREFIX)) {
      if (typeof planId !== 'string') continue;
      const [plan, approval, run] = await Promise.all([this.get(planId), this.approval(planId), this.run(planId)]);
      if (run || !plan || !approval) {
        await this.runStarted(planId);
      } else if (approval.status === 'approved') {
        found.push({ plan, report: approval.run ?? { conversationId: plan.conversationId }, started: () => this.runStarted(planId) });
      } else if (approval.status !== 'pending' || this.now().getTime() - (Date.parse(at ?? '') || 0) > DUE_STALE_MS) {
        await this.runStarted(planId);
      }
    }
    return found;
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
