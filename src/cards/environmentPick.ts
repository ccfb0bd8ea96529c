import { t, type Locale } from '../i18n';
import { companyValue, salesCapable, type EnvironmentLists, type Proposal } from '../setup/environmentChoice';
import type { Deployment } from '../setup/session';
import { escapeMarkdown, renderCard, type AdaptiveCardJson } from './render';

/** The environment card as a choice from the tenant's lists: data in, card out. */

export interface EnvironmentPickInput {
  lists: EnvironmentLists;
  proposal: Proposal;
  deployment: Deployment;
  error?: string;
}

/** Plain text for a choice title (titles are not markdown): no control or invisible characters. */
const plain = (text: string) => text.replace(/[\p{Cc}\p{Cf}]/gu, '').slice(0, 120);

const hostOf = (url: string) => {
  try {
    return new URL(url).host + new URL(url).pathname.replace(/\/+$/, '');
  } catch {
    return url;
  }
};

export function environmentPickCard(input: EnvironmentPickInput, locale: Locale): AdaptiveCardJson {
  const { lists, proposal } = input;
  const typeName = (type: string) =>
    type.toLowerCase() === 'production' ? t(locale, 'envTypeProduction') : type.toLowerCase() === 'sandbox' ? t(locale, 'envTypeSandbox') : plain(type);
  const companies = lists.businessCentral.flatMap((e) =>
    e.companies.map((c) => ({
      title: t(locale, 'envCompanyChoice', { environment: plain(e.name), type: typeName(e.type), country: plain(e.countryCode ?? '–'), company: plain(c.name) }),
      value: companyValue(e.name, c.id),
    })),
  );
  const linkedTo = (id: string) => lists.businessCentral.filter((e) => e.linkedPowerPlatformEnvironmentId?.toLowerCase() === id.toLowerCase()).map((e) => e.name);
  const powerPlatform = salesCapable(lists).map((p) => {
    const choice = t(locale, 'envPowerPlatformChoice', {
      name: plain(p.displayName),
      location: plain(p.location ?? '–'),
      region: plain(p.region ?? '–'),
      host: plain(hostOf(p.instanceUrl!)),
    });
    const linked = linkedTo(p.id);
    return { title: linked.length ? t(locale, 'envLinkedTag', { choice, environment: linked.map(plain).join(', ') }) : choice, value: p.id };
  });
  const without = lists.powerPlatform.filter((p) => !p.instanceUrl).map((p) => p.displayName);
  const ppName = lists.powerPlatform.find((p) => p.id === proposal.bapEnvironmentId)?.displayName ?? proposal.bapEnvironmentId;
  const vars = { bcEnvironment: escapeMarkdown(proposal.bcEnvironment), environment: escapeMarkdown(ppName) };
  const reason = {
    linked: t(locale, 'envReasonLinked', vars),
    current: t(locale, 'envReasonCurrent', vars),
    configured: t(locale, 'envReasonConfigured', vars),
    first: t(locale, 'envReasonFirst', vars),
  }[proposal.reason];
  return renderCard(
    'environmentPick',
    {
      error: input.error ? escapeMarkdown(input.error) : '',
      reason,
      reasonColor: proposal.reason === 'first' ? 'Warning' : 'Good',
      companies,
      bcCompany: companyValue(proposal.bcEnvironment, proposal.bcCompanyId),
      powerPlatform,
      bapEnvironmentId: proposal.bapEnvironmentId,
      withoutDataverse: without.length ? t(locale, 'envPickNoDataverse', { names: without.map((n) => escapeMarkdown(n)).join(', ') }) : '',
      deployment: input.deployment,
    },
    locale,
  );
}
