import type { Approval } from '../approvals/approval';
import type { Run } from '../setup/plan';

/** Where the plan stands, for the sentence above its changes: still to be made, being made, made, or not made. */
export type PlanStage = 'proposed' | 'applying' | 'applied' | 'partly' | 'notMade';

export function planStage(approval: Approval | undefined, run: Run | undefined): PlanStage {
  if (run?.status === 'completed') return 'applied';
  if (run?.status === 'failed') return 'partly';
  if (run?.status === 'running' || approval?.status === 'approved') return 'applying';
  if (approval && approval.status !== 'pending') return 'notMade';
  return 'proposed';
}
