import assert from 'node:assert/strict';
import { t } from '../../../src/i18n';
import { SEED } from '../../../src/sandbox/seed';
import { authFor } from '../../helpers/sandboxAuth';
import { salesUserWithRoles } from '../../helpers/tenant';
import type { Flow } from './types';

const ROLES = SEED.dataverse.roles.root;

/** Part 1 in the personal chat: "set up" → Continue → Show the plan → Approve and apply. */
export const part1: Flow = {
  name: 'Part 1: the administrator account',
  async run({ playground: p, sandboxUrl, tenant, note }) {
    // Role names are the environment's own, in its base language.
    const salesManager = (tenant.language === 'nb' ? SEED.roleNamesNb : SEED.roleNames).salesManager;
    await p.expectNew(t('en', 'envTitle'), () => p.say('set up'));
    await p.expectNew(t('en', 'adminTitle'), () => p.click(t('en', 'envSave')));
    const plan = tenant.securityGroup ? `Add ${SEED.admin.upn} to the security group Contoso Sales Access` : `Give ${SEED.admin.upn} the role ${salesManager}`;
    await p.expectNew(plan, () => p.click(t('en', 'adminPlanAction')));
    assert.ok((await p.count(`Give ${SEED.admin.upn} the role ${salesManager}`)) > 0, `the plan gives the role ${salesManager}`);
    await p.expectNew(/Applied: all \d+ changes done\./, () => p.click(t('en', 'planApprove')));

    if (tenant.securityGroup) {
      const url = `${sandboxUrl}/graph/v1.0/groups/${SEED.environmentGroupId}/members?$select=id`;
      const members = ((await (await fetch(url, { headers: await authFor(sandboxUrl, url) })).json()) as { value: { id: string }[] }).value;
      assert.ok(members.some((m) => m.id === SEED.admin.id), 'the admin joined the environment security group');
    }

    const user = await salesUserWithRoles(sandboxUrl, SEED.admin.id);
    assert.ok(user, 'the admin is a Sales user');
    assert.equal(user.isdisabled, false);
    assert.deepEqual(
      user.systemuserroles_association.map((r) => r.roleid).sort(),
      [ROLES.systemAdministrator, ROLES.systemCustomizer, ROLES.salesManager].sort(),
      'the admin holds System Administrator, System Customizer and Sales Manager',
    );
    note(`${SEED.admin.upn}: ${user.systemuserroles_association.map((r) => r.name).sort().join(', ')}`);
  },
};
