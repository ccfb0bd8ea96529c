import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { integrationConnectionCard, passwordCard } from '../../cards/integration';
import { escapeMarkdown } from '../../cards/render';
import { t } from '../../i18n';
import { planAccessMode, planApplicationFixes, planDedicatedUser } from '../../setup/integrationPlanner';
import type { SetupSession } from '../../setup/session';
import { describeIssues, plainText, upn } from '../../setup/validation';
import { isCountryCode } from '../../setup/csvCountries';
import { isPersonalChat, localeFor } from '../context';
import type { CardHandler, Make } from '../handler';
import { adminUpns, checkCard, dedicatedForm, environmentOf, integrationStepCard } from '../integrationSteps';
import { createPlan, planCardFor } from '../planView';
import type { BotServices } from '../services';
import { applyEvent, sessionOf } from '../session';
import { stepCard } from '../steps';

/** Part 2's card verbs: the integration account. Thin handlers over the pure planner in setup/integrationPlanner.ts. */

/** Only in the integration step; anything else shows where the setup is. */
function inStep(session: SetupSession | undefined): session is SetupSession {
  return !!session?.active && session.step === 'integration';
}

/** Used from another step: the card of where the setup stands, or a hint when there is no setup. */
async function elsewhere(services: BotServices, context: TurnContext, session: SetupSession | undefined) {
  return session ? stepCard(services, context, session) : t(localeFor(context), 'statusNoSession');
}

/** `integration.path`: the application user or a dedicated user. */
export const integrationPath: Make<CardHandler> = (services) => async (context, state, data) => {
  const session = sessionOf(state);
  if (!inStep(session)) return elsewhere(services, context, session);
  const parsed = z.object({ path: z.enum(['application', 'dedicated']) }).safeParse(data);
  if (!parsed.success) return integrationStepCard(services, context, session);
  return integrationStepCard(services, context, applyEvent(state, { type: 'integrationPath', path: parsed.data.path }));
};

/** `integration.changePath`: back to the choice of path. */
export const integrationChangePath: Make<CardHandler> = (services) => async (context, state) => {
  const session = sessionOf(state);
  if (!inStep(session)) return elsewhere(services, context, session);
  return integrationStepCard(services, context, applyEvent(state, { type: 'integrationPhase', phase: 'choose' }));
};

const DedicatedInput = z.object({
  localPart: z.string().trim().min(1).max(64),
  domain: z.string().trim().min(1).max(253),
  displayName: plainText(256),
  usageLocation: z.string().trim().toUpperCase().length(2, 'validationTwoLetters'),
  skuId: z.string().trim().min(1, 'validationLicence').max(64),
});

/** `integration.plan`: the dedicated user's form, checked, observed and planned. */
export const integrationPlan: Make<CardHandler> = (services) => async (context, state, data) => {
  const locale = localeFor(context);
  const session = sessionOf(state);
  if (!inStep(session) || session.integration?.phase !== 'form') return elsewhere(services, context, session);
  const environment = environmentOf(services, session);
  const typed = Object.fromEntries(Object.entries(data).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k, String(v).slice(0, 256)]));
  const parsed = DedicatedInput.safeParse(data);
  const form = (error: string) => dedicatedForm(services, context, environment, typed, error);
  const labels = {
    localPart: t(locale, 'dedicatedLocalPart'),
    domain: t(locale, 'dedicatedDomain'),
    displayName: t(locale, 'dedicatedDisplayName'),
    usageLocation: t(locale, 'dedicatedUsageLocation'),
    skuId: t(locale, 'dedicatedSku'),
  };
  if (!parsed.success) return form(t(locale, 'invalidInput', { problems: describeIssues(parsed.error, locale, labels) }));
  const input = parsed.data;
  const address = upn.safeParse(`${input.localPart}@${input.domain}`);
  if (!address.success) return form(t(locale, 'invalidInput', { problems: describeIssues(address.error, locale, { '': labels.localPart }) }));
  if (!isCountryCode(input.usageLocation)) return form(t(locale, 'invalidCountry', { code: input.usageLocation }));
  const observed = await services.tenant.dedicatedUser(environment, address.data);
  const result = planDedicatedUser(
    { userPrincipalName: address.data, displayName: input.displayName, usageLocation: input.usageLocation, skuId: input.skuId },
    observed,
    await adminUpns(services, context, session),
    environment,
  );
  if (!result.ok) return form(t(locale, result.refusal.key, result.refusal.vars));
  if (result.actions.some((a) => a.type === 'createUser') && !isPersonalChat(context)) return form(t(locale, 'passwordNeedsPersonalChat'));
  const plan = await createPlan(services, context, 'integrationUser', environmentOf(services, sessionOf(state)!), result.actions);
  applyEvent(state, { type: 'integrationUserPlanned', userPrincipalName: address.data, planId: plan.id });
  return planCardFor(services, context, plan, undefined, t(locale, 'passwordExisting', { user: escapeMarkdown(address.data) }));
};

/** `integration.connected`: the connection exists in Business Central; its access mode is planned. */
export const integrationConnected: Make<CardHandler> = (services) => async (context, state) => {
  const locale = localeFor(context);
  const session = sessionOf(state);
  const upnOf = session?.integration?.userPrincipalName;
  if (!inStep(session) || session.integration?.phase !== 'connection' || !upnOf) return elsewhere(services, context, session);
  const environment = environmentOf(services, session);
  const observed = await services.tenant.dedicatedUser(environment, upnOf);
  const result = planAccessMode(upnOf, observed, await adminUpns(services, context, session));
  if (!result.ok) {
    return integrationConnectionCard(
      { userPrincipalName: upnOf, link: services.tenant.businessCentralPage(environment, 1817), error: t(locale, result.refusal.key, result.refusal.vars) },
      locale,
    );
  }
  const plan = await createPlan(services, context, 'integrationAccessMode', environmentOf(services, sessionOf(state)!), result.actions);
  applyEvent(state, { type: 'integrationPlanned', planId: plan.id });
  return planCardFor(services, context, plan, undefined, t(locale, 'checkAllPass'));
};

/** `integration.fix`: the fixes the check found for the application user, planned. */
export const integrationFix: Make<CardHandler> = (services) => async (context, state) => {
  const session = sessionOf(state);
  if (!inStep(session) || session.integration?.path !== 'application') return elsewhere(services, context, session);
  const actions = planApplicationFixes(await services.tenant.applicationUsers(environmentOf(services, session)));
  if (actions.length === 0) return checkCard(services, context, session);
  const plan = await createPlan(services, context, 'integrationApplication', environmentOf(services, sessionOf(state)!), actions);
  applyEvent(state, { type: 'integrationPlanned', planId: plan.id });
  return planCardFor(services, context, plan);
};

/** `integration.check`: the check read again. */
export const integrationCheck: Make<CardHandler> = (services) => async (context, state) => {
  const session = sessionOf(state);
  if (!inStep(session)) return elsewhere(services, context, session);
  return session.integration?.phase === 'check' ? checkCard(services, context, session) : integrationStepCard(services, context, session);
};

/** `integration.next`: on to Part 3. */
export const integrationNext: Make<CardHandler> = (services) => async (context, state) => {
  const session = sessionOf(state);
  if (!inStep(session)) return elsewhere(services, context, session);
  return stepCard(services, context, applyEvent(state, { type: 'advance' }));
};

/**
 * "I have stored it": the message itself loses the password, for everyone (passwordCards.ts);
 * the answer is the same card without it.
 */
export const secretStored: Make<CardHandler> = (services) => async (context, _state, data) => {
  const parsed = z.object({ userPrincipalName: upn }).safeParse(data);
  const userPrincipalName = parsed.success ? parsed.data.userPrincipalName : '';
  await services.passwords.confirmed(context, userPrincipalName);
  return passwordCard({ userPrincipalName }, localeFor(context));
};
