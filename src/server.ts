import type { AddressInfo } from 'node:net';
import restify from 'restify';
import type { Application, TeamsAdapter } from '@microsoft/teams-ai';
import type { SetupTurnState } from './bot/state';
import type { Config } from './config';
import type { Logger } from './log';

/** Bodies larger than this are refused with 413 before any handler sees them. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface BotServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  bot: { adapter: TeamsAdapter; app: Application<SetupTurnState> },
  logger: Logger,
): Promise<BotServer> {
  const { adapter, app } = bot;

  const server = restify.createServer({ name: 'bc-sales-setup', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, mapFiles: false }));

  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, async (context) => {
      await app.run(context);
    });
  });
  // Clients (the Agents Playground among them) probe the endpoint before they post to it.
  server.head('/api/messages', (_req, res, next) => {
    res.send(204);
    return next();
  });
  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok', mode: config.mode });
    return next();
  });
  server.on('restifyError', (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number }, callback: () => void) => {
    logger.warn({ method: req.method, path: req.path(), status: err.statusCode ?? 500, err }, 'request failed');
    return callback();
  });

  // A port already taken fails the start (a rejection the caller handles), not the process.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host ?? '0.0.0.0', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, mode: config.mode }, 'bot listening on /api/messages');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
