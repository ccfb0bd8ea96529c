import type { Flow } from './types';
import { part1 } from './part1';
import { part2 } from './part2';
import { part3 } from './part3';
import { groupApproval } from './groupApproval';

/**
 * The flows, in the order a user goes through them; each starts where the previous one ended
 * (one Playground session, one sandbox tenant). Add a flow here to have it run in CI.
 */
export const FLOWS: Flow[] = [part1, part2, part3, groupApproval];
