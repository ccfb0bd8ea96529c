import assert from 'node:assert/strict';
import { t } from '../../../src/i18n';
import { SEED } from '../../../src/sandbox/seed';
import { DEFAULT_LICENCE_GROUP } from '../../../src/setup/groupLicensing';
import { authFor } from '../../helpers/sandboxAuth';
import type { Flow } from './types';

/**
 * Part 3 on a tenant with Microsoft Entra ID P1: the list offers licensing through a group, the
 * plan says so, and after approval the group holds the Sales licence, every planned salesperson is
 * a member licensed through it (Entra's background processing, the sandbox's delay) and a Sales user.
 */
export const part3Group: Flow = {
  name: 'Part 3 through a group (group-based licensing)',
  async run({ playground: p, sandboxUrl, note }) {
    await p.expectNew(t('en', 'glAvailable', { premium: 'Microsoft Entra ID P1' }), () => p.click(t('en', 'continueToSalespeople')));
    await p.expectNew(/Licensing: through the group/, () => p.click(t('en', 'spPlanAction')));
    const planned = Number(/for (\d+) salespeople/.exec((await p.page.getByText(/for \d+ salespeople/).last().innerText()) ?? '')?.[1]);
    assert.ok(planned > 0, 'the plan covers some salespeople');
    await p.expectNew(t('en', 'spRunDone', { total: planned }), () => p.click(t('en', 'planApprove')), 120_000);
    const waited = await p.page.getByText(/Waited [\d.,]+ s for Entra ID to license/).last().innerText();

    const graph = async (path: string) => {
      const url = `${sandboxUrl}/graph/v1.0${path}`;
      return (await (await fetch(url, { headers: await authFor(sandboxUrl, url) })).json());
    };
    const groups = (await graph(`/groups?$filter=${encodeURIComponent(`displayName eq '${DEFAULT_LICENCE_GROUP}'`)}&$select=id,securityEnabled,assignedLicenses`)).value;
    assert.equal(groups.length, 1, 'the licence group was created once');
    const group = groups[0];
    assert.ok(group.securityEnabled, 'it is a security group');
    assert.deepEqual(group.assignedLicenses.map((l: { skuId: string }) => l.skuId), [SEED.skus.sales], 'it holds the Sales licence');
    const members = (await graph(`/groups/${group.id}/members?$select=id`)).value.map((m: { id: string }) => m.id);
    const marte = await graph(`/users/${SEED.users.marteNilsen.id}?$select=id,licenseAssignmentStates`);
    assert.ok(members.includes(marte.id), 'Marte Nilsen joined the group');
    assert.ok(
      marte.licenseAssignmentStates.some((s: { assignedByGroup: string; state: string }) => s.assignedByGroup === group.id && s.state === 'Active'),
      "Marte's Sales licence comes from the group and is Active",
    );
    note(`${planned} salespeople set up through the group; ${members.length} members; ${waited}`);
  },
};
