import { t, type Locale } from '../i18n';
import type { DriftItem } from '../watch/compare';
import { scheduleText, type WatchRecord } from '../watch/watcher';
import { escapeMarkdown, renderCard, type AdaptiveCardJson } from './render';
import type { HealthReport } from '../provisioning/observe/healthReport';
import { healthCardData } from './health';

/** The watch's cards: its post in the chat, and its line and button on the status card. */

/** A button of a failing check: a card action that prepares its fix, or the page where it is made. */
export type FixButton =
  /** "Plan the fix" (health.fix): the plan for that check, approved like any other. */
  | { kind: 'plan'; title: string; check: string }
  /** "Set up Part N" (setup.goto): the part's first card. */
  | { kind: 'part'; title: string; part: string }
  | { kind: 'url'; title: string; url: string };

/** A check as the watch's post shows it: in words already (the post's language), with its fixes. */
export interface WatchRowView {
  id: string;
  /** The check's name, and what it found. */
  title: string;
  detail: string;
  /** The steps to take by hand, where the fix is not a plan. */
  steps: string;
  fixes: FixButton[];
}

/** What a post was rendered from, kept so turning the watch off can update it. */
export interface WatchPostView {
  locale: Locale;
  environment: string;
  time: string;
  rows: (Omit<WatchRowView, 'id'> & { change: string })[];
}

/** How a row got worse, in a line (the row's own text names who: the findings it compares by are not for reading). */
export function driftText(item: DriftItem, locale: Locale): string {
  if (item.kind === 'nowFails') return t(locale, 'watchDriftNowFails');
  if (item.kind === 'newFailing') return t(locale, 'watchDriftNewFailing');
  if (item.kind === 'grew') return t(locale, 'watchDriftGrew', { before: item.before ?? 0, after: item.after ?? 0 });
  return t(locale, 'watchDriftNewSubjects');
}

/** The post's view: the rows that got worse, in the report's order, each with its fix buttons. */
export function watchPostView(drift: DriftItem[], rows: WatchRowView[], input: { locale: Locale; environment: string; at: Date }): WatchPostView {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return {
    locale: input.locale,
    environment: input.environment,
    time: `${input.at.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    rows: drift.flatMap((item) => {
      const row = byId.get(item.id);
      return row ? [{ title: row.title, detail: row.detail, steps: row.steps, fixes: row.fixes, change: driftText(item, input.locale) }] : [];
    }),
  };
}

/** The post's template data; once the watch is off, without buttons and with who turned it off. */
export function watchPostData(view: WatchPostView, off?: { name: string; at: Date }) {
  const locale = view.locale;
  return {
    intro: t(locale, 'watchPostIntro', { environment: escapeMarkdown(view.environment), time: view.time }),
    rows: view.rows.map((row) => ({ ...row, fixes: off ? [] : row.fixes, hasFixes: !off && row.fixes.length > 0 })),
    offNotice: off ? t(locale, 'watchPostOff', { name: escapeMarkdown(off.name), time: `${off.at.toISOString().slice(11, 16)} UTC` }) : '',
    checkedAt: t(locale, 'welcomeCheckedAt', { time: view.time }),
  };
}

export function watchPostCard(view: WatchPostView, off?: { name: string; at: Date }): AdaptiveCardJson {
  return renderCard('watch', watchPostData(view, off), view.locale);
}

/** The status card's watch line and its button (on, or off when it is on). */
export function watchStatus(watch: WatchRecord | undefined, intervalMs: number, locale: Locale, now: Date): { text: string; on: boolean } {
  if (!watch) {
    return { text: t(locale, 'watchStateOff', { schedule: scheduleText(intervalMs, now.toISOString(), locale) }), on: false };
  }
  const stamp = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  return {
    text: t(locale, 'watchStateOn', {
      since: stamp(watch.enabledAt),
      name: escapeMarkdown(watch.enabledBy.name ?? ''),
      schedule: scheduleText(intervalMs, watch.enabledAt, locale),
      next: stamp(watch.nextRunAt),
    }),
    on: true,
  };
}

/**
 * A row as the status card shows it (its title, detail, instruction, and either a card action —
 * a plan of its own, or a part of the setup — or a page to open): the watch's post shows a row
 * exactly as the status card does.
 */
export interface StatusRowView {
  check: string;
  title: string;
  detail: string;
  instruction: string;
  fix: '' | 'plan' | 'part';
  fixData: Record<string, string>;
  fixTitle: string;
  url: string;
  linkTitle: string;
}

export function fromStatusRows(rows: StatusRowView[]): WatchRowView[] {
  return rows.map((row) => {
    const fixes: FixButton[] = [];
    if (row.fix === 'plan') fixes.push({ kind: 'plan', title: row.fixTitle, check: row.fixData.check ?? row.check });
    if (row.fix === 'part' && row.fixData.part) fixes.push({ kind: 'part', title: row.fixTitle, part: row.fixData.part });
    if (row.url) fixes.push({ kind: 'url', title: row.linkTitle, url: row.url });
    return { id: row.check, title: row.title, detail: row.detail, steps: row.instruction, fixes };
  });
}

/** The report's rows as the status card shows them, for the post. */
export function healthRows(report: HealthReport, locale: Locale): WatchRowView[] {
  return fromStatusRows(healthCardData(report, locale).rows);
}
