import {
  adminRolesRow,
  administrationModeRow,
  currencyRow,
  healthRows,
  integrationRoleRow,
  integrationUserRow,
  nonInteractiveRow,
  owningTeamRow,
  planGroupFix,
  planTeamMemberFix,
  planTeamRoleFix,
  salespeopleRow,
  securityGroupRow,
  type HealthObservation,
  type HealthSalesUser,
} from '../../src/setup/health';
import { BC_INTEGRATION_ROLE_ID, ROLE_TEMPLATES } from '../../src/setup/roles';
import { newFindings, type HealthReport } from '../../src/provisioning/observe/healthReport';

const sysAdmin = { roleid: 'r-sa', name: 'System Administrator', roletemplateid: ROLE_TEMPLATES.systemAdministrator, parentrootroleid: 'r-sa' };
const sysCustomizer = { roleid: 'r-sc', name: 'System Customizer', roletemplateid: ROLE_TEMPLATES.systemCustomizer, parentrootroleid: 'r-sc' };
const salesManager = { roleid: 'r-sm', name: 'Sales Manager', roletemplateid: null, parentrootroleid: 'r-sm' };
const integration = { roleid: 'bu-copy', name: 'Business Central Dataverse Integration', roletemplateid: null, parentrootroleid: BC_INTEGRATION_ROLE_ID };

const user = (over: Partial<HealthSalesUser> = {}): HealthSalesUser => ({
  systemuserid: 'u1', name: 'Business Central Integration', businessUnitId: 'bu', isdisabled: false, islicensed: false, accessmode: 4, roles: [integration], ...over,
});

describe('health checks, pure', () => {
  it('1. the admin: both template roles and a non-administrative one, a plan for what is missing', () => {
    const ok = adminRolesRow({ upn: 'a@x', salesUser: user({ islicensed: true, roles: [sysAdmin, sysCustomizer, salesManager] }), environmentRoles: [] });
    expect(adminRolesRow({ upn: 'a@x', salesUser: user({ roles: [sysAdmin, sysCustomizer, salesManager] }), environmentRoles: [] })).toMatchObject({ state: 'fail', findings: ['unlicensed'], fix: { kind: 'plan' } });
    expect(ok.state).toBe('pass');
    const missing = adminRolesRow({ upn: 'a@x', salesUser: user({ islicensed: true, roles: [sysAdmin] }), environmentRoles: [] });
    expect(missing).toMatchObject({ state: 'fail', fix: { kind: 'plan' }, findings: ['systemCustomizer', 'nonAdministrative'] });
    expect(adminRolesRow({ upn: 'a@x', salesUser: null, environmentRoles: [] })).toMatchObject({ state: 'fail', fix: { kind: 'part', part: 'admin' } });
  });

  it('2. the integration user by Business Central\'s rules', () => {
    expect(integrationUserRow({ path: 'application', users: [user()] }).state).toBe('pass');
    expect(integrationUserRow({ path: 'application', users: [] })).toMatchObject({ state: 'fail', findings: ['missing'], fix: { kind: 'instruction', place: { kind: 'businessCentral', page: 7201 } } });
    expect(integrationUserRow({ path: 'application', users: [user(), user({ systemuserid: 'u2' })] })).toMatchObject({ findings: ['several'] });
    expect(integrationUserRow({ path: 'application', users: [user({ roles: [sysAdmin] })] })).toMatchObject({
      findings: ['systemAdministrator', 'noIntegrationRole'],
      fix: { kind: 'plan' },
    });
    // Read-Write and unlicensed: BC refuses; only a person can change the access mode of an application user.
    expect(integrationUserRow({ path: 'application', users: [user({ accessmode: 0 })] })).toMatchObject({ findings: ['accessMode', 'unlicensed'], fix: { kind: 'instruction' } });
    expect(integrationUserRow({ path: 'dedicated', users: [] })).toMatchObject({ fix: { kind: 'part', part: 'integration' } });
  });

  it('3. salespeople: counts and who, per status; "ready" is not coupled only when couplings can be read', () => {
    const rows = [
      { code: 'KH', displayName: 'Kari', status: 'ready' as const },
      { code: 'MN', displayName: 'Marte', status: 'noAccount' as const },
      { code: 'AK', displayName: 'Anders', status: 'blocked' as const },
    ];
    const seen = salespeopleRow({ rows, couplingsObservable: true });
    expect(seen).toMatchObject({ state: 'fail', findings: ['noAccount:MN', 'notCoupled:KH'], counts: { ready: 1, noAccount: 1, blocked: 1 } });
    expect(salespeopleRow({ rows, couplingsObservable: false }).findings).toEqual(['noAccount:MN']);
    expect(salespeopleRow({ rows: [rows[0]], couplingsObservable: false }).state).toBe('pass');
  });

  it('4. the security group: who needs access and is not a member, planned when they have an account', () => {
    const facts = {
      group: { id: 'g', displayName: 'Access' },
      needed: [
        { who: 'admin' as const, name: 'a@x', userId: 'ua', member: false },
        { who: 'salesperson' as const, name: 'k@x', userId: 'uk', member: true },
      ],
    };
    expect(securityGroupRow(facts)).toMatchObject({ state: 'fail', findings: ['admin:ua'], fix: { kind: 'plan' } });
    expect(planGroupFix(facts).map((a) => a.key)).toEqual(['addGroupMember:g:ua']);
    expect(securityGroupRow({ group: null, needed: [] }).state).toBe('pass');
  });

  it('5. non-interactive users against the limit', () => {
    expect(nonInteractiveRow({ count: 3, limit: 7, assumed: false, users: [] }).state).toBe('pass');
    expect(nonInteractiveRow({ count: 7, limit: 7, assumed: false, users: [] }).details[0].key).toBe('healthNonInteractiveFull');
    expect(nonInteractiveRow({ count: 8, limit: 7, assumed: true, users: ['a', 'b'] })).toMatchObject({ state: 'fail', findings: ['overLimit'] });
  });

  it('6. the integration role in every business unit and on BC\'s owning teams', () => {
    const units = [{ id: 'root', name: 'org' }, { id: 'vest', name: 'Salg Vest' }];
    const team = { teamid: 't', name: 'BCI - Salg Vest', businessUnitId: 'vest', holdsRole: false };
    expect(integrationRoleRow({ businessUnits: units, unitsWithRole: ['root'], teams: [] })).toMatchObject({ findings: ['unit:vest'], fix: { kind: 'instruction', place: { page: 7201 } } });
    const row = integrationRoleRow({ businessUnits: units, unitsWithRole: ['root', 'vest'], teams: [team] });
    expect(row).toMatchObject({ findings: ['team:t'], fix: { kind: 'plan' } });
    const copies = [{ ...integration, roleid: 'vest-copy', businessUnitId: 'vest' }, { ...integration, roleid: BC_INTEGRATION_ROLE_ID, businessUnitId: 'root' }];
    expect(planTeamRoleFix({ businessUnits: units, unitsWithRole: ['root', 'vest'], teams: [team] }, copies)).toEqual([
      expect.objectContaining({ type: 'assignTeamRole', params: expect.objectContaining({ teamId: 't', roleId: 'vest-copy', rootRoleId: BC_INTEGRATION_ROLE_ID }) }),
    ]);
  });

  it('7. the local currency must be a Dataverse currency\'s ISO code', () => {
    expect(currencyRow({ localCurrency: 'nok', isoCodes: ['NOK', 'EUR'] }).state).toBe('pass');
    expect(currencyRow({ localCurrency: 'SEK', isoCodes: ['NOK'] })).toMatchObject({ state: 'fail', findings: ['lcy:SEK'] });
    expect(currencyRow({ localCurrency: null, isoCodes: ['NOK'] })).toMatchObject({ fix: { place: { kind: 'businessCentral', page: 118 } } });
  });

  it('8. administration mode', () => {
    expect(administrationModeRow({ runtimeState: 'Enabled' }).state).toBe('pass');
    expect(administrationModeRow({ runtimeState: 'AdminMode' }).state).toBe('fail');
  });

  it('9. coupled users in the default owning team, planned', () => {
    const facts = { team: { teamid: 't', name: 'BCI - Salg Vest' }, coupled: [{ systemuserid: 's1', name: 'kari@x', member: false }], couplingsObservable: true };
    expect(owningTeamRow(facts)).toMatchObject({ state: 'fail', findings: ['member:s1'] });
    expect(planTeamMemberFix(facts).map((a) => a.key)).toEqual(['addTeamMember:t:s1']);
    expect(owningTeamRow({ ...facts, coupled: [{ ...facts.coupled[0], member: true }] }).state).toBe('pass');
  });

  it('keeps the priority order, marks a failed observation "could not check", ', () => {
    const failed = { ok: false as const, detail: { key: 'checkFailed' as const, vars: { reason: 'boom' } } };
    const observation = Object.fromEntries(
      ['adminRoles', 'integrationUser', 'salespeople', 'securityGroup', 'nonInteractiveLimit', 'integrationRole', 'currency', 'administrationMode', 'owningTeam'].map((k) => [k, failed]),
    ) as unknown as HealthObservation;
    observation.administrationMode = { ok: true, value: { runtimeState: 'AdminMode' } };
    const rows = healthRows(observation);
    expect(rows.map((r) => r.check)).toEqual(['adminRoles', 'integrationUser', 'salespeople', 'securityGroup', 'nonInteractiveLimit', 'integrationRole', 'currency', 'administrationMode', 'owningTeam']);
    expect(rows[0]).toMatchObject({ state: 'unknown', details: [{ key: 'checkFailed', vars: { reason: 'boom' } }] });
  });

  it('names what got worse between two reports: findings the earlier one did not have', () => {
    const report = (findings: Record<string, string[]>): HealthReport => ({
      at: '2026-01-15T08:00:00Z',
      environmentKey: 'e',
      rows: Object.entries(findings).map(([id, f]) => ({ id, state: f.length ? 'fail' : 'pass', key: 'checkFailed', findings: f })),
    });
    const before = report({ salespeople: ['noAccount:MN'], owningTeam: [] });
    expect(newFindings(before, before)).toEqual({});
    expect(newFindings(before, report({ salespeople: ['noAccount:MN', 'noRole:KH'], owningTeam: ['member:x'] }))).toEqual({ salespeople: ['noRole:KH'], owningTeam: ['member:x'] });
    // Better is not worse.
    expect(newFindings(before, report({ salespeople: [], owningTeam: [] }))).toEqual({});
    expect(newFindings(undefined, before)).toEqual({ salespeople: ['noAccount:MN'] });
  });
});
