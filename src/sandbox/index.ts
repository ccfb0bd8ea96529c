/**
 * The sandbox tenant: one local HTTP server speaking the parts of Microsoft Graph, Dataverse, the
 * Power Platform admin API and Business Central that the product uses, with seeded demo data.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BAP_PREFIX, handleBap } from './bap';
import { BC_PREFIX, handleBc } from './bc';
import { BC_ADMIN_PREFIX, handleBcAdmin } from './bcAdmin';
import { CONTROL_PREFIX, type ControlCtx, handleControl } from './control';
import { handleDataverse } from './dataverse';
import { syncDataverse } from './dataverseSync';
import { batchTargets, executeBatch, parseBatch } from './dataverseBatch';
import { DV_PREFIX } from './dataverseQuery';
import { errorReply, tooLargeError } from './errors';
import { Guard } from './faults';
import { handleGraph } from './graph';
import { graphBatchTargets, handleGraphBatch } from './graphBatch';
import { GRAPH_PREFIX } from './graphQuery';
import { BodyTooLargeError, HttpError, type SbReply, type SbRequest, readBody, toSbRequest, writeReply } from './http';
import { type Outcome, serve, serveGraphItem } from './pipeline';
import { type RecordOptions, RequestRecorder } from './recorder';
import { createSeedState, SEED, seedAppRegistration } from './seed';
import { DEFAULT_SETTINGS, type SandboxSettingsPatch, type SeedOptions, mergeSettings, parseSettingsPatch } from './settings';
import { type Service, Store } from './state';
import { KEYS_PATH, SigningKey, TOKEN_PATH, handleKeys, handleToken } from './tokens';

export { SEED, SEED_INTEGRATION } from './seed';
export type { RecordOptions, RecordedRequest } from './recorder';
export type { SandboxSettingsPatch, SeedOptions } from './settings';

export interface SandboxOptions {
  /** default 3979; 0 = a random free port */
  port?: number;
  /** default '127.0.0.1' */
  host?: string;
  /** JSON file the state persists in; null = memory only. An existing file is loaded instead of seeding. */
  stateFile?: string | null;
  seed?: SeedOptions;
  /** over the defaults; `limits` and `faults` merge per key (any Partial<SandboxSettings> fits) */
  settings?: SandboxSettingsPatch;
  /** The sandbox's clock (default Date.now): tests drive time-dependent rules with it. */
  now?: () => number;
  /** Append every service request to a JSON Lines file (see recorder.ts); off by default. */
  record?: RecordOptions;
}

export interface SandboxHandle {
  url: string;
  port: number;
  close(): Promise<void>;
}

function serviceOf(path: string): Service | null {
  if (path === GRAPH_PREFIX || path.startsWith(`${GRAPH_PREFIX}/`)) return 'graph';
  if (path.startsWith(`${DV_PREFIX}/`)) return 'dataverse';
  if (path.startsWith(`${BAP_PREFIX}/`)) return 'bap';
  if (path.startsWith(`${BC_PREFIX}/`) || path.startsWith(`${BC_ADMIN_PREFIX}/`)) return 'bc';
  return null;
}

function graphCall(ctx: ControlCtx, req: SbRequest): Promise<Outcome> {
  const isBatch = req.path === `${GRAPH_PREFIX}/$batch` && req.method === 'POST';
  const batch = (c: ControlCtx, r: SbRequest) => handleGraphBatch(c, r, (sub) => serveGraphItem(c, sub, () => handleGraph(c, sub)));
  return serve(ctx, req, {
    service: 'graph',
    scope: isBatch ? 'envelope' : 'request',
    targets: [{ method: req.method, path: req.path }, ...(isBatch ? graphBatchTargets(req) : [])],
    units: isBatch ? 0 : 1,
    run: () => handleGraph(ctx, req, (c, r) => batch(c as ControlCtx, r)),
  });
}

function dataverseCall(ctx: ControlCtx, req: SbRequest): Promise<Outcome> {
  const isBatch = req.path === `${DV_PREFIX}/$batch` && req.method === 'POST';
  return serve(ctx, req, {
    service: 'dataverse',
    scope: 'request',
    targets: [{ method: req.method, path: req.path }, ...(isBatch ? batchTargets(req) : [])],
    // A $batch is one request toward 6,000 per 5 minutes (Learn "Service protection API limits").
    units: 1,
    run: (): SbReply => {
      if (!isBatch) return handleDataverse(ctx, req);
      try {
        const parts = parseBatch(req);
        syncDataverse(ctx);
        return executeBatch(ctx, req, parts, (op) => handleDataverse(ctx, op, true));
      } catch (err) {
        if (err instanceof HttpError) return errorReply('dataverse', req, err);
        throw err;
      }
    },
  });
}

async function dispatch(ctx: ControlCtx, req: SbRequest): Promise<Outcome> {
  if (req.path === '/healthz') return { kind: 'reply', reply: { status: 200, body: { status: 'ok' } } };
  if (req.path.startsWith(`${CONTROL_PREFIX}/`)) return { kind: 'reply', reply: await handleControl(ctx, req) };
  const token = TOKEN_PATH.exec(req.path);
  if (token) return { kind: 'reply', reply: handleToken(ctx, ctx.signingKey, req, token[1]) };
  if (KEYS_PATH.test(req.path)) return { kind: 'reply', reply: handleKeys(ctx.signingKey) };
  switch (serviceOf(req.path)) {
    case 'graph':
      return graphCall(ctx, req);
    case 'dataverse':
      return dataverseCall(ctx, req);
    case 'bap':
      return serve(ctx, req, { service: 'bap', scope: 'request', targets: [{ method: req.method, path: req.path }], units: 1, run: () => handleBap(ctx, req) });
    case 'bc':
      return serve(ctx, req, { service: 'bc', scope: 'request', targets: [{ method: req.method, path: req.path }], units: 1, run: () => (req.path.startsWith(`${BC_ADMIN_PREFIX}/`) ? handleBcAdmin(ctx, req) : handleBc(ctx, req)) });
    default:
      return { kind: 'reply', reply: { status: 404, body: { error: { code: 'NotFound', message: `No service answers at ${req.path}.` } } } };
  }
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<SandboxHandle> {
  const host = opts.host ?? '127.0.0.1';
  const stateFile = opts.stateFile === undefined ? null : opts.stateFile;
  const startSettings = mergeSettings(DEFAULT_SETTINGS, parseSettingsPatch(opts.settings ?? {}));
  const startSeed: SeedOptions = opts.seed ?? {};
  const loaded = stateFile ? Store.load(stateFile) : null;
  // A state file from before app registrations were kept gets the seeded one.
  if (loaded && !loaded.app) loaded.app = seedAppRegistration();
  if (loaded && startSeed.language) {
    const have = loaded.dataverse.languageCode ?? SEED.languageCodes.en;
    const want = SEED.languageCodes[startSeed.language];
    if (have !== want) {
      throw new Error(
        `The state file ${stateFile} holds an environment whose base language is ${have}, but language ${startSeed.language} (${want}) was asked for: delete the file, or choose another one with SANDBOX_STATE_FILE.`,
      );
    }
  }
  const store = new Store(loaded ?? createSeedState(startSeed), stateFile);
  if (!loaded) store.writeNow();
  let settings = startSettings;
  const guard = new Guard(() => settings);
  const ctx: ControlCtx = {
    store,
    guard,
    settings: () => settings,
    now: opts.now ?? (() => Date.now()),
    signingKey: new SigningKey(),
    startSettings,
    startSeed,
    setSettings: (next) => {
      settings = next;
    },
  };

  const recorder = opts.record ? new RequestRecorder(opts.record) : null;
  let boundPort = opts.port ?? 3979;
  const server = http.createServer((req, res) => {
    void (async () => {
      let body: Buffer;
      try {
        body = await readBody(req);
      } catch (err) {
        const service = serviceOf((req.url ?? '/').split('?')[0]);
        if (err instanceof BodyTooLargeError && service) {
          writeReply(res, errorReply(service, null, tooLargeError(service)));
          req.resume();
        } else {
          res.destroy();
        }
        return;
      }
      const sreq = toSbRequest(req, body, `${host}:${boundPort}`);
      const recorded = recorder ? serviceOf(sreq.path) : null;
      if (recorded) recorder!.record(recorded, sreq);
      let outcome: Outcome;
      try {
        outcome = await dispatch(ctx, sreq);
      } catch (err) {
        // The detail stays on this side (stderr), as a real service's would: the body says only what happened.
        process.stderr.write(`sandbox: ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}\n`);
        outcome = { kind: 'reply', reply: { status: 500, body: { error: { code: 'InternalServerError', message: 'An internal server error occurred.' } } } };
      }
      if (outcome.kind === 'destroy') {
        req.socket.destroy();
        return;
      }
      writeReply(res, outcome.reply);
    })();
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(boundPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;

  let closed: Promise<void> | null = null;
  return {
    url,
    port: boundPort,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => store.flush());
      return closed;
    },
  };
}
