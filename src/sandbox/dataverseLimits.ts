/**
 * Dataverse's per-organisation limits, as `RetrieveOrganizationResources` publishes them: an
 * unbound function without parameters that returns `RetrieveOrganizationResourcesResponse`, whose
 * one property `OrganizationResources` (complex type OrganizationResources) carries
 * `MaxNumberOfNonInteractiveUsers`, `CurrentNumberOfNonInteractiveUsers` and the other counts, all
 * Edm.Int32 and nullable (Learn, Web API reference: "RetrieveOrganizationResources Function",
 * "RetrieveOrganizationResourcesResponse ComplexType", "OrganizationResources ComplexType").
 */
import { type Ctx, state } from './context';
import { DV_PREFIX, dvOk } from './dataverseQuery';
import type { SandboxState } from './state';
import type { SbReply, SbRequest } from './http';

/** The usual limit where an environment publishes none (and the seed's default). */
export const DEFAULT_NON_INTERACTIVE_LIMIT = 7;

/** The environment's limit; null when it publishes none. */
export function nonInteractiveLimit(s: SandboxState): number | null {
  const v = s.dataverse.maxNonInteractiveUsers;
  return v === undefined ? DEFAULT_NON_INTERACTIVE_LIMIT : v;
}

/** Non-interactive people (application users do not count). */
export function nonInteractiveCount(s: SandboxState): number {
  return s.dataverse.systemUsers.filter((u) => u.accessmode === 4 && u.applicationid === null).length;
}

export function retrieveOrganizationResources(ctx: Ctx, req: SbRequest): SbReply {
  const s = state(ctx);
  const people = s.dataverse.systemUsers.filter((u) => u.applicationid === null && !u.isdisabled && u.islicensed);
  return dvOk(200, {
    '@odata.context': `${req.origin}${DV_PREFIX}/$metadata#Microsoft.Dynamics.CRM.RetrieveOrganizationResourcesResponse`,
    OrganizationResources: {
      CurrentNumberOfActiveUsers: people.length,
      MaxNumberOfActiveUsers: null,
      CurrentNumberOfNonInteractiveUsers: nonInteractiveCount(s),
      MaxNumberOfNonInteractiveUsers: nonInteractiveLimit(s),
      CurrentNumberOfCustomEntities: 0,
      MaxNumberOfCustomEntities: null,
      CurrentNumberOfPublishedWorkflows: 0,
      MaxNumberOfPublishedWorkflows: null,
      CurrentStorage: 0,
      MaxStorage: null,
    },
  });
}
