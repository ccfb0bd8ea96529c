import { SEED } from '../../src/sandbox';
import { authFor } from './sandboxAuth';

/** The synthetic salespeople's end state, read through the sandbox's Graph and Dataverse APIs. */

const SYNTHETIC = /^sales\d{5}@contoso\.no$/;

async function all(url: string, headers: Record<string, string> = {}): Promise<any[]> {
  const items: any[] = [];
  for (let next: string | undefined = url; next; ) {
    const page: any = await (await fetch(next, { headers: { ...(await authFor(new URL(next).origin, next)), ...headers } })).json();
    items.push(...page.value);
    next = page['@odata.nextLink'];
  }
  return items;
}

/** Each of the `n` synthetic salespeople has one account, one Sales licence, one enabled Sales user and the Salesperson role once. */
export async function expectExactSalespeople(sandboxUrl: string, n: number): Promise<void> {
  const users = (await all(`${sandboxUrl}/graph/v1.0/users?$select=id,userPrincipalName,assignedLicenses&$top=999`)).filter((u) => SYNTHETIC.test(u.userPrincipalName));
  expect(users).toHaveLength(n);
  expect(new Set(users.map((u) => u.userPrincipalName.toLowerCase())).size).toBe(n);
  expect(users.filter((u) => u.assignedLicenses.length !== 1 || u.assignedLicenses[0].skuId !== SEED.skus.sales).map((u) => u.userPrincipalName)).toEqual([]);

  const expand = encodeURIComponent('systemuserroles_association($select=name,roleid)');
  const salesUsers = await all(`${sandboxUrl}/dataverse/api/data/v9.2/systemusers?$select=azureactivedirectoryobjectid,isdisabled&$expand=${expand}`, { prefer: 'odata.maxpagesize=5000' });
  const ids = new Set(users.map((u) => u.id));
  const mine = salesUsers.filter((s) => ids.has(s.azureactivedirectoryobjectid));
  expect(mine).toHaveLength(n);
  expect(new Set(mine.map((s) => s.azureactivedirectoryobjectid)).size).toBe(n);
  const wrong = mine.filter((s) => s.isdisabled || s.systemuserroles_association.length !== 1 || s.systemuserroles_association[0].name !== 'Salesperson');
  expect(wrong).toEqual([]);
}
