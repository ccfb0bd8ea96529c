/**
 * Background sync from the directory into Dataverse, done lazily: a licensed, enabled user
 * appears as a systemuser `syncDelayMs` after the licence was assigned; directory changes
 * (disabled account, removed licence, deleted user) show on the next Dataverse read or write.
 * With an environment security group, only its direct members are created, and a user who is not
 * a member (through any nesting) is disabled (graphGroups.ts `environmentAdmits`).
 */
import { type Ctx, dynamicsLicensedAt, state } from './context';
import { uuid } from './http';
import { dataverseEnvironment, environmentAdmits } from './graphGroups';
import { processGroupLicences } from './graphLicensing';
import type { GraphUser, SandboxState, SystemUser } from './state';

export function rootBusinessUnitId(s: SandboxState): string {
  const root = s.dataverse.businessUnits.find((b) => b.parentbusinessunitid === null);
  if (!root) throw new Error('The Dataverse environment has no root business unit.');
  return root.businessunitid;
}

/** A new Sales user for a directory user: root business unit, Read-Write, licensed, no roles. */
export function createSystemUserFor(s: SandboxState, u: GraphUser, now: number): SystemUser {
  const iso = new Date(now).toISOString();
  const su: SystemUser = {
    systemuserid: uuid(),
    fullname: u.displayName,
    firstname: u.givenName,
    lastname: u.surname,
    domainname: u.userPrincipalName,
    internalemailaddress: u.mail,
    azureactivedirectoryobjectid: u.id,
    applicationid: null,
    isdisabled: !u.accountEnabled,
    islicensed: true,
    isintegrationuser: false,
    accessmode: 0,
    businessunitid: rootBusinessUnitId(s),
    title: u.jobTitle,
    createdon: iso,
    modifiedon: iso,
    versionnumber: Math.floor(now / 1000),
    sync: { enabled: u.accountEnabled, licensed: true, mail: u.mail },
  };
  s.dataverse.systemUsers.push(su);
  return su;
}

export function touchSystemUser(su: SystemUser, now: number): void {
  su.modifiedon = new Date(now).toISOString();
  su.versionnumber = Math.max(su.versionnumber + 1, Math.floor(now / 1000));
}

/** Brings Dataverse up to date with the directory as of `ctx.now()`. */
export function syncDataverse(ctx: Ctx): void {
  processGroupLicences(ctx);
  const s = state(ctx);
  const now = ctx.now();
  const delay = ctx.settings().syncDelayMs;
  const byAad = new Map<string, SystemUser>();
  for (const su of s.dataverse.systemUsers) {
    if (su.azureactivedirectoryobjectid && su.applicationid === null) byAad.set(su.azureactivedirectoryobjectid.toLowerCase(), su);
  }
  let changed = false;
  const seen = new Set<SystemUser>();
  const env = dataverseEnvironment(s);
  for (const u of s.graph.users) {
    const licensedAt = dynamicsLicensedAt(u, s.graph.skus);
    const effective = licensedAt !== null && licensedAt + delay <= now;
    const su = byAad.get(u.id);
    if (!su) {
      if (u.accountEnabled && effective && environmentAdmits.bySync(s, env, u.id)) {
        createSystemUserFor(s, u, now);
        changed = true;
      }
      continue;
    }
    seen.add(su);
    const licensed = licensedAt !== null && (effective || su.sync?.licensed === true);
    const member = environmentAdmits.asMember(s, env, u.id);
    const prev = su.sync;
    if (!prev || prev.enabled !== u.accountEnabled || prev.licensed !== licensed || (prev.member ?? true) !== member) {
      su.isdisabled = !(u.accountEnabled && licensed && member);
      su.islicensed = licensed;
      su.sync = { ...(prev && 'mail' in prev ? { mail: prev.mail } : {}), enabled: u.accountEnabled, licensed, ...(member ? {} : { member }) };
      touchSystemUser(su, now);
      changed = true;
    }
    if (su.sync && 'mail' in su.sync && su.sync.mail !== u.mail) {
      // The directory's `mail` is the Sales user's primary e-mail: a change reaches Dataverse with
      // the next sync (a value set by hand in Dataverse stays until `mail` changes again).
      su.internalemailaddress = u.mail;
      su.sync = { ...su.sync, mail: u.mail };
      touchSystemUser(su, now);
      changed = true;
    }
    if (su.domainname !== u.userPrincipalName || su.fullname !== u.displayName) {
      su.domainname = u.userPrincipalName;
      su.fullname = u.displayName;
      touchSystemUser(su, now);
      changed = true;
    }
  }
  for (const su of byAad.values()) {
    if (seen.has(su) || !su.sync || (!su.sync.enabled && !su.sync.licensed)) continue;
    su.isdisabled = true;
    su.islicensed = false;
    su.sync = { enabled: false, licensed: false };
    touchSystemUser(su, now);
    changed = true;
  }
  if (changed) ctx.store.touch();
}
