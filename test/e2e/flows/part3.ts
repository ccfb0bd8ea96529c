import assert from 'node:assert/strict';
import { t } from '../../../src/i18n';
import { SEED } from '../../../src/sandbox/seed';
import { salesUserWithRoles } from '../../helpers/tenant';
import { authFor } from '../../helpers/sandboxAuth';
import type { Flow } from './types';


/** Part 3 in the personal chat: the salespeople list → Show the plan → Approve and apply; accounts, roles and couplings checked. */
export const part3: Flow = {
  name: 'Part 3: the salespeople',
  async run({ playground: p, sandboxUrl, note }) {
    await p.expectNew(t('en', 'spTitle'), () => p.click(t('en', 'continueToSalespeople')));
    await p.expectNew(/for \d+ salespeople/, () => p.click(t('en', 'spPlanAction')));
    const planned = Number(/for (\d+) salespeople/.exec((await p.page.getByText(/for \d+ salespeople/).last().innerText()) ?? '')?.[1]);
    assert.ok(planned > 0, 'the plan covers some salespeople');
    await p.expectNew(t('en', 'spRunDone', { total: planned }), () => p.click(t('en', 'planApprove')), 120_000);

    const { tenantId, businessCentral: bc } = SEED;
    const couplingsUrl = `${sandboxUrl}/bc/v2.0/${tenantId}/${bc.environment}/api/contoso/crm/v1.0/companies(${bc.companyId})/crmCouplings`;
    const couplings = ((await (await fetch(couplingsUrl, { headers: await authFor(sandboxUrl, couplingsUrl) })).json()) as { value: { salespersonCode: string; systemUserId: string }[] }).value;
    assert.equal(couplings.length, planned, 'one coupling per planned salesperson');
    const lars = await salesUserWithRoles(sandboxUrl, SEED.users.larsJohansen.id);
    assert.ok(lars, 'Lars is a Sales user');
    assert.ok(
      lars.systemuserroles_association.some((r) => r.roleid === SEED.dataverse.roles.salgVest.salesperson),
      "Lars holds Salg Vest's copy of the Salesperson role",
    );
    assert.ok(couplings.some((c) => c.systemUserId === lars.systemuserid && c.salespersonCode === 'LJ'), 'Lars is coupled to LJ');
    note(`${planned} salespeople set up; couplings: ${couplings.map((c) => c.salespersonCode).sort().join(', ')}`);
  },
};
