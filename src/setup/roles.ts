/** Stable role template ids (DOMAIN.md §5). Role names are localised; templates are not. */
export const ROLE_TEMPLATES = {
  systemAdministrator: '627090ff-40a3-4053-8790-584edc5be201',
  systemCustomizer: '119f245c-3cc8-4b62-b31c-d1a046ced15d',
} as const;

/** Role names the procedure asks for by name (template ids unverified for these). */
export const ROLE_NAMES = {
  salesManager: 'Sales Manager',
  salesperson: 'Salesperson',
  bcIntegration: 'Business Central Dataverse Integration',
} as const;

export interface RoleRef {
  roleid: string;
  name: string;
  roletemplateid?: string | null;
}

const ADMIN_TEMPLATES: ReadonlySet<string> = new Set(Object.values(ROLE_TEMPLATES));

export const isSystemAdministrator = (role: RoleRef) => role.roletemplateid === ROLE_TEMPLATES.systemAdministrator;
export const isSystemCustomizer = (role: RoleRef) => role.roletemplateid === ROLE_TEMPLATES.systemCustomizer;
/** A role that is neither System Administrator nor System Customizer. */
export const isNonAdministrative = (role: RoleRef) => !ADMIN_TEMPLATES.has(role.roletemplateid ?? '');
export const sameName = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;
