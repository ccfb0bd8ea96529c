/**
 * What an admin feels with thousands of salespeople in view: the time from "Show the plan" to the
 * plan card (the list is read again, so the observation is included), and the latency of the Part 3
 * card actions (filter, page, select, show plan) while several admins work at once, each in their
 * own conversation with the whole list in view. The bot runs in its own process (its RSS is its own);
 * this process plays Teams (activities over HTTP, and the connector that receives the bot's cards),
 * through the same helpers the integration tests use.
 */
import { t } from '../src/i18n';
import { SEED } from '../src/sandbox';
import { action, inputValues } from '../test/helpers/cards';
import { openPart3 } from '../test/helpers/flows';
import type { Harness } from '../test/helpers/harness';
import { ADMIN } from '../test/helpers/harness';
import { FakeConnector, TeamsConversation } from '../test/helpers/teams';

export type CardVerb = 'filter' | 'page' | 'select' | 'plan';

export interface Percentiles {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface CardResults {
  salespeople: number;
  admins: number;
  rounds: number;
  /** "Set up" to the Part 3 list, one admin alone (the first observation of the whole list). */
  openMs: number;
  /** "Show the plan" to the plan card, one admin alone, every salesperson who needs work selected. */
  planCardMs: number;
  /** Under `admins` concurrent admins: per action, and over the list actions (filter, page, select). */
  perVerb: Record<CardVerb, Percentiles>;
  listActions: Percentiles;
}

export function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { count: sorted.length, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? NaN };
}

/**
 * The plan card is titled with the plan's kind. (With several admins planning the same step at once,
 * each new plan supersedes the one before it, so only the newest card still carries approve buttons.)
 */
function assertPlanCard(card: unknown): void {
  const title = t('en', 'planTitle', { title: t('en', 'kindSalespeople') });
  const text = JSON.stringify(card ?? null);
  if (!text.includes(JSON.stringify(title).slice(1, -1))) throw new Error(`"Show the plan" did not answer with a plan card: ${text.slice(0, 300)}`);
}

/** Executes a card action and times it to the answer (the card in the invoke response). */
async function timed(chat: TeamsConversation, verb: string, data: Record<string, unknown>, replyToId: string) {
  const started = performance.now();
  const response = await chat.execute(ADMIN, verb, data, replyToId);
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`${verb} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
  return { ms, card: response.body?.value };
}

export async function measureCards(botUrl: string, options: { salespeople: number; admins: number; rounds: number }): Promise<CardResults> {
  const connector = new FakeConnector();
  await connector.start();
  try {
    const teams = { connector } as unknown as Harness;
    const chats = Array.from({ length: options.admins }, (_, i) => new TeamsConversation({ botUrl, connector, tenantId: SEED.tenantId, conversationId: `a:bench-admin-${i + 1}` }));

    // One admin alone: open Part 3, then "Show the plan" for everyone who needs work.
    let started = performance.now();
    const first = await openPart3(teams, chats[0]);
    const openMs = performance.now() - started;
    started = performance.now();
    const planned = await timed(chats[0], 'salespeople.plan', { ...inputValues(first.card), ...action(first.card, 'salespeople.plan').data }, first.cardActivityId);
    const planCardMs = performance.now() - started;
    assertPlanCard(planned.card);

    // Every other admin opens Part 3 too; then all work at once.
    const opened = [first, ...(await Promise.all(chats.slice(1).map((chat) => openPart3(teams, chat))))];
    const samples: Record<CardVerb, number[]> = { filter: [], page: [], select: [], plan: [] };
    await Promise.all(
      chats.map(async (chat, i) => {
        let { card } = opened[i];
        const replyTo = opened[i].cardActivityId;
        for (let round = 0; round < options.rounds; round++) {
          // Filter by a code fragment that matches about a tenth of the list, then clear it.
          const filtered = await timed(chat, 'salespeople.page', { ...inputValues(card), search: `${(round + i) % 10}`, page: 0 }, replyTo);
          samples.filter.push(filtered.ms);
          const cleared = await timed(chat, 'salespeople.page', { ...inputValues(filtered.card), search: '', page: 0 }, replyTo);
          samples.filter.push(cleared.ms);
          const paged = await timed(chat, 'salespeople.page', { ...inputValues(cleared.card), page: 1 + ((round * 7 + i) % 50) }, replyTo);
          samples.page.push(paged.ms);
          const none = await timed(chat, 'salespeople.select', { ...inputValues(paged.card), mode: 'none', page: 0 }, replyTo);
          const all = await timed(chat, 'salespeople.select', { ...inputValues(none.card), mode: 'all', page: 0 }, replyTo);
          samples.select.push(none.ms, all.ms);
          card = all.card;
          if (round === options.rounds - 1) {
            const plan = await timed(chat, 'salespeople.plan', { ...inputValues(card), ...action(card, 'salespeople.plan').data }, replyTo);
            assertPlanCard(plan.card);
            samples.plan.push(plan.ms);
          }
        }
      }),
    );
    return {
      salespeople: options.salespeople,
      admins: options.admins,
      rounds: options.rounds,
      openMs: Math.round(openMs),
      planCardMs: Math.round(planCardMs),
      perVerb: {
        filter: percentiles(samples.filter),
        page: percentiles(samples.page),
        select: percentiles(samples.select),
        plan: percentiles(samples.plan),
      },
      listActions: percentiles([...samples.filter, ...samples.page, ...samples.select]),
    };
  } finally {
    await connector.stop();
  }
}
