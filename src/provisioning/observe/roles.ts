import type { EnvironmentRole } from '../../setup/adminPlanner';
import type { RoleRef } from '../../setup/roles';
import type { SalesRole } from '../clients/dataverse/sales';

/** A Dataverse security role as the procedure's pure functions take it. */
export const toRoleRef = (role: SalesRole): RoleRef => ({
  roleid: role.id,
  name: role.name,
  roletemplateid: role.templateId,
  parentrootroleid: role.parentRootRoleId,
});

export const toEnvironmentRole = (role: SalesRole): EnvironmentRole => ({ ...toRoleRef(role), businessUnitId: role.businessUnitId ?? '' });
