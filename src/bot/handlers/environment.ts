import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { AdaptiveCardJson } from '../../cards/render';
import { isAppError, userMessage } from '../../errors';
import { t } from '../../i18n';
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

/** "Continue" on the environment card: validated again on the server, then remembered. */
export function environmentSave(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState, data: Record<string, unknown>): Promise<AdaptiveCardJson> => {
    const locale = localeFor(context);
    const current = sessionOf(state)?.environment ?? services.defaultEnvironment();
    const parsed = EnvironmentInput.safeParse(data);
    const typed: SessionEnvironment = {
      ...current,
      ...Object.fromEntries(Object.entries(data).filter(([k, v]) => typeof v === 'string' && k in EnvironmentInput.shape).map(([k, v]) => [k, String(v).slice(0, 200)])),
    };
    if (!parsed.success) {
      return environmentStepCard(services, context, typed, t(locale, 'invalidInput', {
          problems: describeIssues(parsed.error, locale, {
            dataverseUrl: t(locale, 'envDataverseUrl'),
            bapEnvironmentId: t(locale, 'envBapId'),
            bcEnvironment: t(locale, 'envBcEnvironment'),
            bcCompanyId: t(locale, 'envCompany'),
            deployment: t(locale, 'envDeployment'),
          }),
        }));
    }
    let dataverseUrl: string;
    try {
      dataverseUrl = services.tenant.checkEnvironmentUrl(parsed.data.dataverseUrl);
    } catch (error) {
      if (!isAppError(error, 'invalid_input')) throw error;
      return environmentStepCard(services, context, typed, userMessage(error, locale));
    }
    const environment: SessionEnvironment = { ...parsed.data, dataverseUrl, bcCompanyName: undefined };
    const companies = await services.tenant.companies(environment).catch(() => []);
    const company = companies.find((c) => c.id.toLowerCase() === parsed.data.bcCompanyId.toLowerCase());
    if (!company) {
      return environmentStepCard(services, context, { ...environment, bcCompanyId: undefined }, t(locale, 'envCompanyError'));
    }
    environment.bcCompanyName = company.name;
    if (!sessionOf(state)) applyEvent(state, { type: 'start' });
    const session = applyEvent(state, { type: 'environmentSaved', environment });
    return adminStepCard(services, context, environment, session.admin);
  };
}

export function environmentChange(services: BotServices) {
  return async (context: TurnContext, state: SetupTurnState): Promise<AdaptiveCardJson> => {
    const session = applyEvent(state, { type: 'changeEnvironment' });
    return environmentStepCard(services, context, session.environment ?? services.defaultEnvironment());
  };
}
