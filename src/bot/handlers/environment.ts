import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { AdaptiveCardJson } from '../../cards/render';
import { isAppError, userMessage } from '../../errors';
import { t, type StringKey } from '../../i18n';
import { COMPANY_VALUE_PATTERN, resolveChoice, type ChoiceProblem } from '../../setup/environmentChoice';
import { BC_ENVIRONMENT_PATTERN, describeIssues, guid } from '../../setup/validation';
import type { SessionEnvironment } from '../../setup/session';
import { localeFor } from '../context';
import { applyEvent, sessionOf } from '../session';
import type { BotServices } from '../services';
import type { SetupTurnState } from '../state';
import { adminStepCard, environmentStepCard } from '../steps';

const EnvironmentInput = z.object({
  dataverseUrl: z.string().trim().min(1).max(200),
  bapEnvironmentId: guid,
  bcEnvironment: z.string().trim().regex(new RegExp(BC_ENVIRONMENT_PATTERN), 'validationBcEnvironment'),
  bcCompanyId: guid,
  deployment: z.enum(['online', 'onpremises']),
});

/** A Power Platform environment id as BAP names it: a GUID, or the default environment's `Default-<tenant id>`. */
const BAP_ID = /^(Default-)?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

const PickInput = z.object({
  bcCompany: z.string().trim().max(80).regex(new RegExp(COMPANY_VALUE_PATTERN), 'validationChoice'),
  bapEnvironmentId: z.string().trim().max(60).regex(BAP_ID, 'validationGuid'),
  deployment: z.enum(['online', 'onpremises']),
});

const PROBLEM_KEYS: Record<ChoiceProblem, StringKey> = {
  company: 'envPickProblemCompany',
  powerPlatform: 'envPickProblemPowerPlatform',
  noDataverse: 'envPickProblemNoDataverse',
};

function remember(state: SetupTurnState, environment: SessionEnvironment) {
  if (!sessionOf(state)) applyEvent(state, { type: 'start' });
  return applyEvent(state, { type: 'environmentSaved', environment });
}

/** "Continue" on the card chosen from the lists: the pick is checked against the lists as they are now. */
async function savePick(services: BotServices, context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson> {
  const locale = localeFor(context);
  const current = sessionOf(state)?.environment;
  const parsed = PickInput.safeParse(data);
  if (!parsed.success) {
    return environmentStepCard(services, context, current, t(locale, 'invalidInput', {
      problems: describeIssues(parsed.error, locale, {
        bcCompany: t(locale, 'envPickCompany'),
        bapEnvironmentId: t(locale, 'envBapId'),
        deployment: t(locale, 'envDeployment'),
      }),
    }));
  }
  const read = await services.tenant.environmentLists();
  if (!read.ok) return environmentStepCard(services, context, current);
  const resolved = resolveChoice(read.lists, parsed.data);
  if (!resolved.ok) {
    const name = read.lists.powerPlatform.find((p) => p.id.toLowerCase() === parsed.data.bapEnvironmentId.toLowerCase())?.displayName ?? '';
    return environmentStepCard(services, context, current, t(locale, PROBLEM_KEYS[resolved.problem], { environment: name }));
  }
  const { chosen } = resolved;
  let dataverseUrl: string;
  try {
    dataverseUrl = services.tenant.checkEnvironmentUrl(chosen.dataverseUrl);
  } catch (error) {
    if (!isAppError(error, 'invalid_input')) throw error;
    return environmentStepCard(services, context, current, userMessage(error, locale));
  }
  const environment: SessionEnvironment = {
    dataverseUrl,
    bapEnvironmentId: chosen.bapEnvironmentId,
    bcEnvironment: chosen.bcEnvironment,
    bcCompanyId: chosen.bcCompanyId,
    bcCompanyName: chosen.bcCompanyName,
    deployment: parsed.data.deployment,
  };
  const session = remember(state, environment);
  return adminStepCard(services, context, environment, session.admin);
}

/**
 * "Continue" on the environment card: the card chosen from the lists (it submits `bcCompany`), or
 * the typed values, validated again on the server, then remembered.
 */
export function environmentSave(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson> => {
    if ('bcCompany' in data) return savePick(services, context, state, data);
    const locale = localeFor(context);
    const current = sessionOf(state)?.environment ?? services.defaultEnvironment();
    const parsed = EnvironmentInput.safeParse(data);
    const typed: SessionEnvironment = {
      ...current,
      ...Object.fromEntries(Object.entries(data).filter(([k, v]) => typeof v === 'string' && k in EnvironmentInput.shape).map(([k, v]) => [k, String(v).slice(0, 200)])),
    } as SessionEnvironment;
    if (!parsed.success) {
      return environmentStepCard(services, context, typed, t(locale, 'invalidInput', {
          problems: describeIssues(parsed.error, locale, {
            dataverseUrl: t(locale, 'envDataverseUrl'),
            bapEnvironmentId: t(locale, 'envBapId'),
            bcEnvironment: t(locale, 'envBcEnvironment'),
            bcCompanyId: t(locale, 'envCompany'),
            deployment: t(locale, 'envDeployment'),
          }),
        }), 'typed');
    }
    let dataverseUrl: string;
    try {
      dataverseUrl = services.tenant.checkEnvironmentUrl(parsed.data.dataverseUrl);
    } catch (error) {
      if (!isAppError(error, 'invalid_input')) throw error;
      return environmentStepCard(services, context, typed, userMessage(error, locale), 'typed');
    }
    const environment: SessionEnvironment = { ...parsed.data, dataverseUrl, bcCompanyName: undefined };
    const companies = await services.tenant.companies(environment).catch(() => []);
    const company = companies.find((c) => c.id.toLowerCase() === parsed.data.bcCompanyId.toLowerCase());
    if (!company) {
      return environmentStepCard(services, context, { ...environment, bcCompanyId: undefined }, t(locale, 'envCompanyError'), 'typed');
    }
    environment.bcCompanyName = company.name;
    const session = remember(state, environment);
    return adminStepCard(services, context, environment, session.admin);
  };
}

/** "Change environment", and on the environment card "Type the values instead" (`typed: true`) or "Choose from the lists". */
export function environmentChange(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown> = {}): Promise<AdaptiveCardJson> => {
    const session = applyEvent(state, { type: 'changeEnvironment' });
    return environmentStepCard(services, context, session.environment, undefined, data.typed === true ? 'typed' : 'lists');
  };
}
