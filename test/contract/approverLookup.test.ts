import { randomUUID } from 'node:crypto';
import { Authorizer } from '../../src/approvals/policy';
import { parseAccessPolicy } from '../../src/approvals/policy';
import { SEED, openTenant, type Tenant } from './tenant';

/**
 * Who among a chat's members may approve: one directory lookup for the chat (checkMemberGroups
 * for each member, 20 to a Graph $batch), not one Graph call per member.
 */

let tenant: Tenant;
beforeAll(async () => {
  tenant = await openTenant();
});
afterAll(async () => {
  await tenant.close();
});

describe('approvers among a chat of 45 members', () => {
  it('are found with 3 Graph requests, and asked again within the cache time with none', async () => {
    const clients = tenant.clients();
    const policy = { ...SEED_POLICY(), approverIds: [], approverGroupId: SEED.approverGroupId };
    const access = new Authorizer(policy, clients.directory);
    const members = [SEED.admin.id, SEED.users.kariHansen.id, ...Array.from({ length: 43 }, () => randomUUID())];
    const before = clients.stats().graph.requests;
    const approvers = await access.approversAmong(members);
    expect([...approvers]).toEqual([SEED.admin.id.toLowerCase()]);
    expect(clients.stats().graph.requests - before).toBe(3);

    const again = clients.stats().graph.requests;
    expect([...(await access.approversAmong(members))]).toEqual([SEED.admin.id.toLowerCase()]);
    expect(await access.isApprover(SEED.users.kariHansen.id)).toBe(false);
    expect(clients.stats().graph.requests - again).toBe(0);
  });
});

function SEED_POLICY() {
  const parsed = parseAccessPolicy({ ADMIN_IDS: SEED.admin.id }, undefined);
  if (!parsed.ok) throw new Error('policy');
  return parsed.policy;
}
