/**
 * Group-based licensing: `POST /groups/{id}/assignLicense`, Entra's asynchronous processing of
 * a licensed group's members, and each user's `licenseAssignmentStates`.
 *
 * Sources:
 * - Learn "group: assignLicense" (graph/api/group-assignlicense): body `{ addLicenses, removeLicenses }`,
 *   answers `202 Accepted` with the group; "Licenses assigned to the group will be assigned to all
 *   users in the group." Permissions: LicenseAssignment.ReadWrite.All, Directory.ReadWrite.All, Group.ReadWrite.All.
 * - Learn "What is group-based licensing in Microsoft Entra ID?" (entra/fundamentals/concept-group-based-licensing):
 *   "Paid or trial subscription for Microsoft Entra ID P1 and above" (or Microsoft 365 Business
 *   Premium, Office 365 E3/A3/G3 … and above); "Licenses can be assigned to any security group";
 *   "license modifications are effective within minutes"; a licence from several sources "will be
 *   consumed only once"; "there might not be enough available licenses in the tenant".
 * - Learn "Resolve group license assignment problems" (entra/identity/users/licensing-groups-resolve-problems):
 *   errors "happen in the background … recorded on the user object"; not enough licences is `CountViolation`.
 * - Learn "licenseAssignmentState resource type" (graph/api/resources/licenseassignmentstate):
 *   assignedByGroup (null when direct), disabledPlans, error (CountViolation, MutuallyExclusiveViolation,
 *   DependencyViolation, ProhibitedInUsageLocationViolation, UniquenessViolation, Other), lastUpdatedDateTime,
 *   skuId, state (Active, ActiveWithError, Disabled, Error).
 * - Learn "Scenarios, limitations, and known issues using groups to manage licensing"
 *   (licensing-group-advanced): "users without a usage location specified inherit the location of
 *   the directory"; group licensing "will never modify an existing usage location value".
 * - Learn "Product names and service plan identifiers for licensing" (entra/identity/users/licensing-service-plan-reference):
 *   Microsoft Entra ID P1 `AAD_PREMIUM` (078d2b04-f1bd-4111-bbd4-b4b1b354cef4) with service plan
 *   AAD_PREMIUM (41781fb2-bc02-4b7c-bd55-b576c07bb09d); P2 `AAD_PREMIUM_P2` (84a661c4-e949-4bd2-a560-ed7766fcaf2b)
 *   with AAD_PREMIUM and AAD_PREMIUM_P2 (eec0eb4f-6444-4f95-aba0-50c24d67f998).
 *
 * Unverified (no Microsoft material found): the status, code and text of the refusals below (no P1,
 * not a security group), what licenseAssignmentStates shows while a member is still being processed
 * (the sandbox shows nothing yet), and the wording "None" for a successful state's error (the page
 * says null; the sandbox answers null). The delay is the setting `groupLicenseDelayMs`; Microsoft
 * publishes no figure beyond "within minutes".
 */
import { type Ctx, consumedUnits, state } from './context';
import { HttpError, isGuid, isObject, type SbReply, type SbRequest } from './http';
import { contextUrl, graphOk } from './graphQuery';
import { memberSet, userById } from './graphIndex';
import type { GraphUser, Group, LicenceWork, SandboxState, Sku } from './state';

/** Service plans of Microsoft Entra ID P1 and P2 (the licensing service plan reference). */
const ENTRA_PREMIUM_PLANS = ['AAD_PREMIUM', 'AAD_PREMIUM_P2'];

/** True when the tenant subscribes to a SKU with Entra ID P1 or P2 (enabled seats). */
function hasEntraPremium(s: SandboxState): boolean {
  return s.graph.skus.some((sku) => sku.enabled > 0 && sku.servicePlans.some((p) => ENTRA_PREMIUM_PLANS.includes(p.servicePlanName)));
}

/**
 * Entra's queue of group licences still to process, in order of when they are due. It is kept
 * sorted as it is filled (each entry is due a fixed delay after it was queued, so new entries
 * normally go at the end), which lets every request find what has come due by looking at the
 * front only. A queue read from an older state file is sorted once.
 */
const sortedQueues = new WeakSet<LicenceWork[]>();

function licenceQueue(s: SandboxState): LicenceWork[] {
  const work = (s.graph.licenceWork ??= []);
  if (!sortedQueues.has(work)) {
    work.sort((a, b) => a.dueAt - b.dueAt);
    sortedQueues.add(work);
  }
  return work;
}

/** Queues the licences of `group` for these members, due after the configured delay. */
export function queueMembers(ctx: Ctx, group: Group, userIds: string[]): void {
  const licences = group.assignedLicenses ?? [];
  if (licences.length === 0 || userIds.length === 0) return;
  const s = state(ctx);
  const dueAt = ctx.now() + ctx.settings().groupLicenseDelayMs;
  const work = licenceQueue(s);
  const entries: LicenceWork[] = [];
  for (const userId of userIds) if (userById(s, userId)) for (const l of licences) entries.push({ userId, groupId: group.id, skuId: l.skuId, dueAt });
  if (entries.length === 0) return;
  // After everything due no later (the delay or the clock may have changed since the last entry).
  let at = work.length;
  if (at > 0 && work[at - 1].dueAt > dueAt) {
    let lo = 0;
    while (lo < at) {
      const mid = (lo + at) >> 1;
      if (work[mid].dueAt <= dueAt) lo = mid + 1;
      else at = mid;
    }
  }
  if (at === work.length) for (const e of entries) work.push(e);
  else work.splice(at, 0, ...entries);
}

/**
 * Entra's background processing, done lazily on each request: every queued member whose time
 * has come, in the order they came due. The cost is that of the entries processed (the queue's
 * front), not of the whole queue or the whole directory.
 */
export function processGroupLicences(ctx: Ctx): void {
  const s = state(ctx);
  if (!s.graph.licenceWork?.length) return;
  const work = licenceQueue(s);
  const now = ctx.now();
  let count = 0;
  while (count < work.length && work[count].dueAt <= now) count++;
  if (count === 0) return;
  const due = work.splice(0, count);
  const free = new Map<string, number>();
  const freeOf = (sku: Sku) => free.get(sku.skuId) ?? sku.enabled - consumedUnits(s, sku);
  for (const w of due) {
    const group = s.graph.groups.find((g) => g.id === w.groupId);
    const user = userById(s, w.userId);
    const licence = group?.assignedLicenses?.find((l) => l.skuId === w.skuId);
    const sku = s.graph.skus.find((x) => x.skuId === w.skuId);
    if (!group || !user || !licence || !sku || !memberSet(group).has(user.id)) continue;
    const held = user.assignedLicenses.find((a) => a.skuId === w.skuId);
    const errors = (user.licenceErrors ?? []).filter((e) => !(e.skuId === w.skuId && e.groupId === w.groupId));
    if (held) {
      // Held already (directly or through another group): consumed only once.
      held.viaGroups = [...new Set([...(held.viaGroups ?? []), group.id])];
    } else if (freeOf(sku) < 1) {
      errors.push({ skuId: w.skuId, groupId: w.groupId, error: 'CountViolation', at: w.dueAt });
    } else {
      free.set(sku.skuId, freeOf(sku) - 1);
      user.assignedLicenses.push({ skuId: w.skuId, disabledPlans: [...licence.disabledPlans], assignedAt: w.dueAt, viaGroups: [group.id], direct: false });
    }
    user.licenceErrors = errors.length ? errors : undefined;
  }
  ctx.store.touch();
}

/** The user's licenseAssignmentStates: one per direct assignment, one per group it comes from, one per error. */
export function licenceStates(u: GraphUser): Record<string, unknown>[] {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const out: Record<string, unknown>[] = [];
  for (const a of u.assignedLicenses) {
    const row = { disabledPlans: [...a.disabledPlans], error: null, lastUpdatedDateTime: iso(a.assignedAt), skuId: a.skuId, state: 'Active' };
    if (a.direct !== false) out.push({ assignedByGroup: null, ...row });
    for (const g of a.viaGroups ?? []) out.push({ assignedByGroup: g, ...row });
  }
  for (const e of u.licenceErrors ?? []) {
    out.push({ assignedByGroup: e.groupId, disabledPlans: [], error: e.error, lastUpdatedDateTime: iso(e.at), skuId: e.skuId, state: 'Error' });
  }
  return out;
}

/**
 * `POST /users/{id}/reprocessLicenseAssignment` (Learn "user: reprocessLicenseAssignment":
 * "Reprocess all group-based license assignments for the user", 200 with the user): every group
 * licence of the user is queued again and its error cleared until it is processed. That the error
 * disappears while the user is queued is unverified.
 */
export function reprocessUser(ctx: Ctx, user: GraphUser): void {
  const s = state(ctx);
  const groups = s.graph.groups.filter((g) => memberSet(g).has(user.id) && (g.assignedLicenses ?? []).length > 0);
  user.licenceErrors = undefined;
  for (const g of groups) queueMembers(ctx, g, [user.id]);
  ctx.store.touch();
}

export const badLicense = (skuId: unknown) => new HttpError(400, 'Request_BadRequest', `License ${String(skuId)} does not correspond to a valid company License.`);

/** One `addLicenses` entry, checked as Graph checks it (user and group alike): a subscribed SKU, disabled plans of that SKU. */
export function licenceToAdd(s: SandboxState, a: unknown): { sku: Sku; skuId: string; disabledPlans: string[] } {
  if (!isObject(a) || !isGuid(a.skuId)) throw badLicense(isObject(a) ? a.skuId : a);
  const skuId = a.skuId.toLowerCase();
  const sku = s.graph.skus.find((x) => x.skuId === skuId);
  if (!sku) throw badLicense(a.skuId);
  const disabled = a.disabledPlans ?? [];
  if (!Array.isArray(disabled) || disabled.some((p) => !isGuid(p) || !sku.servicePlans.some((sp) => sp.servicePlanId === p.toLowerCase()))) {
    throw new HttpError(400, 'Request_BadRequest', `Invalid disabledPlans for license ${skuId}.`);
  }
  return { sku, skuId, disabledPlans: (disabled as string[]).map((p) => p.toLowerCase()) };
}

/** `POST /groups/{id}/assignLicense`: 202 with the group; the members are licensed in the background. */
export function assignGroupLicense(ctx: Ctx, req: SbRequest, group: Group, body: unknown): SbReply {
  const s = state(ctx);
  if (!isObject(body)) throw new HttpError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
  const missing = ['addLicenses', 'removeLicenses'].filter((k) => !Array.isArray(body[k]));
  if (missing.length) {
    throw new HttpError(400, 'Request_BadRequest',
      `One or more parameters of the function import 'assignLicense' are missing from the request payload. The missing parameters are: ${missing.join(', ')}.`);
  }
  if (!group.securityEnabled) throw new HttpError(400, 'Request_BadRequest', `Licenses can be assigned only to security groups; the group '${group.displayName}' is not security enabled.`);
  if (!hasEntraPremium(s)) {
    throw new HttpError(400, 'Request_BadRequest', 'Group-based licensing requires a Microsoft Entra ID P1 or P2 subscription in the tenant.');
  }
  const next = [...(group.assignedLicenses ?? [])];
  for (const r of body.removeLicenses as unknown[]) {
    if (!isGuid(r)) throw badLicense(r);
    const i = next.findIndex((l) => l.skuId === r.toLowerCase());
    if (i < 0) throw new HttpError(400, 'Request_BadRequest', 'Group does not have a corresponding license.');
    next.splice(i, 1);
  }
  const added: string[] = [];
  for (const a of body.addLicenses as unknown[]) {
    const { skuId, disabledPlans } = licenceToAdd(s, a);
    const entry = { skuId, disabledPlans };
    const at = next.findIndex((l) => l.skuId === skuId);
    if (at >= 0) next[at] = entry;
    else {
      next.push(entry);
      added.push(skuId);
    }
  }
  const removed = (group.assignedLicenses ?? []).filter((l) => !next.some((n) => n.skuId === l.skuId)).map((l) => l.skuId);
  group.assignedLicenses = next;
  // Removed licences leave the members at once (the sandbox does not delay removals).
  for (const id of removed.length ? group.members : []) {
    const u = userById(s, id);
    if (!u) continue;
    u.assignedLicenses = u.assignedLicenses.flatMap((a) => {
      if (!removed.includes(a.skuId) || !a.viaGroups?.includes(group.id)) return [a];
      const viaGroups = a.viaGroups.filter((g) => g !== group.id);
      return viaGroups.length || a.direct !== false ? [{ ...a, viaGroups: viaGroups.length ? viaGroups : undefined }] : [];
    });
  }
  if (added.length) queueMembers(ctx, { ...group, assignedLicenses: next.filter((l) => added.includes(l.skuId)) }, group.members);
  ctx.store.touch();
  return graphOk(req, 202, { '@odata.context': contextUrl(req, 'groups/$entity'), id: group.id, displayName: group.displayName, securityEnabled: group.securityEnabled, groupTypes: group.groupTypes ?? [] }, {
    Location: `${req.origin}/graph/v1.0/directoryObjects/${group.id}/Microsoft.DirectoryServices.Group`,
  });
}
