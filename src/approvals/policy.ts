import { z } from 'zod';
import { LruMap } from '../lru';

/**
 * Who may act: the admins who may use the bot (start setup, see status and audit) and the
 * approvers who may approve plans, as Entra object ids and/or an Entra group each; how approvals
 * are decided (first to respond, or all must approve), the two-person rule, and the expiry.
 */

export interface AccessPolicy {
  adminIds: string[];
  adminGroupId?: string;
  approverIds: string[];
  approverGroupId?: string;
  /** "first": one approval decides; "all": every listed approver must approve (groups: first). */
  approvalMode: 'first' | 'all';
  /** The requester cannot approve their own plan. */
  twoPersonRule: boolean;
  expiryMs: number;
  /** A chat or channel where approval requests go instead of the requester's conversation. */
  approvalConversationId?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const empty = (v: unknown) => (v === '' ? undefined : v);
const idList = z.preprocess(
  empty,
  z
    .string()
    .max(4000)
    .transform((v) => v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))
    .refine((ids) => ids.every((id) => GUID.test(id)), 'must be a comma-separated list of Entra object ids (GUIDs)')
    .optional(),
);
const groupId = z.preprocess(empty, z.string().trim().toLowerCase().regex(GUID, 'must be an Entra group object id (GUID)').optional());

const schema = z.object({
  ADMIN_IDS: idList,
  ADMIN_GROUP_ID: groupId,
  APPROVER_IDS: idList,
  APPROVER_GROUP_ID: groupId,
  APPROVAL_MODE: z.preprocess(empty, z.enum(['first', 'all']).default('first')),
  APPROVAL_TWO_PERSON: z.preprocess(empty, z.enum(['true', 'false']).default('false')),
  APPROVAL_EXPIRY_HOURS: z.preprocess(empty, z.coerce.number().positive().max(24 * 30).default(24)),
  APPROVAL_CONVERSATION_ID: z.preprocess(empty, z.string().max(500).optional()),
});

/** The sandbox tenant's people (src/sandbox/seed.ts): Ingrid Berg, Kari Hansen and Lars Johansen administer it. */
export interface SandboxPeople {
  adminIds: string[];
  approverGroupId: string;
}

export type PolicyResult = { ok: true; policy: AccessPolicy } | { ok: false; problems: { setting: string; problem: string }[] };

export function parseAccessPolicy(env: Record<string, string | undefined>, sandbox?: SandboxPeople): PolicyResult {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => ({ setting: String(i.path[0]), problem: i.message })) };
  }
  const e = parsed.data;
  let adminIds = e.ADMIN_IDS ?? [];
  let adminGroupId = e.ADMIN_GROUP_ID;
  if (adminIds.length === 0 && !adminGroupId) {
    if (!sandbox) {
      return { ok: false, problems: [{ setting: 'ADMIN_IDS', problem: 'required (or ADMIN_GROUP_ID): who may use the bot' }] };
    }
    adminIds = sandbox.adminIds.map((id) => id.toLowerCase());
    adminGroupId = undefined;
  }
  const approversGiven = (e.APPROVER_IDS?.length ?? 0) > 0 || !!e.APPROVER_GROUP_ID;
  return {
    ok: true,
    policy: {
      adminIds,
      adminGroupId,
      approverIds: approversGiven ? e.APPROVER_IDS ?? [] : adminIds,
      approverGroupId: approversGiven ? e.APPROVER_GROUP_ID : sandbox && !e.ADMIN_IDS ? sandbox.approverGroupId : adminGroupId,
      approvalMode: e.APPROVAL_MODE,
      twoPersonRule: e.APPROVAL_TWO_PERSON === 'true',
      expiryMs: e.APPROVAL_EXPIRY_HOURS * 3_600_000,
      approvalConversationId: e.APPROVAL_CONVERSATION_ID,
    },
  };
}

export interface GroupChecker {
  checkMemberGroups(userId: string, groupIds: string[]): Promise<string[]>;
  /** Which of many people are members of one group, in few requests. */
  membersAmong?(userIds: string[], groupId: string): Promise<string[]>;
}

/** Answers "is this person an admin / an approver?", checking group membership through Graph (cached briefly). */
export class Authorizer {
  /** Keyed by person and group; bounded, as the ids come from activities. */
  private readonly cache = new LruMap<string, { member: boolean; until: number }>(5_000);

  constructor(
    readonly policy: AccessPolicy,
    private readonly groups: GroupChecker,
    private readonly cacheMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  isAdmin(aadObjectId: string | undefined): Promise<boolean> {
    return this.allowed(aadObjectId, this.policy.adminIds, this.policy.adminGroupId);
  }

  isApprover(aadObjectId: string | undefined): Promise<boolean> {
    return this.allowed(aadObjectId, this.policy.approverIds, this.policy.approverGroupId);
  }

  /**
   * The approvers among many people (say, a chat's members), with as few directory requests as
   * the group lookup allows: ids in the list need none, cached answers none, the rest one batch.
   */
  async approversAmong(aadObjectIds: (string | undefined)[]): Promise<Set<string>> {
    const groupId = this.policy.approverGroupId;
    const approvers = new Set<string>();
    const unknown: string[] = [];
    for (const raw of aadObjectIds) {
      if (!raw || !GUID.test(raw)) continue;
      const id = raw.toLowerCase();
      if (this.policy.approverIds.includes(id)) approvers.add(id);
      else if (groupId) {
        const cached = this.cache.get(`${id}:${groupId}`);
        if (cached && cached.until > this.now()) {
          if (cached.member) approvers.add(id);
        } else unknown.push(id);
      }
    }
    if (groupId && unknown.length > 0) {
      if (this.groups.membersAmong) {
        const members = new Set((await this.groups.membersAmong(unknown, groupId)).map((id) => id.toLowerCase()));
        for (const id of unknown) {
          this.cache.set(`${id}:${groupId}`, { member: members.has(id), until: this.now() + this.cacheMs });
          if (members.has(id)) approvers.add(id);
        }
      } else {
        for (const id of unknown) if (await this.isApprover(id)) approvers.add(id);
      }
    }
    return approvers;
  }

  private async allowed(aadObjectId: string | undefined, ids: string[], groupId: string | undefined): Promise<boolean> {
    if (!aadObjectId || !GUID.test(aadObjectId)) return false;
    const id = aadObjectId.toLowerCase();
    if (ids.includes(id)) return true;
    if (!groupId) return false;
    const key = `${id}:${groupId}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) return cached.member;
    const member = (await this.groups.checkMemberGroups(id, [groupId])).map((g) => g.toLowerCase()).includes(groupId);
    this.cache.set(key, { member, until: this.now() + this.cacheMs });
    return member;
  }
}
