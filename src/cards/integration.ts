import { t, type Locale, type StringKey } from '../i18n';
import type { IntegrationPath, Rule } from '../setup/integrationPlanner';
import type { SkuInfo } from '../setup/adminPlanner';
import { skuDisplayName } from '../setup/skuNames';
import { escapeMarkdown, renderCard, type AdaptiveCardJson } from './render';

/** Card views of Part 2: data in, card out. */

const PATH_NAME: Record<IntegrationPath, StringKey> = { application: 'pathApplication', dedicated: 'pathDedicated' };

export function integrationPathCard(recommended: IntegrationPath, locale: Locale): AdaptiveCardJson {
  return renderCard(
    'integrationPath',
    { recommended, recommendedText: t(locale, 'pathRecommended', { path: t(locale, PATH_NAME[recommended]) }) },
    locale,
  );
}

/** The UPN local part the card accepts (the server checks the whole UPN again). */
export const LOCAL_PART_PATTERN = "^(?!\\.)(?!.*\\.\\.)[A-Za-z0-9'._!#^~-]{1,64}(?<!\\.)$";

export interface IntegrationUserCardInput {
  domains: string[];
  skus: SkuInfo[];
  values?: { localPart?: string; domain?: string; displayName?: string; usageLocation?: string; skuId?: string };
  error?: string;
}

export function integrationUserCard(input: IntegrationUserCardInput, locale: Locale): AdaptiveCardJson {
  const available = input.skus.filter((s) => s.salesCapable && s.freeSeats > 0);
  const values = input.values ?? {};
  return renderCard(
    'integrationUser',
    {
      error: input.error ? escapeMarkdown(input.error) : '',
      localPartPattern: LOCAL_PART_PATTERN,
      localPart: values.localPart ?? 'bc-integration',
      domains: input.domains,
      domain: values.domain ?? input.domains[0] ?? '',
      displayName: values.displayName ?? 'Business Central Integration',
      usageLocation: values.usageLocation ?? '',
      skus: available.map((s) => ({ title: t(locale, 'dedicatedSkuChoice', { sku: skuDisplayName(s), free: s.freeSeats }), value: s.skuId })),
      skuId: values.skuId ?? available[0]?.skuId ?? '',
    },
    locale,
  );
}

export interface CheckCardInput {
  title: string;
  rules: Rule[];
  guidance: string[];
  canFix: boolean;
  error?: string;
}

/** Names from the tenant go into markdown escaped; numbers as they are. */
function escapeVars(vars: Record<string, string | number> = {}): Record<string, string | number> {
  return Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, typeof value === 'string' ? escapeMarkdown(value) : value]));
}

export function integrationCheckCard(input: CheckCardInput, locale: Locale): AdaptiveCardJson {
  const allPass = input.rules.every((r) => r.pass);
  return renderCard(
    'integrationCheck',
    {
      title: input.title,
      error: input.error ? escapeMarkdown(input.error) : '',
      rules: input.rules.map((rule) => ({
        mark: t(locale, rule.pass ? 'rulePass' : 'ruleFail'),
        text: t(locale, rule.key, escapeVars(rule.vars)),
        color: rule.pass ? 'Default' : 'Attention',
      })),
      guidance: allPass ? [t(locale, 'checkAllPass')] : input.guidance,
      buttons: { fix: !allPass && input.canFix, next: allPass },
    },
    locale,
  );
}

export function integrationConnectionCard(input: { userPrincipalName: string; link?: string; error?: string }, locale: Locale): AdaptiveCardJson {
  const user = escapeMarkdown(input.userPrincipalName);
  const link = input.link ?? '';
  return renderCard(
    'integrationConnection',
    {
      intro: t(locale, 'connectionIntro', { user }),
      steps: t(locale, 'connectionSteps', { user, link: link || t(locale, 'connectionOnPremises') }),
      link,
      error: input.error ? escapeMarkdown(input.error) : '',
    },
    locale,
  );
}

/** The one card that ever holds a password: sent once, to the requester, in personal chat. */
export function passwordCard(input: { userPrincipalName: string; password?: string; expiredAfterMinutes?: number }, locale: Locale): AdaptiveCardJson {
  const user = escapeMarkdown(input.userPrincipalName);
  const removedText =
    input.expiredAfterMinutes === undefined ? t(locale, 'passwordRemoved', { user }) : t(locale, 'passwordExpired', { user, minutes: input.expiredAfterMinutes });
  return renderCard(
    'password',
    {
      title: t(locale, 'passwordTitle', { user }),
      password: input.password ?? '',
      removed: input.password === undefined,
      removedText,
      userPrincipalName: input.userPrincipalName,
    },
    locale,
  );
}
