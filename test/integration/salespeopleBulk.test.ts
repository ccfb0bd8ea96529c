import { SEED } from '../../src/sandbox';
import { startHarness, type Harness } from '../helpers/harness';
import { cardText } from '../helpers/teams';
import { approveAndWait, dataverse, openPart3, salespeoplePlan } from '../helpers/flows';
import { authFor } from '../helpers/sandboxAuth';

/** A thousand synthetic salespeople, from the card to accounts, licences, Sales users, roles and couplings. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sandboxSettings: { latencyMs: 0, syncDelayMs: 100, licensePropagationMs: 100 } });
});
afterAll(async () => {
  await h.close();
});

const N = 1000;
const sandbox = async (path: string, init?: RequestInit) =>
  fetch(`${h.sandbox.url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(await authFor(h.sandbox.url, path)) } });

it('sets up 1,000 salespeople in one approved run, in batches', async () => {
  // The tenant answers in 10 ms: the run then lasts longer than one progress interval (2.5 s), so
  // its progress shows on the card more than once (with instant answers it can end within one).
  await sandbox('/_sandbox/reset', { method: 'POST', body: JSON.stringify({ seed: { syntheticSalespeople: N }, settings: { latencyMs: 10, syncDelayMs: 100, licensePropagationMs: 100 } }) });
  h.connector.clear();
  const chat = h.conversation();
  const { card, cardActivityId } = await openPart3(h, chat);
  expect(cardText(card)).toContain(`Selected: ${(N + 9).toLocaleString('en-GB')} — everyone who needs work.`);
  expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(28 * 1024);

  const planned = await salespeoplePlan(chat, card, cardActivityId);
  const plan = planned.body.value;
  expect(cardText(plan)).toContain(`for ${(N + 9).toLocaleString('en-GB')} salespeople`);
  expect(Buffer.byteLength(JSON.stringify(plan))).toBeLessThan(28 * 1024);

  await sandbox('/_sandbox/stats', { method: 'DELETE' });
  const started = Date.now();
  const { final } = await approveAndWait(h, chat, plan, cardActivityId);
  const seconds = (Date.now() - started) / 1000;
  const stats = await (await sandbox('/_sandbox/stats')).json();
  // The wall time and request counts, for the runner's benchmark to compare against.
  process.stdout.write(`1,000 salespeople: ${seconds.toFixed(1)} s; sandbox stats ${JSON.stringify(stats)}\n`);
  expect(cardText(final)).toContain(`Applied: all ${(N + 9).toLocaleString('en-GB')} salespeople are set up.`);

  // Progress was shown on the card while it ran, as people done out of all.
  const updates = h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardActivityId);
  expect(updates.every((u) => Buffer.byteLength(JSON.stringify(u.activity)) < 28 * 1024)).toBe(true);
  const progress = updates.map((u) => cardText(u.activity.attachments[0].content).match(/(\d[\d,]*) \/ 1,009 salespeople · (\d+) failed/)).filter(Boolean);
  expect(progress.length).toBeGreaterThan(1);
  expect(progress.map((m) => Number(m![1].replace(/,/g, '')))).toEqual([...progress.map((m) => Number(m![1].replace(/,/g, '')))].sort((a, b) => a - b));

  // The end state, read through the sandbox's own APIs.
  const users = ((await (await sandbox(`/graph/v1.0/users?$select=userPrincipalName,id,assignedLicenses&$top=999`)).json()));
  let all: any[] = users.value;
  for (let next = users['@odata.nextLink']; next; ) {
    const page = (await (await fetch(next, { headers: await authFor(h.sandbox.url, next) })).json());
    all = all.concat(page.value);
    next = page['@odata.nextLink'];
  }
  const synthetic = all.filter((u) => /^sales\d{5}@contoso\.no$/.test(u.userPrincipalName));
  expect(synthetic).toHaveLength(N);
  expect(synthetic.every((u) => u.assignedLicenses.some((l: any) => l.skuId === SEED.skus.sales))).toBe(true);
  const salesUsers = ((await (await dataverse(h, `systemusers?$select=azureactivedirectoryobjectid,isdisabled&$expand=${encodeURIComponent('systemuserroles_association($select=name)')}`)).json())).value as any[];
  const byAad = new Map(salesUsers.map((u) => [u.azureactivedirectoryobjectid, u]));
  expect(synthetic.every((u) => byAad.get(u.id) && !byAad.get(u.id).isdisabled && byAad.get(u.id).systemuserroles_association.some((r: any) => r.name === 'Salesperson'))).toBe(true);
  const couplings = await (await sandbox(`/_sandbox/state`)).json();
  expect(couplings.bc.environments[0].couplings).toHaveLength(N + 9);
  // Bulk, not one by one: far fewer requests than the 5,000 changes.
  const requests = Object.values(stats.requests as Record<string, number>).reduce((a, b) => a + b, 0);
  expect(requests).toBeLessThan(1500);
}, 120_000);
