import { createHash } from 'node:crypto';

/**
 * Every key the bot writes to its record store, in one place. Local files and Azure Blob Storage
 * hold the same keys; a prefix that one module lists (runs, due approvals, audit records) is named
 * here beside the key it lists.
 */

export const planKey = (planId: string) => `plan:${planId}`;
export const RUN_PREFIX = 'run:';
export const runKey = (planId: string) => `${RUN_PREFIX}${planId}`;
export const ACTIVE_RUNS = 'runs:active';
export const leaseKey = (planId: string) => `lease:${planId}`;

export const approvalKey = (planId: string) => `approval:${planId}`;
/** The newest plan of a step (see planStep): the one a newer plan supersedes. */
export const stepKey = (step: string) => `step:${createHash('sha256').update(step).digest('hex')}`;
/** A plan being approved whose run may not exist yet (see approvals/plans.ts). */
export const DUE_PREFIX = 'approved:';
export const dueKey = (planId: string) => `${DUE_PREFIX}${planId}`;

/** One audit record each; refusals folded per minute; the trail as kept before records had own keys. */
export const AUDIT_PREFIX = 'audit:r:';
export const AUDIT_FOLD_PREFIX = 'audit:g:';
export const AUDIT_LEGACY_COUNTER = 'audit:seq';
export const auditLegacyKey = (seq: number) => `audit:${String(seq).padStart(10, '0')}`;

export const conversationKey = (conversationId: string) => `conversation:${conversationId}`;
export const SHOWN_PASSWORDS = 'passwords:shown';
/** The Salesperson role an admin picked for an environment (by its Dataverse URL). */
export const roleChoiceKey = (environmentId: string) => `roles:choice:${environmentId}`;

/** How an admin looks at a conversation's salespeople list; the observation it names is kept under its own key. */
export const salespeopleViewKey = (conversationId: string) => `salespeople:view:${conversationId}`;
export const salespeopleObservationKey = (conversationId: string, observationId: string) => `salespeople:observation:${conversationId}:${observationId}`;
export const SALESPEOPLE_EXPORT_PREFIX = 'salespeople:export';
export const SALESPEOPLE_IMPORT_PREFIX = 'salespeople:import';

/** A chat's watch (see watch/watcher.ts); its runs are made under the lease `lease:watch:<conversationId>`. */
export const WATCH_PREFIX = 'watch:';
export const watchKey = (conversationId: string) => `${WATCH_PREFIX}${conversationId}`;
export const watchLeaseName = (conversationId: string) => `watch:${conversationId}`;
