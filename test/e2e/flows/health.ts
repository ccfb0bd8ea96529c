import assert from 'node:assert/strict';
import { t } from '../../../src/i18n';
import { SEED_INTEGRATION } from '../../../src/sandbox/seed';
import { authFor } from '../../helpers/sandboxAuth';
import type { Flow } from './types';

/**
 * The health card (`status`) after Part 3: the salespeople coupled through the coupling endpoint are
 * not yet members of Business Central's default owning team; "Plan the fix" → Approve adds them,
 * and the row passes. Then administration mode, switched on in the sandbox, shows its instruction
 * with the admin center link until it is off again.
 */
export const health: Flow = {
  name: 'The health card: a check fixed through an approved plan, an instruction shown and followed',
  async run({ playground: p, sandboxUrl, note }) {
    await p.expectNew(/coupled users are not members of BCI - Salg Vest/, () => p.say('status'));
    await p.expectNew(/to the team BCI - Salg Vest/, () => p.click(t('en', 'healthFixPlan')));
    await p.expectNew(/Applied: all \d+ changes done\./, () => p.click(t('en', 'planApprove')), 60_000);

    const api = `${sandboxUrl}/dataverse/api/data/v9.2`;
    const auth = await authFor(sandboxUrl, '/dataverse');
    const members = ((await (await fetch(`${api}/teams(${SEED_INTEGRATION.owningTeamId})/teammembership_association?$select=domainname`, { headers: auth })).json()) as {
      value: { domainname: string }[];
    }).value;
    assert.ok(members.length > 0, "the coupled users are members of Business Central's owning team");
    await p.expectNew(/All \d+ coupled users are members of BCI - Salg Vest\./, () => p.say('status'));

    const control = (body: object) => fetch(`${sandboxUrl}/_sandbox/integration`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await control({ administrationMode: true })).status, 200);
    await p.expectNew(t('en', 'healthAdminModeOn'), () => p.click(t('en', 'actionRefresh')));
    assert.ok((await p.count(t('en', 'healthFixOpenPowerPlatform'))) > 0, 'the instruction links to the Power Platform admin center');
    assert.equal((await control({ administrationMode: false })).status, 200);
    await p.expectNew(t('en', 'healthAdminModeOff'), () => p.click(t('en', 'actionRefresh')));
    note(`owning team members: ${members.map((m) => m.domainname).sort().join(', ')}`);
  },
};
