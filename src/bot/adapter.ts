import { readFileSync } from 'node:fs';
import { CallerIdConstants, StatusCodes, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import {
  AuthenticationConfiguration,
  AuthenticationConstants,
  AuthenticationError,
  CertificateServiceClientCredentialsFactory,
  EmulatorValidation,
  JwtTokenProviderFactory,
  ManagedIdentityServiceClientCredentialsFactory,
  SkillValidation,
  type AuthenticateRequestResult,
  type Claim,
  type ServiceClientCredentialsFactory,
} from 'botframework-connector';
import { TeamsAdapter } from '@microsoft/teams-ai';
import type { BotConfig } from '../config';
import type { Logger } from '../log';

/**
 * The Bot Framework adapter. With an app id, every request to /api/messages must carry a valid
 * token that the Bot Connector service issued for Microsoft Teams to this bot; with none (sandbox
 * mode only, enforced by config), requests are anonymous as the Agents Playground sends them.
 *
 * What "valid" means follows Microsoft Learn, "Authentication with the Bot Connector API"
 * (azure/bot-service/rest-api/bot-framework-rest-connector-authentication), "Connector to Bot",
 * step 4: a Bearer token, issuer `https://api.botframework.com`, audience our app id, not expired
 * (5 minutes of clock skew), signed by a key from the Bot Connector's OpenID keys document with an
 * allowed algorithm, and a `serviceurl` claim equal to the activity's serviceUrl; the key's
 * `endorsements` must name the activity's channel (step 3). The SDK (botframework-connector,
 * lib/auth/parameterizedBotFrameworkAuthentication.js, jwtTokenExtractor.js) does those checks.
 *
 * The SDK also accepts other paths a Teams bot does not need, chosen by the token itself
 * (`JwtTokenValidation_authenticateToken`): tokens from the "AseChannel" channel id, skill
 * tokens (another bot calling), and Emulator tokens — the last two issued by Entra ID
 * (`ToBotFromBotOrEmulatorTokenValidationParameters`), so the bot's own credential can mint them.
 * Learn calls the Emulator path an additional one a bot adds only if it wants to accept the
 * Emulator. They are refused here before any signature work, and again after it by
 * `validateClaims`. Every refusal, and every other failure before the turn starts (for instance
 * a `jsonwebtoken` "invalid signature" or "invalid algorithm", which the SDK rethrows as plain
 * errors and CloudAdapter would answer with 500), is an AuthenticationError: 401.
 */

/** The only channel this bot serves. */
export const TEAMS_CHANNEL_ID = 'msteams';

/** The issuer of tokens the Bot Connector service sends to bots (Learn, "JWT Issuer", v3.1). */
export const BOT_CONNECTOR_ISSUER = AuthenticationConstants.ToBotFromChannelTokenIssuer;

/**
 * For tests only, passed in code by the caller of startBot (never read from the environment):
 * where the Bot Connector's OpenID metadata (and the Entra ID metadata the SDK uses for Emulator
 * and skill tokens) is read, so a test can serve its own keys on loopback. Production always uses
 * Microsoft's documents (AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl).
 */
export interface BotAuthenticationOverrides {
  channelOpenIdMetadataUrl: string;
  emulatorOpenIdMetadataUrl?: string;
}

export interface AdapterOptions {
  logger?: Logger;
  authentication?: BotAuthenticationOverrides;
}

const refuse = (reason: string): AuthenticationError => new AuthenticationError(`Unauthorized: ${reason}`, StatusCodes.UNAUTHORIZED);

/** The claims of a JWT, read without verifying anything (to choose the path, never to trust). */
function unverifiedClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    return payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const claimValue = (claims: Claim[], type: string): unknown => claims.find((claim) => claim.type === type)?.value;

/**
 * After the SDK verified the token: it must be a Bot Connector token for this bot, not a skill's.
 * AuthenticationConfiguration.validateClaims is the SDK's place for this (it runs for every path).
 */
function channelClaimsOnly(appId: string) {
  return async (claims: Claim[]): Promise<void> => {
    if (claimValue(claims, AuthenticationConstants.IssuerClaim) !== BOT_CONNECTOR_ISSUER) throw refuse('not issued by the Bot Connector service');
    const audience = claimValue(claims, AuthenticationConstants.AudienceClaim);
    if (typeof audience !== 'string' || audience.toLowerCase() !== appId.toLowerCase()) throw refuse('not issued for this bot');
    if (SkillValidation.isSkillClaim(claims)) throw refuse('a skill token');
  };
}

/**
 * Refuses, before the SDK fetches keys or checks a signature, what cannot be a Bot Connector token
 * for Teams: no Bearer JWT, another issuer (Entra ID: skill, Emulator, AseChannel tokens), or an
 * activity from another channel or without a serviceUrl (the SDK checks the `serviceurl` claim
 * only when the activity names one, and endorsements only when it names a channel).
 */
export function precheck(authHeader: string, activity: Partial<Activity>): void {
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authHeader);
  if (!match) throw refuse('no bearer token');
  if (activity.channelId !== TEAMS_CHANNEL_ID) throw refuse('not the Teams channel');
  if (typeof activity.serviceUrl !== 'string' || activity.serviceUrl === '') throw refuse('no serviceUrl');
  const claims = unverifiedClaims(match[1]);
  if (!claims) throw refuse('not a JWT');
  if (claims[AuthenticationConstants.IssuerClaim] !== BOT_CONNECTOR_ISSUER) throw refuse('not issued by the Bot Connector service');
  if (SkillValidation.isSkillToken(authHeader)) throw refuse('a skill token');
  if (EmulatorValidation.isTokenFromEmulator(authHeader)) throw refuse('an Emulator token');
}

type Logic = (context: TurnContext) => Promise<void>;

/** TeamsAdapter, with the inbound token checked as described above. */
export class TeamsChannelAdapter extends TeamsAdapter {
  constructor(
    botFrameworkAuthConfig: ConstructorParameters<typeof TeamsAdapter>[0],
    credentialsFactory: ServiceClientCredentialsFactory | undefined,
    private readonly appId: string,
    private readonly logger?: Logger,
  ) {
    super(botFrameworkAuthConfig, credentialsFactory, appId ? new AuthenticationConfiguration([TEAMS_CHANNEL_ID], channelClaimsOnly(appId)) : undefined);
  }

  protected override async processActivity(
    auth: string | AuthenticateRequestResult,
    activity: Activity,
    logic: Logic,
  ): Promise<InvokeResponse | undefined> {
    if (typeof auth !== 'string' || !this.appId) return super.processActivity(auth as never, activity, logic);
    let started = false;
    try {
      const authenticated = await this.authenticate(auth, activity);
      return await super.processActivity(authenticated, activity, async (context) => {
        started = true;
        await logic(context);
      });
    } catch (error) {
      if (started) throw error;
      if (!(error instanceof AuthenticationError)) this.logger?.warn({ err: error }, 'request refused before the turn');
      throw error instanceof AuthenticationError ? error : refuse('the request could not be authenticated');
    }
  }

  private async authenticate(authHeader: string, activity: Activity): Promise<AuthenticateRequestResult> {
    try {
      precheck(authHeader, activity);
      const result = await this.botFrameworkAuthentication.authenticateRequest(activity, authHeader);
      const claims = result.claimsIdentity.claims;
      await channelClaimsOnly(this.appId)(claims);
      if (claimValue(claims, AuthenticationConstants.ServiceUrlClaim) !== activity.serviceUrl) throw refuse('serviceUrl claim does not match');
      return result;
    } catch (error) {
      this.logger?.warn({ reason: (error as Error)?.message, channelId: String(activity.channelId ?? '').slice(0, 40) }, 'token refused');
      throw error instanceof AuthenticationError ? error : refuse('token not valid');
    }
  }
}

/** The public cloud's values, as BotFrameworkAuthenticationFactory.create uses them by default. */
function publicCloud(overrides: BotAuthenticationOverrides): Record<string, string> {
  return {
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: overrides.channelOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: overrides.emulatorOpenIdMetadataUrl ?? AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}

export function createAdapter(bot: BotConfig, options: AdapterOptions = {}): TeamsAdapter {
  const settings = {
    MicrosoftAppId: bot.appId,
    MicrosoftAppPassword: bot.appPassword ?? '',
    MicrosoftAppType: bot.appType,
    MicrosoftAppTenantId: bot.appTenantId,
    ...(options.authentication ? publicCloud(options.authentication) : {}),
  };
  let factory: ServiceClientCredentialsFactory | undefined;
  if (bot.appType === 'UserAssignedMSI') {
    factory = new ManagedIdentityServiceClientCredentialsFactory(bot.appId, new JwtTokenProviderFactory());
  } else if (bot.certificateThumbprint && bot.certificatePrivateKeyPath) {
    factory = new CertificateServiceClientCredentialsFactory(
      bot.appId,
      bot.certificateThumbprint,
      readFileSync(bot.certificatePrivateKeyPath, 'utf8'),
      bot.appTenantId,
    );
  }
  return new TeamsChannelAdapter(settings, factory, bot.appId, options.logger);
}
