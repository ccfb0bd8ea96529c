/**
 * Lookups over the directory the real service answers by index: a user by object id, a group's
 * members as a set, a group's transitive members. Derived from the state, never stored in it (the
 * state stays plain JSON) and kept only while the arrays they were built from are unchanged:
 * users and members are only ever appended to in place (push), and replaced by a new array when
 * one is removed; a user updated in place keeps its id. So an index is extended when its array
 * grew, rebuilt when the array is another one or shrank, and checked on every hit.
 */
import type { GraphUser, Group, SandboxState } from './state';

interface UserIndex {
  users: GraphUser[];
  length: number;
  byId: Map<string, number>;
}

const userIndexes = new WeakMap<SandboxState['graph'], UserIndex>();

function indexUsers(users: GraphUser[], from: number, byId: Map<string, number>): void {
  for (let i = from; i < users.length; i++) byId.set(users[i].id, i);
}

/** The user with this (lower-cased) object id, or undefined. */
export function userById(s: SandboxState, id: string): GraphUser | undefined {
  const users = s.graph.users;
  let index = userIndexes.get(s.graph);
  if (!index || index.users !== users || index.length > users.length) {
    index = { users, length: 0, byId: new Map() };
    userIndexes.set(s.graph, index);
  }
  if (index.length < users.length) {
    indexUsers(users, index.length, index.byId);
    index.length = users.length;
  }
  const at = index.byId.get(id);
  if (at === undefined) return undefined;
  const user = users[at];
  if (user?.id === id) return user;
  // Changed in a way the index did not follow: built again, once.
  index.byId.clear();
  indexUsers(users, 0, index.byId);
  const again = index.byId.get(id);
  return again === undefined ? undefined : users[again];
}

interface MemberIndex {
  members: string[];
  length: number;
  set: Set<string>;
}

const memberIndexes = new WeakMap<Group, MemberIndex>();

/** The group's direct members (object ids) as a set; read only. */
export function memberSet(group: Group): ReadonlySet<string> {
  let index = memberIndexes.get(group);
  if (!index || index.members !== group.members || index.length > group.members.length) {
    index = { members: group.members, length: 0, set: new Set() };
    memberIndexes.set(group, index);
  }
  for (let i = index.length; i < group.members.length; i++) index.set.add(group.members[i]);
  index.length = group.members.length;
  return index.set;
}

interface TransitiveIndex {
  /** Each group visited, with its members array and length as they were. */
  visited: { group: Group; members: string[]; length: number }[];
  groupCount: number;
  ids: Set<string>;
}

const transitiveIndexes = new WeakMap<Group, TransitiveIndex>();

/**
 * Every object in the group, through nested groups (each group visited once); read only. Kept
 * until a visited group's members or the list of groups change.
 */
export function transitiveMembers(s: SandboxState, root: Group): ReadonlySet<string> {
  const cached = transitiveIndexes.get(root);
  if (
    cached &&
    cached.groupCount === s.graph.groups.length &&
    cached.visited.every((v) => v.group.members === v.members && v.group.members.length === v.length && s.graph.groups.includes(v.group))
  ) {
    return cached.ids;
  }
  const groups = new Map(s.graph.groups.map((g) => [g.id, g]));
  const ids = new Set<string>();
  const visited: TransitiveIndex['visited'] = [];
  const seen = new Set<string>();
  const visit = (g: Group) => {
    if (seen.has(g.id)) return;
    seen.add(g.id);
    visited.push({ group: g, members: g.members, length: g.members.length });
    for (const m of g.members) {
      ids.add(m);
      const nested = groups.get(m);
      if (nested) visit(nested);
    }
  };
  visit(root);
  transitiveIndexes.set(root, { visited, groupCount: s.graph.groups.length, ids });
  return ids;
}
