/** What every handler gets: the state store, the guard (limits, faults, stats), settings, a clock. */
import type { Guard } from './faults';
import type { SandboxSettings } from './settings';
import type { GraphUser, SandboxState, Sku, Store } from './state';
import type { SigningKey } from './tokens';
import { usersWithId, usersWithUpn } from './userIndex';

export interface Ctx {
  store: Store;
  guard: Guard;
  settings(): SandboxSettings;
  now(): number;
  /** the key the token endpoint signs with and every service validates against */
  signingKey: SigningKey;
}

export function state(ctx: Ctx): SandboxState {
  return ctx.store.state;
}

/** Service plans that bring a user into Dynamics 365 (Sales runs on Dataverse). */
export function isDynamicsPlan(servicePlanName: string): boolean {
  return servicePlanName.startsWith('DYN365_ENTERPRISE');
}

/**
 * When the user first held an assignment with an enabled Dynamics service plan; null when the user
 * has none now.
 */
export function dynamicsLicensedAt(user: GraphUser, skus: Sku[]): number | null {
  let at: number | null = null;
  for (const a of user.assignedLicenses) {
    const sku = skus.find((s) => s.skuId === a.skuId);
    if (!sku) continue;
    const has = sku.servicePlans.some((p) => isDynamicsPlan(p.servicePlanName) && !a.disabledPlans.includes(p.servicePlanId));
    if (has && (at === null || a.assignedAt < at)) at = a.assignedAt;
  }
  return at;
}

export function consumedUnits(s: SandboxState, sku: Sku): number {
  let n = sku.consumedOffset;
  for (const u of s.graph.users) if (u.assignedLicenses.some((a) => a.skuId === sku.skuId)) n++;
  return n;
}

export function findGraphUser(s: SandboxState, idOrUpn: string): GraphUser | undefined {
  const key = idOrUpn.toLowerCase();
  const found = new Set([...usersWithId(s.graph.users, key), ...usersWithUpn(s.graph.users, key)]);
  if (found.size <= 1) return found.values().next().value;
  // More than one: the first in the directory's order, as a scan finds it.
  return s.graph.users.find((u) => u.id === key || u.userPrincipalName.toLowerCase() === key);
}
