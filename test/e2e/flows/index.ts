import type { Flow, TenantVariant } from './types';
import { part1 } from './part1';
import { part1Nb } from './part1Nb';
import { part2 } from './part2';
import { part3 } from './part3';
import { groupApproval } from './groupApproval';
import { part3Group } from './part3Group';
import { environments } from './environments';
import { health } from './health';

/**
 * The flows, in the order a user goes through them; each starts where the previous one ended
 * (one Playground session, one sandbox tenant). Add a flow here to have it run in CI.
 */
export const FLOWS: Flow[] = [environments, part1, part2, part3, health, groupApproval];

/**
 * Each variant starts a fresh stack and runs its flows: the default tenant (English role names),
 * then a Norwegian environment (base language nb: Systemansvarlig, Systemtilpasser, Salgssjef,
 * Selger) whose access is limited to a security group, with Business Central's real integration role id;
 * and Part 1 in a conversation the admin switches to Norwegian (`språk nb`).
 */
export const VARIANTS: { tenant: TenantVariant; flows: Flow[] }[] = [
  { tenant: { name: 'default environment', language: 'en', securityGroup: false }, flows: FLOWS },
  { tenant: { name: 'Norwegian environment with a security group', language: 'nb', securityGroup: true }, flows: [part1, part2, part3] },
  { tenant: { name: 'Norwegian conversation', language: 'en', securityGroup: false }, flows: [part1Nb] },
  { tenant: { name: 'tenant with group-based licensing', language: 'en', securityGroup: false, groupLicensing: true }, flows: [part1, part2, part3Group] },
];
