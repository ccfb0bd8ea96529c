import { t, type Locale, type StringKey } from '../i18n';
import { countOutcomes, OUTCOME_KINDS, type CouplingPrediction, type ManualStep, type OutcomeKind } from '../setup/couplingPrediction';
import { BC_CAPTIONS as C } from '../setup/bcCaptions';
import { escapeMarkdown } from './render';

/**
 * The Part 3 card's section on Business Central's Match-Based Coupling (shown when there is no
 * coupling endpoint, so the admin couples on page 7209): what it will do per salesperson, why the
 * others fail and their fix, and the exact steps.
 */

const LINES_SHOWN = 15;

export const OUTCOME_LABEL: Record<OutcomeKind, StringKey> = {
  match: 'cpOutcomeMatch',
  noMatch: 'cpOutcomeNoMatch',
  several: 'cpOutcomeSeveral',
  alreadyCoupled: 'cpOutcomeAlreadyCoupled',
  notEligible: 'cpOutcomeNotEligible',
};

const STEP_TEXT: Record<Exclude<ManualStep, 'useMail' | 'setMailYourself'>, StringKey> = {
  addEmail: 'cpCauseNoEmail',
  uniqueEmail: 'cpFixUniqueEmail',
  deleteCoupling: 'cpFixDeleteCoupling',
  enableUser: 'cpFixEnableUser',
  licenseUser: 'cpFixLicenseUser',
  ownEmail: 'cpFixOwnEmail',
  setUpFirst: 'cpFixSetUpFirst',
};

function detail(p: CouplingPrediction, locale: Locale): string {
  const o = p.outcome;
  const m = escapeMarkdown;
  switch (o.kind) {
    case 'match':
      return '';
    case 'several':
      return t(locale, 'cpSeveral', { count: o.count });
    case 'alreadyCoupled':
      return o.coupledToCode
        ? t(locale, 'cpAlreadyCoupledTo', { user: m(o.userPrincipalName), code: m(o.coupledToCode) })
        : t(locale, 'cpAlreadyCoupledOther', { user: m(o.userPrincipalName) });
    case 'notEligible':
      return t(locale, o.reason === 'disabled' ? 'cpNotEligibleDisabled' : o.reason === 'unlicensed' ? 'cpNotEligibleUnlicensed' : 'cpNotEligibleIntegration', { user: m(o.userPrincipalName) });
    case 'noMatch':
      switch (o.cause) {
        case 'noEmail':
          return t(locale, 'cpCauseNoEmail');
        case 'noMail':
          return t(locale, 'cpCauseNoMail', { user: m(p.fix?.kind === 'setMail' ? p.fix.userPrincipalName : p.email) });
        case 'otherMail':
          return t(locale, 'cpCauseOtherMail', { primary: m(o.primaryEmail ?? '') });
        case 'noSalesUser':
          return t(locale, 'cpCauseNoSalesUser');
      }
  }
}

function fixText(p: CouplingPrediction, locale: Locale): string {
  const fix = p.fix;
  if (!fix) return '';
  const m = escapeMarkdown;
  if (fix.kind === 'setMail') return t(locale, 'cpFixSetMail', { user: m(fix.userPrincipalName), address: m(fix.address) });
  if (fix.step === 'addEmail') return ''; // the cause says it
  if (fix.step === 'useMail') {
    const primary = p.outcome.kind === 'noMatch' ? p.outcome.primaryEmail : undefined;
    return primary ? t(locale, 'cpFixUseMail', { primary: m(primary), email: m(p.email) }) : t(locale, 'cpFixUseMailPlain');
  }
  if (fix.step === 'setMailYourself') return t(locale, 'cpFixSetMailYourself', { address: m(p.email) });
  return t(locale, STEP_TEXT[fix.step], { column: C.salespersonColumn, action: C.deleteCouplingAction });
}

export function lineOf(p: CouplingPrediction, locale: Locale): string {
  const base = { code: escapeMarkdown(p.code), email: escapeMarkdown(p.email), outcome: t(locale, OUTCOME_LABEL[p.outcome.kind]) };
  if (p.outcome.kind === 'match') return t(locale, 'cpLineMatch', { ...base, user: escapeMarkdown(p.outcome.userPrincipalName) });
  const fix = fixText(p, locale);
  return t(locale, 'cpLine', { ...base, detail: `${detail(p, locale)}${fix ? ` ${fix}` : ''}` });
}

export interface MatchSectionInput {
  /** The prediction made when the salespeople were read (setup/couplingPrediction.ts). */
  predictions: CouplingPrediction[];
  /** Deep link to page 7209, when Business Central is online or has a web client URL. */
  bcLink?: string;
}

/** The section's data (bound as `match` in salespeople.json); `on` false hides it. */
export function matchSectionData(input: MatchSectionInput | undefined, locale: Locale) {
  if (!input) return { on: false };
  const { predictions } = input;
  const counts = countOutcomes(predictions);
  const failing = predictions.filter((p) => p.outcome.kind !== 'match');
  const fixes = predictions.filter((p) => p.fix?.kind === 'setMail').length;
  const shown = [...failing, ...predictions.filter((p) => p.outcome.kind === 'match')].slice(0, LINES_SHOWN);
  return {
    on: predictions.length > 0,
    counts: OUTCOME_KINDS.filter((k) => counts[k] > 0 || k === 'match').map((k) => ({ title: t(locale, OUTCOME_LABEL[k]), value: String(counts[k]) })),
    lines: shown.map((p) => lineOf(p, locale)),
    more: predictions.length > LINES_SHOWN ? t(locale, 'cpMore', { count: predictions.length - LINES_SHOWN }) : '',
    steps: t(locale, 'cpSteps', {
      link: input.bcLink ? t(locale, 'cpStepsLink', { link: input.bcLink }) : t(locale, 'cpStepsOnPremises'),
      couplePage: C.couplePage,
      matchAction: C.matchAction,
      criteriaPage: C.criteriaPage,
      matchField: C.matchField,
      salespersonEmail: C.salespersonEmail,
      primaryEmail: C.primaryEmail,
      caseSensitive: C.caseSensitive,
      column: C.salespersonColumn,
      usersPage: C.usersPage,
      teamAction: C.addToTeamAction,
    }),
    fixes: fixes > 0 ? t(locale, 'cpFixes', { count: fixes }) : '',
    fixCount: fixes,
  };
}
