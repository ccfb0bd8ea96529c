import assert from 'node:assert/strict';
import { t } from '../../../src/i18n';
import { SEED } from '../../../src/sandbox/seed';
import { authFor } from '../../helpers/sandboxAuth';
import type { Flow } from './types';

const APP_USER = SEED.dataverse.systemUsers.bcIntegrationApp;
const ROLES = SEED.dataverse.roles.root;

/**
 * Part 2, BC online: the application user, broken beforehand through the Dataverse API
 * (System Administrator given, the integration role taken away), found, fixed by an approved plan.
 */
export const part2: Flow = {
  name: 'Part 2: the integration account (application user)',
  async run({ playground: p, sandboxUrl, note }) {
    const api = `${sandboxUrl}/dataverse/api/data/v9.2`;
    const auth = { ...(await authFor(sandboxUrl, '/dataverse')), 'content-type': 'application/json' };
    const broke = await Promise.all([
      fetch(`${api}/systemusers(${APP_USER})/systemuserroles_association/$ref`, { method: 'POST', headers: auth, body: JSON.stringify({ '@odata.id': `${api}/roles(${ROLES.systemAdministrator})` }) }),
      fetch(`${api}/systemusers(${APP_USER})/systemuserroles_association/$ref?$id=${api}/roles(${ROLES.bcIntegration})`, { method: 'DELETE', headers: auth }),
    ]);
    assert.deepEqual(broke.map((r) => r.ok), [true, true], 'the application user was broken for the test');

    await p.expectNew(t('en', 'pathTitle'), () => p.click(t('en', 'planContinue')));
    await p.choose(t('en', 'pathApplication'));
    await p.expectNew(t('en', 'fixByPlan'), () => p.click(t('en', 'pathChoose')));
    await p.expectNew('Give Business Central Integration the role Business Central Dataverse Integration', () => p.click(t('en', 'appFixAction')));
    await p.expectNew(/Applied: all 2 changes done\./, () => p.click(t('en', 'planApprove')));
    await p.expectNew(t('en', 'checkAllPass'), () => p.click(t('en', 'planContinue')));

    const response = await fetch(`${api}/systemusers(${APP_USER})?$select=fullname,isdisabled&$expand=systemuserroles_association($select=roleid,name)`, { headers: auth });
    const appUser = (await response.json()) as { fullname: string; isdisabled: boolean; systemuserroles_association: { roleid: string; name: string }[] };
    const roles = appUser.systemuserroles_association.map((r) => r.roleid);
    assert.equal(appUser.isdisabled, false);
    assert.ok(roles.includes(ROLES.bcIntegration), 'the application user holds the integration role again');
    assert.ok(!roles.includes(ROLES.systemAdministrator), 'the application user no longer holds System Administrator');
    note(`${appUser.fullname}: ${appUser.systemuserroles_association.map((r) => r.name).sort().join(', ')}`);
  },
};
