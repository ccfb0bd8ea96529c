import { t, type Locale, type StringKey } from '../i18n';
import type { HealthReport, HealthRow, HealthState } from '../provisioning/observe/healthReport';
import { HEALTH_CHECKS, type HealthCheckId } from '../setup/health';
import { escapeMarkdown, renderCard, type AdaptiveCardJson } from './render';
import { detailText } from './welcome';

/** The status card: the health report, one row per check, each failing row with its fix. */

const TITLE: Record<HealthCheckId, StringKey> = {
  adminRoles: 'healthCheckAdminRoles',
  integrationUser: 'healthCheckIntegrationUser',
  salespeople: 'healthCheckSalespeople',
  securityGroup: 'healthCheckSecurityGroup',
  nonInteractiveLimit: 'healthCheckNonInteractiveLimit',
  integrationRole: 'healthCheckIntegrationRole',
  currency: 'healthCheckCurrency',
  administrationMode: 'healthCheckAdministrationMode',
  owningTeam: 'healthCheckOwningTeam',
};

const SOURCE: Record<HealthCheckId, StringKey> = {
  adminRoles: 'healthSourceAdminRoles',
  integrationUser: 'healthSourceIntegrationUser',
  salespeople: 'healthSourceSalespeople',
  securityGroup: 'healthSourceSecurityGroup',
  nonInteractiveLimit: 'healthSourceNonInteractiveLimit',
  integrationRole: 'healthSourceIntegrationRole',
  currency: 'healthSourceCurrency',
  administrationMode: 'healthSourceAdministrationMode',
  owningTeam: 'healthSourceOwningTeam',
};

const STATE: Record<HealthState, { label: StringKey; color: string }> = {
  pass: { label: 'healthStatePass', color: 'Good' },
  fail: { label: 'healthStateFail', color: 'Warning' },
  unknown: { label: 'healthStateUnknown', color: 'Attention' },
};

const PART_TITLE: Record<string, StringKey> = { admin: 'partAdminTitle', integration: 'partIntegrationTitle', salespeople: 'partSalespeopleTitle' };

/** Business Central's captions of the pages an instruction opens (the base app's page Caption). */
const PAGE_CAPTION: Record<number, string> = {
  118: 'General Ledger Setup',
  7200: 'Dataverse Connection Setup',
  7201: 'Dataverse Connection Setup',
  7209: 'Couple Dataverse Users with Salespersons',
};

const isCheck = (id: string): id is HealthCheckId => (HEALTH_CHECKS as readonly string[]).includes(id);

/** A check's title in the reader's language (the watch names rows by it too). */
export const checkTitle = (id: string, locale: Locale): string => (isCheck(id) ? t(locale, TITLE[id]) : escapeMarkdown(id));

/** A row's text: its first line and the lines after it. */
export function healthRowText(row: HealthRow, locale: Locale): string {
  return [{ key: row.key, vars: row.vars }, ...(row.more ?? [])].map((d) => detailText(d, locale)).join('\n\n');
}

function fixView(row: HealthRow, locale: Locale) {
  // The card carries each verb as a literal (the route table's test reads them): a plan of its own, or a part of the setup.
  const view = { instruction: '', fix: '' as '' | 'plan' | 'part', fixData: {} as Record<string, string>, fixTitle: '', url: '', linkTitle: '' };
  const fix = row.state === 'fail' ? row.fix : undefined;
  if (fix?.kind === 'plan' && (fix.verb === 'health.fix' || fix.verb === 'setup.goto')) {
    const part = fix.verb === 'setup.goto' ? fix.data?.part : undefined;
    Object.assign(view, {
      fix: fix.verb === 'setup.goto' ? 'part' : 'plan',
      fixData: fix.data ?? {},
      fixTitle: part && PART_TITLE[part] ? t(locale, 'healthFixPart', { part: t(locale, PART_TITLE[part]) }) : t(locale, 'healthFixPlan'),
    });
  }
  if (fix?.kind === 'steps') {
    const vars = Object.fromEntries(Object.entries(fix.vars ?? {}).map(([k, v]) => [k, typeof v === 'string' ? escapeMarkdown(v) : v]));
    const caption = fix.page ? PAGE_CAPTION[fix.page] ?? String(fix.page) : '';
    const where = fix.page && !fix.link ? t(locale, 'healthFixOnPremisesPage', { page: fix.page, caption }) : '';
    view.instruction = [t(locale, fix.key, vars), where].filter(Boolean).join(' ');
    if (fix.link) {
      view.url = fix.link;
      view.linkTitle = fix.page ? t(locale, 'healthFixOpenPage', { page: t(locale, 'healthFixPageName', { page: fix.page, caption }) }) : t(locale, 'healthFixOpenPowerPlatform');
    }
  }
  return view;
}

/** The status card; with `watch`, the line and button of the chat's watch (cards/watch.ts watchStatus). */
export function healthCard(report: HealthReport, locale: Locale, watch?: { text: string; on: boolean }): AdaptiveCardJson {
  return renderCard('health', { ...healthCardData(report, locale), ...(watch ? { watch } : {}) }, locale);
}

/** The template's data for a report (the card tests render samples from it). */
export function healthCardData(report: HealthReport, locale: Locale) {
  const failing = report.rows.filter((r) => r.state === 'fail').length;
  const unknown = report.rows.filter((r) => r.state === 'unknown').length;
  const total = report.rows.length;
  const labels = report.labels ?? { tenant: '', salesEnvironment: '', businessCentral: '' };
  return {
      tenant: escapeMarkdown(labels.tenant),
      salesEnvironment: escapeMarkdown(labels.salesEnvironment),
      businessCentral: escapeMarkdown(labels.businessCentral),
      summary:
        failing + unknown === 0
          ? t(locale, 'healthSummaryAllPass', { total })
          : [t(locale, 'healthSummary', { fail: failing, total }), unknown > 0 ? t(locale, 'healthSummaryUnknown', { unknown }) : ''].filter(Boolean).join(' '),
      summaryColor: failing > 0 ? 'Warning' : unknown > 0 ? 'Attention' : 'Good',
      rows: report.rows.map((r) => {
        const view = fixView(r, locale);
        return {
          check: r.id,
          title: checkTitle(r.id, locale),
          stateLabel: t(locale, STATE[r.state].label),
          stateColor: STATE[r.state].color,
          detail: healthRowText(r, locale),
          source: isCheck(r.id) ? t(locale, SOURCE[r.id]) : '',
          ...view,
          hasActions: view.fix !== '' || view.url !== '',
        };
      }),
      checkedAt: t(locale, 'healthCheckedAt', { time: report.at.slice(0, 16).replace('T', ' ') + ' UTC' }),
  };
}
