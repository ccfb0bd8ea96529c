import { SEED, type SeedOptions } from '../../src/sandbox';
import type { Harness } from './harness';
import { ADMIN } from './harness';
import { action, inputValues } from './cards';
import { cardText, type TeamsConversation, type TeamsUser } from './teams';
import { authFor } from './sandboxAuth';

/** Conversation flows a user goes through, shared by the end-to-end tests. */

/** "set up" → environment card → Continue with its defaults. Returns the next card and the card message id. */
export async function startSetup(h: Harness, chat: TeamsConversation, user: TeamsUser = ADMIN) {
  await chat.say(user, 'set up');
  const envCard = h.connector.cards().at(-1)!;
  const cardActivityId = h.connector.activities.at(-1)!.activityId!;
  const saved = await chat.execute(user, 'env.save', { ...inputValues(envCard), deployment: 'online' }, cardActivityId);
  if (saved.status !== 200) throw new Error(`env.save answered ${saved.status}`);
  return { card: saved.body.value, cardActivityId };
}

/** Approve a plan card and wait for the run; returns the final card (the last update of the card message). */
export async function approveAndWait(h: Harness, chat: TeamsConversation, planCard: any, cardActivityId: string, user: TeamsUser = ADMIN) {
  const approve = action(planCard, 'plan.approve');
  const response = await chat.execute(user, 'plan.approve', approve.data, cardActivityId);
  if (response.status !== 200) throw new Error(`plan.approve answered ${response.status}`);
  await h.bot.runner.settled(String(approve.data.planId));
  const updates = h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardActivityId);
  return { immediate: response.body.value, final: updates.at(-1)?.activity.attachments[0].content };
}

/** Part 1 for the seeded admin, through to the next step's card (Part 2's first card). */
export async function completePart1(h: Harness, chat: TeamsConversation) {
  const { cardActivityId } = await startSetup(h, chat);
  const plan = (
    await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: SEED.admin.upn, nonAdminRoleIds: SEED.dataverse.roles.root.salesManager }, cardActivityId)
  ).body.value;
  const { final } = await approveAndWait(h, chat, plan, cardActivityId);
  if (!cardText(final).includes('Applied: all')) throw new Error(`Part 1 did not apply:\n${cardText(final)}`);
  const { next, nextActivityId } = await continuePlan(h, chat, final, cardActivityId);
  return { card: next, cardActivityId: nextActivityId };
}

/**
 * "Continue" on an applied (or empty) plan card. The answer is the plan card itself, kept in the
 * chat as the record of what was done; the next step arrives below it as a new message, whose id
 * the next card actions reply to.
 */
export async function continuePlan(h: Harness, chat: TeamsConversation, planCard: any, cardActivityId: string, user: TeamsUser = ADMIN) {
  const before = h.connector.activities.length;
  const response = await chat.execute(user, 'plan.continue', action(planCard, 'plan.continue').data, cardActivityId);
  if (response.status !== 200) throw new Error(`plan.continue answered ${response.status}`);
  const posted = h.connector.activities
    .slice(before)
    .filter((a) => a.method === 'POST' && (a.activity.attachments ?? []).some((att: any) => att.contentType === 'application/vnd.microsoft.card.adaptive'));
  const last = posted.at(-1);
  return { record: response.body.value, next: last?.activity.attachments[0].content, nextActivityId: last?.activityId ?? '', posted: posted.length };
}

export const dataverse = async (h: Harness, path: string, init: RequestInit = {}) =>
  fetch(`${h.sandbox.url}/dataverse/api/data/v9.2/${path}`, {
    ...init,
    headers: { ...(await authFor(h.sandbox.url, '/dataverse')), 'content-type': 'application/json', ...(init.headers ?? {}) },
  });

/** The raw text of the sandbox tenant's state: equal text means byte-for-byte unchanged. */
export const rawTenantState = async (h: Harness) => (await fetch(`${h.sandbox.url}/_sandbox/state`)).text();

/** A fresh seeded tenant (seed options: a Norwegian environment, renamed roles, …) with short sync and propagation delays, and no cards on record. */
export async function resetTenant(h: Harness, seed?: SeedOptions): Promise<void> {
  const response = await fetch(`${h.sandbox.url}/_sandbox/reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...(seed ? { seed } : {}), settings: { syncDelayMs: 200, licensePropagationMs: 300 } }),
  });
  if (response.status !== 200) throw new Error(`reset answered ${response.status}: ${await response.text()}`);
  h.connector.clear();
}

/** "set up" with the defaults, then "salespeople": the Part 3 list card and its message id. */
export async function openPart3(h: Harness, chat: TeamsConversation) {
  await startSetup(h, chat);
  await chat.say(ADMIN, 'salespeople');
  return { card: h.connector.cards().at(-1)!, cardActivityId: h.connector.activities.at(-1)!.activityId! };
}

/** "Show the plan" on the Part 3 list card, submitting what the card holds. */
export async function salespeoplePlan(chat: TeamsConversation, card: any, cardActivityId: string) {
  return chat.execute(ADMIN, 'salespeople.plan', { ...inputValues(card), ...action(card, 'salespeople.plan').data }, cardActivityId);
}
