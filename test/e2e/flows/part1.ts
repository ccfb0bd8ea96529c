import assert from 'node:assert/strict';
import { t } from '../../../src/i18n';
import { SEED } from '../../../src/sandbox/seed';
import { salesUserWithRoles } from '../../helpers/tenant';
import type { Flow } from './types';

const ROLES = SEED.dataverse.roles.root;

/** Part 1 in the personal chat: "set up" → Continue → Show the plan → Approve and apply. */
export const part1: Flow = {
  name: 'Part 1: the administrator account',
  async run({ playground: p, sandboxUrl, note }) {
    await p.expectNew(t('en', 'envTitle'), () => p.say('set up'));
    await p.expectNew(t('en', 'adminTitle'), () => p.click(t('en', 'envSave')));
    await p.expectNew(`Give ${SEED.admin.upn} the role Sales Manager`, () => p.click(t('en', 'adminPlanAction')));
    await p.expectNew(/Applied: all \d+ changes done\./, () => p.click(t('en', 'planApprove')));

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
