import { BC_INTEGRATION_ROLE_ID, isCopyOf, isIntegrationRole, pickableRoles, resolveRole, ROLE_TEMPLATES, rootRoleId } from '../../src/setup/roles';

const ROOT = 'bu-root';
const role = (roleid: string, name: string, extra: Partial<{ roletemplateid: string | null; businessUnitId: string; parentrootroleid: string | null }> = {}) => ({
  roleid, name, roletemplateid: null, businessUnitId: ROOT, parentrootroleid: roleid, ...extra,
});

describe('which role is which', () => {
  it('finds System Administrator and System Customizer by template first, whatever they are called', () => {
    const roles = [role('x', 'Administrateur système', { roletemplateid: ROLE_TEMPLATES.systemAdministrator }), role('y', 'System Administrator')];
    expect(resolveRole('systemAdministrator', roles, ROOT)).toEqual({ role: roles[0], via: 'template' });
  });

  it('falls back to the English or Norwegian name, only in the root business unit', () => {
    const roles = [role('child', 'Selger', { businessUnitId: 'bu-child', parentrootroleid: 'sp' }), role('sp', 'Selger'), role('sm', 'SALGSSJEF')];
    expect(resolveRole('salesperson', roles, ROOT)?.role.roleid).toBe('sp');
    expect(resolveRole('salesManager', roles, ROOT)?.role.roleid).toBe('sm'); // case does not matter
    expect(resolveRole('systemCustomizer', [role('sc', 'Systemtilpasser')], ROOT)).toEqual({ role: expect.objectContaining({ roleid: 'sc' }), via: 'name' });
    expect(resolveRole('systemAdministrator', [role('sa', 'Systemansvarlig')], ROOT)?.role.roleid).toBe('sa');
  });

  it('uses a remembered choice while that role exists, and nothing for an unknown name', () => {
    const roles = [role('v', 'Verkäufer'), role('w', 'Vertriebsleiter')];
    expect(resolveRole('salesperson', roles, ROOT)).toBeUndefined();
    expect(resolveRole('salesperson', roles, ROOT, { roleid: 'V', name: 'Verkäufer', roletemplateid: null })).toEqual({ role: roles[0], via: 'chosen' });
    expect(resolveRole('salesperson', roles, ROOT, { roleid: 'gone', name: 'Verkäufer', roletemplateid: null })).toBeUndefined();
  });

  it('knows copies by their root role, however deep the business unit, and the integration role by Business Central\'s id', () => {
    const grandchild = { roleid: 'g', parentrootroleid: BC_INTEGRATION_ROLE_ID };
    expect(rootRoleId(grandchild)).toBe(BC_INTEGRATION_ROLE_ID);
    expect(isIntegrationRole(grandchild)).toBe(true);
    expect(isIntegrationRole({ roleid: BC_INTEGRATION_ROLE_ID.toUpperCase() })).toBe(true);
    expect(isIntegrationRole({ roleid: 'other', parentrootroleid: null })).toBe(false);
    expect(isCopyOf({ roleid: 'c', parentrootroleid: 'r' }, 'R')).toBe(true);
  });

  it('offers the root unit\'s roles to pick from, without the administrative ones and Business Central\'s own', () => {
    const roles = [
      role('sa', 'Systemadministrator', { roletemplateid: ROLE_TEMPLATES.systemAdministrator }),
      role('sc', 'Systemtilpasser', { roletemplateid: ROLE_TEMPLATES.systemCustomizer }),
      role(BC_INTEGRATION_ROLE_ID, 'Business Central Dataverse Integration'),
      role('v', 'Verkäufer'),
      role('a', 'Außendienst'),
      role('child', 'Verkäufer', { businessUnitId: 'bu-child', parentrootroleid: 'v' }),
    ];
    expect(pickableRoles(roles, ROOT).map((r) => r.roleid)).toEqual(['a', 'v']);
  });
});
