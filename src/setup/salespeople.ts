import { sameName, ROLE_NAMES } from './roles';
import type { ObservedSalesUser, ObservedSalespeople } from './overview';

/** A Business Central salesperson as the procedure needs it. */
export interface SalespersonRecord {
  id: string;
  code: string;
  displayName: string;
  email: string;
  blocked: boolean;
}

const key = (value: string) => value.trim().toLowerCase();

/** Sales users by sign-in name (UPN), lower-cased: the salesperson's email is matched against it. */
export function indexSalesUsers(users: ObservedSalesUser[]): Map<string, ObservedSalesUser> {
  const index = new Map<string, ObservedSalesUser>();
  for (const user of users) if (user.domainname) index.set(key(user.domainname), user);
  return index;
}

export function isReadyToCouple(user: ObservedSalesUser | undefined): boolean {
  return !!user && !user.isdisabled && user.islicensed && user.roles.some((r) => sameName(r.name, ROLE_NAMES.salesperson));
}

/** Counts for the overview: blocked salespeople are counted apart and never touched. */
export function salespeopleReadiness(salespeople: SalespersonRecord[], salesUsers: ObservedSalesUser[]): ObservedSalespeople {
  const index = indexSalesUsers(salesUsers);
  let active = 0;
  let blocked = 0;
  let ready = 0;
  for (const person of salespeople) {
    if (person.blocked) {
      blocked++;
      continue;
    }
    active++;
    if (person.email && isReadyToCouple(index.get(key(person.email)))) ready++;
  }
  return { active, blocked, ready };
}
