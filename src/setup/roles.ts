/**
 * Which security role is which, in any environment and any base language.
 *
 * Dataverse copies every role into each business unit: the copy's `parentrootroleid` is the root
 * business unit's role it was copied from (`parentroleid` is only the immediate parent, which is
 * another copy once business units are nested three deep). Role names are in the environment's
 * base language; template ids and Business Central's integration role id are not.
 */

/** Role template ids Microsoft publishes (Business Central codeunit 7201 "CDS Integration Impl."). */
export const ROLE_TEMPLATES = {
  systemAdministrator: '627090ff-40a3-4053-8790-584edc5be201',
  systemCustomizer: '119f245c-3cc8-4b62-b31c-d1a046ced15d',
} as const;

/**
 * Business Central's integration role "Business Central Dataverse Integration" (solution
 * bcbi_CdsBaseIntegration): the root copy's role id, `IntegrationRoleIdTxt` in codeunit 7201. The
 * second id is the role for virtual tables (`VirtualTablesIntegrationRoleIdTxt`).
 */
export const BC_INTEGRATION_ROLE_ID = 'a2b18661-9ff5-e911-a812-000d3a0b9028';
export const BC_VIRTUAL_TABLES_ROLE_ID = 'd7dbad50-c0f6-4b30-81cf-d2158f1e7c06';

/** The roles the procedure asks for that are not found by a fixed id. */
export type RoleKind = 'systemAdministrator' | 'systemCustomizer' | 'salesManager' | 'salesperson';

/**
 * The names of the standard roles in the base languages the product knows (English; Norwegian
 * Bokmål as in Microsoft's nb-NO documentation: the procedure's Systemtilpasser, Salgssjef, Selger;
 * create-edit-security-role's "systemansvarlig"). Microsoft publishes no template
 * ids for Sales Manager and Salesperson, so for those the names (or the admin's choice) decide.
 */
export const KNOWN_ROLE_NAMES: Record<RoleKind, readonly string[]> = {
  // nb-NO Learn names the role "systemansvarlig"; "Systemadministrator" is also in use.
  systemAdministrator: ['System Administrator', 'Systemansvarlig', 'Systemadministrator'],
  systemCustomizer: ['System Customizer', 'Systemtilpasser'],
  salesManager: ['Sales Manager', 'Salgssjef'],
  salesperson: ['Salesperson', 'Selger'],
};

const KIND_TEMPLATE: Partial<Record<RoleKind, string>> = {
  systemAdministrator: ROLE_TEMPLATES.systemAdministrator,
  systemCustomizer: ROLE_TEMPLATES.systemCustomizer,
};

export interface RoleRef {
  roleid: string;
  name: string;
  roletemplateid?: string | null;
  /** The root business unit's role this one is a copy of (the root copy names itself, or nothing). */
  parentrootroleid?: string | null;
}

/** A role as the admin chose it for an environment, remembered for later plans. */
export interface RoleChoice {
  roleid: string;
  name: string;
  roletemplateid: string | null;
}

const ADMIN_TEMPLATES: ReadonlySet<string> = new Set(Object.values(ROLE_TEMPLATES));

export const isSystemAdministrator = (role: RoleRef) => role.roletemplateid === ROLE_TEMPLATES.systemAdministrator;
export const isSystemCustomizer = (role: RoleRef) => role.roletemplateid === ROLE_TEMPLATES.systemCustomizer;
/** A role that is neither System Administrator nor System Customizer. */
export const isNonAdministrative = (role: RoleRef) => !ADMIN_TEMPLATES.has(role.roletemplateid ?? '');
export const sameName = (a: string, b: string) => a.trim().localeCompare(b.trim(), undefined, { sensitivity: 'accent' }) === 0;

/** The root copy a role was made from; a root role is its own root. */
export function rootRoleId(role: Pick<RoleRef, 'roleid' | 'parentrootroleid'>): string {
  return (role.parentrootroleid || role.roleid).toLowerCase();
}

/** Is this role (any business unit's copy) the one whose root copy is `rootId`? */
export const isCopyOf = (role: Pick<RoleRef, 'roleid' | 'parentrootroleid'>, rootId: string) => rootRoleId(role) === rootId.toLowerCase();

/** Business Central's integration role, in any business unit — by id, never by name. */
export const isIntegrationRole = (role: Pick<RoleRef, 'roleid' | 'parentrootroleid'>) => isCopyOf(role, BC_INTEGRATION_ROLE_ID);

export interface ResolvedRole<R extends RoleRef> {
  role: R;
  via: 'template' | 'chosen' | 'name';
}

/**
 * The root business unit's role of a kind: by published template id, then the admin's remembered
 * choice (when that role still exists), then by a known name in English or Norwegian. Undefined:
 * nothing matches, and the admin picks the role.
 */
export function resolveRole<R extends RoleRef & { businessUnitId: string }>(
  kind: RoleKind,
  roles: readonly R[],
  rootBusinessUnitId: string,
  chosen?: RoleChoice,
): ResolvedRole<R> | undefined {
  const root = roles.filter((r) => r.businessUnitId === rootBusinessUnitId);
  const template = KIND_TEMPLATE[kind];
  const byTemplate = template ? root.find((r) => r.roletemplateid === template) : undefined;
  if (byTemplate) return { role: byTemplate, via: 'template' };
  if (chosen) {
    const id = chosen.roleid.toLowerCase();
    const byChoice =
      root.find((r) => r.roleid === id) ?? (chosen.roletemplateid ? root.find((r) => r.roletemplateid === chosen.roletemplateid) : undefined);
    if (byChoice) return { role: byChoice, via: 'chosen' };
  }
  for (const name of KNOWN_ROLE_NAMES[kind]) {
    const byName = root.find((r) => sameName(r.name, name));
    if (byName) return { role: byName, via: 'name' };
  }
  return undefined;
}

/** The roles an admin may pick from: the root business unit's, without the administrative ones and BC's. */
export function pickableRoles<R extends RoleRef & { businessUnitId: string }>(roles: readonly R[], rootBusinessUnitId: string): R[] {
  return roles
    .filter((r) => r.businessUnitId === rootBusinessUnitId && isNonAdministrative(r) && !isIntegrationRole(r) && !isCopyOf(r, BC_VIRTUAL_TABLES_ROLE_ID))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export const toRoleChoice = (role: RoleRef): RoleChoice => ({ roleid: role.roleid, name: role.name, roletemplateid: role.roletemplateid ?? null });
