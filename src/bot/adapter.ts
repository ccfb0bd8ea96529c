import { readFileSync } from 'node:fs';
import {
  CertificateServiceClientCredentialsFactory,
  JwtTokenProviderFactory,
  ManagedIdentityServiceClientCredentialsFactory,
  type ServiceClientCredentialsFactory,
} from 'botframework-connector';
import { TeamsAdapter } from '@microsoft/teams-ai';
import type { BotConfig } from '../config';

/**
 * The Bot Framework adapter. With an app id, every request to /api/messages must carry a valid
 * Bot Framework token; with none (sandbox mode only, enforced by config), requests are anonymous
 * as the Agents Playground sends them.
 */
export function createAdapter(bot: BotConfig): TeamsAdapter {
  const options = {
    MicrosoftAppId: bot.appId,
    MicrosoftAppPassword: bot.appPassword ?? '',
    MicrosoftAppType: bot.appType,
    MicrosoftAppTenantId: bot.appTenantId,
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
  return new TeamsAdapter(options, factory);
}
