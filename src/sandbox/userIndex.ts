/**
 * The directory's users by id, sign-in name and mail, so a lookup or a uniqueness check does not
 * look at every user (which made each create and licence cost in proportion to the tenant's size).
 *
 * The index belongs to one `users` array and is brought up to date at each use by comparing the
 * array's elements with the ones it indexed (a comparison of references, no strings): a user
 * added, replaced (the handlers replace a user object on every change) or removed is indexed
 * again. A user object whose sign-in name or mail is changed in place would go unnoticed; the
 * sandbox never does that (applyUserWrite returns a copy).
 */
import type { GraphUser } from './state';

interface Index {
  /** The elements as last indexed, by position. */
  seen: (GraphUser | undefined)[];
  byId: Map<string, GraphUser[]>;
  byUpn: Map<string, GraphUser[]>;
  byMail: Map<string, GraphUser[]>;
}

const indexes = new WeakMap<GraphUser[], Index>();

function add(map: Map<string, GraphUser[]>, key: string, user: GraphUser): void {
  const list = map.get(key);
  if (list) list.push(user);
  else map.set(key, [user]);
}

function remove(map: Map<string, GraphUser[]>, key: string, user: GraphUser): void {
  const list = map.get(key);
  if (!list) return;
  const i = list.indexOf(user);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) map.delete(key);
}

function indexUser(ix: Index, user: GraphUser, put: typeof add): void {
  put(ix.byId, user.id, user);
  put(ix.byUpn, user.userPrincipalName.toLowerCase(), user);
  if (user.mail) put(ix.byMail, user.mail.toLowerCase(), user);
}

function indexOf(users: GraphUser[]): Index {
  let ix = indexes.get(users);
  if (!ix) {
    ix = { seen: [], byId: new Map(), byUpn: new Map(), byMail: new Map() };
    indexes.set(users, ix);
  }
  const length = Math.max(users.length, ix.seen.length);
  for (let i = 0; i < length; i++) {
    const now = users[i];
    const was = ix.seen[i];
    if (now === was) continue;
    if (was) indexUser(ix, was, remove);
    if (now) indexUser(ix, now, add);
    ix.seen[i] = now;
  }
  ix.seen.length = users.length;
  return ix;
}

/** Users whose id is `id` (exactly, as stored). */
export function usersWithId(users: GraphUser[], id: string): GraphUser[] {
  return indexOf(users).byId.get(id) ?? [];
}

/** Users whose sign-in name is `lowerUpn`, compared case-insensitively (pass it lower-cased). */
export function usersWithUpn(users: GraphUser[], lowerUpn: string): GraphUser[] {
  return (indexOf(users).byUpn.get(lowerUpn) ?? []).filter((u) => u.userPrincipalName.toLowerCase() === lowerUpn);
}

/** Users whose mail is `lowerMail`, compared case-insensitively (pass it lower-cased). */
export function usersWithMail(users: GraphUser[], lowerMail: string): GraphUser[] {
  return (indexOf(users).byMail.get(lowerMail) ?? []).filter((u) => u.mail?.toLowerCase() === lowerMail);
}
