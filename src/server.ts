import restify from 'restify';
import type { Application, TeamsAdapter } from '@microsoft/teams-ai';
import type { SetupTurnState } from './bot/state';
import type { Config } from './config';
import type { Logger } from './log';

/** Bodies larger than this are refused with 413 before any handler sees them. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * What a refused or failed request gets: a fixed body. CloudAdapter.process answers with the
 * error's own message (botbuilder lib/cloudAdapter.js: `end(status, err.message)`), which can
 * carry internal detail; the log keeps the detail, the caller gets only the status and this.
 */
const ERROR_BODIES: Record<number, { code: string; message: string }> = {
  401: { code: 'Unauthorized', message: 'The request is not authorized.' },
  500: { code: 'InternalError', message: 'The request could not be processed.' },
};

/** The response as CloudAdapter writes it (status, header, send, end), with error bodies replaced. */
function plainErrors(res: restify.Response) {
  let status = 200;
  const reply = {
    socket: res.socket as unknown,
    status(code: number) {
      status = code;
      res.status(code);
      return reply;
    },
    header(name: string, value: unknown) {
      res.header(name, value);
      return reply;
    },
    send(body?: unknown) {
      const fixed = status === 401 ? ERROR_BODIES[401] : status >= 500 ? ERROR_BODIES[500] : undefined;
      res.send(fixed ?? body);
      return reply;
    },
    end() {
      if (!res.writableEnded) res.end();
      return reply;
    },
  };
  return reply;
}

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
    const reply = plainErrors(res);
    try {
      await adapter.process(req, reply, async (context) => {
        await app.run(context);
      });
    } catch (error) {
      logger.error({ err: error }, 'request failed');
      if (!res.headersSent) reply.status(500).send('');
      if (!res.writableEnded) res.end();
    }
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
  const port = (server.address()).port;
  logger.info({ port, mode: config.mode }, 'bot listening on /api/messages');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
