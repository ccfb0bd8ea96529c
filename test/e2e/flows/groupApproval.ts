import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { t } from '../../../src/i18n';
import { SEED } from '../../../src/sandbox/seed';
import { salesUserWithRoles } from '../../helpers/tenant';
import { readPlaygroundConfig } from '../playgroundConfig';
import type { Flow } from './types';

const ROLES = SEED.dataverse.roles.salgVest;
const LARS = SEED.users.larsJohansen;

/**
 * In the group chat: Ingrid asks for Part 1 for Lars (a plan of three role assignments in his
 * business unit); Kari, another approver in the chat, approves the card; the card Ingrid sees
 * updates to the applied state, the tenant has the roles, and the audit names Kari.
 * Kari's card action goes through the Playground's "Custom activity", since the Playground has
 * one signed-in user.
 */
export const groupApproval: Flow = {
  name: 'Approval by a second user in a group chat',
  async run({ playground: p, sandboxUrl, note }) {
    const mock = readPlaygroundConfig();
    const kari = mock.users.find((u) => u.name === 'Kari Hansen');
    assert.ok(kari, '.m365agentsplayground.yml has Kari Hansen');
    await p.openChat(mock.groupChat.name);

    await p.expectNew(t('en', 'envTitle'), () => p.mention(mock.bot.name, 'set up'));
    await p.expectNew(t('en', 'adminTitle'), () => p.click(t('en', 'envSave')));
    await p.fill(t('en', 'adminUpn'), LARS.upn);
    const mark = p.invokes.length;
    await p.expectNew(`Give ${LARS.upn} the role Sales Manager`, () => p.click(t('en', 'adminPlanAction')));

    // The plan card as the page received it: its Approve action's data and its message id.
    const approve = await p.actionInAnswer('plan.approve', mark);
    const planId = String(approve.data.planId);
    await p.expectNew(/Applied: all 3 changes done\./, () =>
      p.sendCustomActivity({
        type: 'invoke',
        name: 'adaptiveCard/action',
        id: randomUUID(),
        timestamp: new Date().toISOString(),
        channelId: 'msteams',
        serviceUrl: `${new URL(p.page.url()).origin}/_connector`,
        locale: 'en-US',
        from: { id: kari.id, name: kari.name, aadObjectId: kari.aadObjectId },
        recipient: { id: mock.bot.id, name: mock.bot.name },
        conversation: { id: mock.groupChat.id, isGroup: true, conversationType: 'groupChat', tenantId: mock.tenantId },
        channelData: { tenant: { id: mock.tenantId } },
        replyToId: approve.replyToId,
        value: { action: { type: 'Action.Execute', verb: 'plan.approve', data: approve.data }, trigger: 'manual' },
      }),
    );

    const user = await salesUserWithRoles(sandboxUrl, LARS.id);
    assert.ok(user, 'Lars is a Sales user');
    assert.equal(user._businessunitid_value, SEED.dataverse.businessUnits.salgVest);
    const held = user.systemuserroles_association.map((r) => r.roleid);
    for (const role of [ROLES.systemAdministrator, ROLES.systemCustomizer, ROLES.salesManager]) {
      assert.ok(held.includes(role), `Lars holds ${role}, his own business unit's copy`);
    }
    await p.expectNew(new RegExp(`${kari.name}.*plan ${planId.slice(0, 8)}`), () => p.mention(mock.bot.name, 'audit'));
    note(`${LARS.upn}: ${user.systemuserroles_association.map((r) => r.name).sort().join(', ')}; approved by ${kari.name}`);
  },
};
