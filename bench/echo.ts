/**
 * A bare botbuilder bot for comparison: CloudAdapter behind restify, no state, no templates. It
 * answers a card action (adaptiveCard/action invoke) with a one-line card echoing the verb, and a
 * message with its text. Prints {"url": …} once listening.
 */
import restify from 'restify';
import {
  ActivityHandler,
  ActivityTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(`echo: ${context.activity.text}`);
      await next();
    });
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    const verb = (context.activity.value as { action?: { verb?: string } } | undefined)?.action?.verb ?? '';
    const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: `echo: ${verb}` }] };
    return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } };
  }
}

async function main(): Promise<void> {
  const auth = new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant' });
  const adapter = new CloudAdapter(auth);
  const bot = new EchoBot();
  const server = restify.createServer();
  server.use(restify.plugins.bodyParser());
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const address = server.address() as { port: number };
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}`, type: ActivityTypes.Invoke })}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
