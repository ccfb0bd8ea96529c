import { t, type Locale } from '../i18n';
import type { Detail, Overview, PartStatus } from '../setup/overview';
import { escapeMarkdown, renderCard, type AdaptiveCardJson } from './render';

const TITLES = { admin: 'partAdminTitle', integration: 'partIntegrationTitle', salespeople: 'partSalespeopleTitle' } as const;
const HELP = { admin: 'partAdminHelp', integration: 'partIntegrationHelp', salespeople: 'partSalespeopleHelp' } as const;
const GOTO = { admin: 'gotoAdmin', integration: 'gotoIntegration', salespeople: 'gotoSalespeople' } as const;
const STATE = {
  done: { label: 'stateDone', color: 'Good' },
  todo: { label: 'stateTodo', color: 'Warning' },
  unknown: { label: 'stateUnknown', color: 'Attention' },
} as const;

/** One detail line; values from the tenant are escaped before they reach markdown. */
export function detailText(detail: Detail, locale: Locale): string {
  const vars: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(detail.vars ?? {})) {
    if (typeof value === 'object' && 'keys' in value) vars[name] = value.keys.map((key) => (typeof key === 'string' ? t(locale, key) : escapeMarkdown(key.name))).join(', ');
    else if (typeof value === 'object') vars[name] = escapeMarkdown(value[locale]);
    else vars[name] = typeof value === 'string' ? escapeMarkdown(value) : value;
  }
  return t(locale, detail.key, vars);
}

function part(status: PartStatus, locale: Locale) {
  return {
    title: t(locale, TITLES[status.part]),
    help: t(locale, HELP[status.part]),
    stateLabel: t(locale, STATE[status.state].label),
    stateColor: STATE[status.state].color,
    detail: status.details.map((d) => detailText(d, locale)).join('\n\n'),
  };
}

export function welcomeCard(overview: Overview, locale: Locale): AdaptiveCardJson {
  return renderCard(
    'welcome',
    {
      tenant: escapeMarkdown(overview.tenant),
      salesEnvironment: escapeMarkdown(overview.salesEnvironment),
      businessCentral: escapeMarkdown(overview.businessCentral),
      parts: overview.parts.map((p) => part(p, locale)),
      fixes: overview.parts.filter((p) => p.state === 'todo').map((p) => ({ part: p.part, title: t(locale, GOTO[p.part]) })),
      checkedAt: t(locale, 'welcomeCheckedAt', { time: overview.checkedAt }),
    },
    locale,
  );
}
