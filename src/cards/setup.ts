import { t, type Locale, type StringKey } from '../i18n';
import type { Approval } from '../approvals/approval';
import type { AdminObservation } from '../setup/adminPlanner';
import { nonAdminChoices } from '../setup/adminPlanner';
import type { Action, Plan, Run } from '../setup/plan';
import { KNOWN_ROLE_NAMES, resolveRole, type RoleChoice } from '../setup/roles';
import type { SessionEnvironment } from '../setup/session';
import { BC_ENVIRONMENT_PATTERN, GUID_PATTERN, TENANT_DATAVERSE_PATTERN, UPN_PATTERN } from '../setup/validation';
import { skuDisplayName } from '../setup/skuNames';
import { escapeMarkdown, renderCard, type AdaptiveCardJson } from './render';
import { planStage, type PlanStage } from './planStage';
import { salespeoplePlanData } from './salespeoplePlan';
import { failureReason } from '../provisioning/run/outcomes';

/** Card views of the setup steps: data in, card out. */

export interface EnvironmentCardInput {
  environment: SessionEnvironment;
  companies: { id: string; name: string }[];
  tenantMode: boolean;
  error?: string;
  /** Why the values are typed: the lists could not be read (the permission it needs), or hold nothing to choose. */
  notice?: string;
  /** Offer "Choose from the lists" (the lists could be read). */
  offerLists?: boolean;
}

export function environmentCard(input: EnvironmentCardInput, locale: Locale): AdaptiveCardJson {
  const { environment, companies } = input;
  return renderCard(
    'environment',
    {
      error: input.error ? escapeMarkdown(input.error) : '',
      notice: input.notice ? escapeMarkdown(input.notice) : '',
      offerLists: !!input.offerLists,
      dataverseUrl: environment.dataverseUrl,
      dataverseUrlPattern: input.tenantMode ? TENANT_DATAVERSE_PATTERN : '^https?://\\S+$',
      bapEnvironmentId: environment.bapEnvironmentId,
      guidPattern: GUID_PATTERN,
      bcEnvironment: environment.bcEnvironment,
      bcEnvironmentPattern: BC_ENVIRONMENT_PATTERN,
      companies: companies.map((c) => ({ title: c.name, value: c.id })),
      bcCompanyId: environment.bcCompanyId ?? companies[0]?.id ?? '',
      deployment: environment.deployment,
    },
    locale,
  );
}

export interface AdminCardInput {
  userPrincipalName: string;
  observation?: AdminObservation;
  selectedRoleIds?: string[];
  /** The non-administrative roles an admin picked for this environment before. */
  remembered?: RoleChoice[];
  error?: string;
}

function adminFacts(observation: AdminObservation | undefined, locale: Locale) {
  const entra = observation?.entra;
  const sales = observation?.salesUser;
  const roles = sales?.roles.map((r) => r.name).sort() ?? [];
  return {
    entra: entra
      ? `${escapeMarkdown(entra.displayName)}${entra.accountEnabled ? '' : ` (${t(locale, 'factDisabled')})`}`
      : t(locale, 'factMissing'),
    licence: entra ? t(locale, entra.salesLicensed ? 'factYes' : 'factNo') : '—',
    salesUser: sales ? (sales.isdisabled ? t(locale, 'factDisabled') : t(locale, 'factYes')) : t(locale, 'factNo'),
    roles: roles.length > 0 ? roles.map(escapeMarkdown).join(', ') : t(locale, 'factNone'),
  };
}

export function adminCard(input: AdminCardInput, locale: Locale): AdaptiveCardJson {
  const observation = input.observation;
  const choices = observation ? nonAdminChoices(observation) : [];
  // Sales Manager by name (English or Norwegian); else what an admin picked for this environment before.
  const known = observation ? resolveRole('salesManager', observation.roles, observation.rootBusinessUnitId)?.role : undefined;
  const remembered = (input.remembered ?? []).map((r) => r.roleid).filter((id) => choices.some((c) => c.roleid === id));
  const preselected = input.selectedRoleIds ?? (remembered.length > 0 ? remembered : known ? [known.roleid] : []);
  const pickHint =
    observation && !known && remembered.length === 0 && choices.length > 0
      ? t(locale, 'adminNonAdminPick', { names: KNOWN_ROLE_NAMES.salesManager.map(escapeMarkdown).join(' / ') })
      : '';
  return renderCard(
    'admin',
    {
      error: input.error ? escapeMarkdown(input.error) : '',
      userPrincipalName: input.userPrincipalName,
      upnPattern: UPN_PATTERN,
      facts: adminFacts(input.observation, locale),
      roleChoices: choices.map((r) => ({ title: r.name, value: r.roleid })),
      selectedRoleIds: preselected.join(','),
      pickHint,
    },
    locale,
  );
}

/** Dataverse's access mode by its number (Read-Write 0, Non-interactive 4), else as the plan named it. */
function accessModeText(params: { accessMode: number; accessModeName: string }, locale: Locale): string {
  if (params.accessMode === 4) return t(locale, 'accessModeNonInteractive');
  if (params.accessMode === 0) return t(locale, 'accessModeReadWrite');
  return escapeMarkdown(params.accessModeName);
}

export function actionText(action: Action, locale: Locale): string {
  const user = escapeMarkdown(action.target.userPrincipalName);
  switch (action.type) {
    case 'assignLicense':
      return t(locale, 'actionAssignLicense', { sku: escapeMarkdown(skuDisplayName(action.params)), user });
    case 'addGroupMember':
      return t(locale, 'actionAddGroupMember', { user, group: escapeMarkdown(action.params.groupName) });
    case 'addUserToEnvironment':
      return t(locale, 'actionAddUserToEnvironment', { user });
    case 'assignRole':
      return t(locale, 'actionAssignRole', { user, role: escapeMarkdown(action.params.roleName) });
    case 'createUser':
      return t(locale, 'actionCreateUser', { user, location: escapeMarkdown(action.params.usageLocation) });
    case 'setAccessMode':
      return t(locale, 'actionSetAccessMode', { user, mode: accessModeText(action.params, locale) });
    case 'removeRole':
      return t(locale, 'actionRemoveRole', { user, role: escapeMarkdown(action.params.roleName) });
    case 'coupleSalesperson':
      return t(locale, 'actionCoupleSalesperson', { user, code: escapeMarkdown(action.params.salespersonCode) });
    case 'createGroup':
      return t(locale, 'actionCreateGroup', { group: escapeMarkdown(action.params.displayName) });
    case 'assignGroupLicense':
      return t(locale, 'actionAssignGroupLicense', { group: escapeMarkdown(action.params.groupName), sku: escapeMarkdown(skuDisplayName(action.params)) });
    case 'nestGroup':
      return t(locale, 'actionNestGroup', { group: escapeMarkdown(action.params.groupName), parent: escapeMarkdown(action.params.parentGroupName) });
    case 'joinLicenceGroup':
      return t(locale, 'actionJoinLicenceGroup', { user, group: escapeMarkdown(action.params.groupName), sku: escapeMarkdown(skuDisplayName(action.params)) });
    case 'setMail':
      return t(locale, 'actionSetMail', { user, address: escapeMarkdown(action.params.mail) });
    case 'assignTeamRole':
      return t(locale, 'actionAssignTeamRole', { team: escapeMarkdown(action.params.teamName), role: escapeMarkdown(action.params.roleName) });
    case 'addTeamMember':
      return t(locale, 'actionAddTeamMember', { user, team: escapeMarkdown(action.params.teamName) });
  }
}

const KIND_TITLE: Record<Plan['kind'], StringKey> = {
  admin: 'kindAdmin',
  integrationApplication: 'kindIntegrationApplication',
  integrationUser: 'kindIntegrationUser',
  integrationAccessMode: 'kindIntegrationAccessMode',
  salespeople: 'kindSalespeople',
  health: 'kindHealth',
};

export interface PlanCardInput {
  plan: Plan;
  approval?: Approval;
  run?: Run;
  /** Shown when the plan is empty. */
  nothingText?: string;
  /** Replaces the status line (e.g. "already approved by …", "stale"). */
  notice?: string;
  /** What the viewer may do. Default: the requester who may approve their own plan. */
  rights?: PlanRights;
  /** Teams ids of the approvers who should see their own view (shared chats); at most 60. */
  refreshUserIds?: string[];
  /**
   * The setup has gone on from this plan ("Continue", its next step sent below it): the card stays
   * in the chat as the record of what was done, without the buttons that lead on.
   */
  movedOn?: boolean;
}

export interface PlanRights {
  approve: boolean;
  reject: boolean;
  cancel: boolean;
  request: boolean;
}

const REQUESTER_WHO_MAY_APPROVE: PlanRights = { approve: true, reject: false, cancel: true, request: false };

function when(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '';
}

const PLAN_INTRO: Record<PlanStage, StringKey> = {
  proposed: 'planIntro',
  applying: 'planIntroApplying',
  applied: 'planIntroApplied',
  partly: 'planIntroPartly',
  notMade: 'planIntroNotMade',
};

export function planCard(input: PlanCardInput, locale: Locale): AdaptiveCardJson {
  const { plan, approval, run } = input;
  const counts = run ? Object.values(run.journal) : [];
  const done = counts.filter((o) => o.status === 'done').length;
  const failed = counts.filter((o) => o.status === 'failed').length;
  let status = '';
  let statusColor = 'Default';
  const rights = input.rights ?? REQUESTER_WHO_MAY_APPROVE;
  const buttons = { approve: false, reject: false, cancel: false, request: false, retry: false, next: false };
  if (plan.actions.length === 0) {
    buttons.next = true;
  } else if (run?.status === 'completed') {
    status = t(locale, 'planStateDone', { count: plan.actions.length });
    statusColor = 'Good';
    buttons.next = true;
  } else if (run?.status === 'failed') {
    status = t(locale, 'planStateFailed', { done, count: plan.actions.length, failed });
    statusColor = 'Attention';
    buttons.retry = true;
  } else if (run?.status === 'running' || approval?.status === 'approved') {
    status = t(locale, 'planStateApplying', { user: escapeMarkdown(approval?.decidedBy?.name ?? ''), time: when(approval?.decidedAt) });
  } else if (approval?.status === 'cancelled' && approval.supersededBy) {
    status = t(locale, 'planStateSuperseded', { user: escapeMarkdown(approval.decidedBy?.name ?? ''), time: when(approval.decidedAt) });
  } else if (approval?.status === 'cancelled') {
    status = t(locale, 'planStateCancelled', { user: escapeMarkdown(approval.decidedBy?.name ?? ''), time: when(approval.decidedAt) });
  } else if (approval?.status === 'rejected') {
    status = t(locale, 'planStateRejected', { user: escapeMarkdown(approval.decidedBy?.name ?? ''), time: when(approval.decidedAt), comment: escapeMarkdown(approval.comment ?? '') });
    statusColor = 'Attention';
  } else if (approval?.status === 'expired') {
    status = t(locale, 'planStateExpired', { time: when(approval.expiresAt) });
    statusColor = 'Attention';
  } else if (approval?.status === 'pending') {
    const approvedBy = (approval.approvals ?? []).map((a) => escapeMarkdown(a.name ?? ''));
    status = approvedBy.length > 0 ? t(locale, 'planStatePartly', { users: approvedBy.join(', ') }) : t(locale, 'planStatePending');
    buttons.approve = rights.approve;
    buttons.reject = rights.reject;
    buttons.cancel = rights.cancel;
    buttons.request = rights.request;
  }
  if (input.movedOn) buttons.next = false;
  // A Part 3 plan can hold thousands of changes: it is shown as a summary (salespeoplePlan.ts).
  const bulk = plan.kind === 'salespeople';
  return renderCard(
    bulk ? 'salespeoplePlan' : 'plan',
    {
      title: t(locale, 'planTitle', { title: t(locale, KIND_TITLE[plan.kind]) }),
      intro: t(locale, PLAN_INTRO[planStage(approval, run)], { environment: escapeMarkdown(plan.environment.dataverseUrl) }),
      nothing: input.nothingText ?? t(locale, 'planNothingHere'),
      actions: (bulk ? [] : plan.actions).map((action) => {
        const outcome = run?.journal[action.key];
        return {
          text: actionText(action, locale),
          outcome:
            outcome?.status === 'done'
              ? t(locale, 'outcomeDone')
              : outcome?.status === 'failed'
                ? t(locale, 'outcomeFailed', { reason: escapeMarkdown(failureReason(outcome, locale)) })
                : run
                  ? t(locale, 'outcomePending')
                  : '',
        };
      }),
      status,
      statusColor,
      notice: input.notice ?? '',
      planId: plan.id,
      digest: plan.digest,
      digestShort: plan.actions.length > 0 ? plan.digest.slice(0, 12) : '',
      buttons,
      sp: bulk ? salespeoplePlanData(plan, run, locale, { approval, movedOn: input.movedOn }) : undefined,
      refresh: {
        on: input.refreshUserIds !== undefined,
        userIds: approval?.status === 'pending' ? (input.refreshUserIds ?? []).slice(0, 60) : [],
      },
    },
    locale,
  );
}
