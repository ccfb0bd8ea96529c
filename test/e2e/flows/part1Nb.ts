import assert from 'node:assert/strict';
import { t } from '../../../src/i18n';
import { SEED } from '../../../src/sandbox/seed';
import { salesUserWithRoles } from '../../helpers/tenant';
import type { Flow } from './types';

const ROLES = SEED.dataverse.roles.root;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Part 1 in a Norwegian conversation: "språk nb" → "sett opp" → Fortsett → Vis planen → Godkjenn, every card read in nb. */
export const part1Nb: Flow = {
  name: 'Part 1 in Norwegian (språk nb)',
  async run({ playground: p, sandboxUrl, tenant, note }) {
    const salesManager = (tenant.language === 'nb' ? SEED.roleNamesNb : SEED.roleNames).salesManager;
    await p.expectNew('Fra nå av svarer jeg på norsk bokmål i denne samtalen.', () => p.say('språk nb'));
    await p.expectNew(t('nb', 'envTitle'), () => p.say('sett opp'));
    await p.expectNew(t('nb', 'adminTitle'), () => p.click(t('nb', 'envSave')));
    assert.equal(await p.count(t('nb', 'adminFixedRoles')), 1, 'the Part 1 card names Systemansvarlig and Systemtilpasser');
    // The environment's own role name stays as the environment has it.
    const give = t('nb', 'actionAssignRole', { user: SEED.admin.upn, role: salesManager });
    await p.expectNew(give, () => p.click(t('nb', 'adminPlanAction')));
    const done = new RegExp(escapeRegExp(t('nb', 'planStateDone', { count: '\u0000' })).replace('\u0000', '\\d+'));
    await p.expectNew(done, () => p.click(t('nb', 'planApprove')));
    for (const english of [t('en', 'envTitle'), t('en', 'adminTitle'), t('en', 'adminFixedRoles'), t('en', 'planApprove')]) {
      assert.equal(await p.count(english), 0, `no English "${english}" in the Norwegian conversation`);
    }

    const user = await salesUserWithRoles(sandboxUrl, SEED.admin.id);
    assert.ok(user, 'the admin is a Sales user');
    assert.equal(user.isdisabled, false);
    assert.deepEqual(
      user.systemuserroles_association.map((r) => r.roleid).sort(),
      [ROLES.systemAdministrator, ROLES.systemCustomizer, ROLES.salesManager].sort(),
      'the admin holds System Administrator, System Customizer and Sales Manager',
    );
    note(`${SEED.admin.upn} (nb conversation): ${user.systemuserroles_association.map((r) => r.name).sort().join(', ')}`);
  },
};
