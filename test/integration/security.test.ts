import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { startBot, type RunningBot } from '../../src/main';
import { startSandbox, SEED, type SandboxHandle } from '../../src/sandbox';
import { startHarness, ADMIN, type Harness } from '../helpers/harness';
import { approveAndWait, startSetup } from '../helpers/flows';
import { action } from '../helpers/cards';
import { graph, salesUserWithRoles } from '../helpers/tenant';
import { cardText, FakeConnector, TeamsConversation } from '../helpers/teams';

const ROLES = SEED.dataverse.roles.root;
const OBRIEN = "ola.o'brien@contoso.no";

describe("a quote in a sign-in name (ola.o'brien@…) is data, never OData", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('reads the status and runs Part 1 for the account, end to end through Graph and Dataverse', async () => {
    // The seed has the salesperson's e-mail in Business Central but no Entra account: make one.
    const created = await graph(h.sandbox.url, 'POST', '/users', {
      accountEnabled: true,
      displayName: "Ola O'Brien",
      mailNickname: 'ola.obrien',
      userPrincipalName: OBRIEN,
      usageLocation: 'NO',
      passwordProfile: { password: 'Vx9!long-enough-Passw0rd', forceChangePasswordNextSignIn: true },
    });
    expect(created.status).toBe(201);

    // The welcome card looks the salespeople up by e-mail in a $filter: the quote must not break it.
    const chat = h.conversation();
    await chat.say(ADMIN, 'help');
    const status = cardText(h.connector.cards().at(-1));
    expect(status).toMatch(/of \d+ active salespeople are ready/);
    expect(status).not.toContain('Could not check');

    const { cardActivityId } = await startSetup(h, chat);
    const planned = await chat.execute(ADMIN, 'admin.plan', { userPrincipalName: OBRIEN, nonAdminRoleIds: ROLES.salesManager }, cardActivityId);
    const plan = planned.body.value;
    const text = cardText(plan);
    expect(text).toContain(`Assign the licence Dynamics 365 for Sales Enterprise Edition to ${OBRIEN}`);
    expect(text).toContain(`Give ${OBRIEN} the role System Administrator`);
    expect(text).toContain(`Give ${OBRIEN} the role Sales Manager`);

    const { final } = await approveAndWait(h, chat, plan, cardActivityId);
    expect(cardText(final)).toContain('Applied: all 5 changes done.');
    const user = await salesUserWithRoles(h.sandbox.url, created.body.id);
    expect(user?.domainname).toBe(OBRIEN);
    expect(user?.systemuserroles_association.map((r) => r.roleid).sort()).toEqual([ROLES.systemAdministrator, ROLES.systemCustomizer, ROLES.salesManager].sort());
  });
});

/**
 * A proxy in front of the sandbox tenant that, while a rule is set, answers matching requests with
 * a service error full of what must never reach a user: a raw message, a token, a stack.
 */
const RAW = 'RAW-SERVICE-DETAIL-7f3a';
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.c2lnbmF0dXJl';
const STACK = 'at Object.<anonymous> (/srv/service/handler.js:12:34)';
/** How every access token the sandbox issues begins (its JOSE header, base64url). */
const SANDBOX_JWT = Buffer.from('{"typ":"JWT","alg":"RS256","kid":"').toString('base64url').slice(0, 40);
const rawBody = (status: number) =>
  JSON.stringify({ error: { code: status === 400 ? 'Request_BadRequest' : 'InternalServerError', message: `${RAW} Bearer ${TOKEN}\n    ${STACK}`, innerError: { stack: STACK } } });

interface Breaker {
  url: string;
  rule?: { status: number; method?: string; pathContains: string };
  close(): Promise<void>;
}

async function startBreaker(target: string): Promise<Breaker> {
  const breaker: Breaker = { url: '', close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => void forward());
    const forward = async () => {
      const rule = breaker.rule;
      if (rule && (req.url ?? '').includes(rule.pathContains) && (!rule.method || rule.method === req.method)) {
        res.writeHead(rule.status, { 'content-type': 'application/json' });
        res.end(rawBody(rule.status));
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
      headers['x-forwarded-host'] = req.headers.host ?? '';
      const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers, body: chunks.length && req.method !== 'GET' ? Buffer.concat(chunks) : undefined });
      const body = Buffer.from(await upstream.arrayBuffer());
      const out: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k)) out[k] = v;
      });
      res.writeHead(upstream.status, out);
      res.end(body);
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  breaker.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  breaker.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return breaker;
}

describe('error text a user reads never carries a raw service response, a token or a stack', () => {
  let sandbox: SandboxHandle;
  let breaker: Breaker;
  let bot: RunningBot;
  let connector: FakeConnector;
  let stateDir: string;
  const logs: string[] = [];
  const chat = () => new TeamsConversation({ botUrl: () => bot.url, connector, tenantId: SEED.tenantId });

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, stateFile: null, settings: { syncDelayMs: 200, licensePropagationMs: 300 } });
    breaker = await startBreaker(sandbox.url);
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'bc-setup-errors-'));
    const config = loadConfig({ SANDBOX_URL: breaker.url, PORT: '0', STATE_DIR: stateDir, PLAYGROUND: 'false', LOG_LEVEL: 'silent' });
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(line) } });
    bot = await startBot(config, logger, { actionSettings: { addUserRetryMs: 100, addUserTimeoutMs: 5_000, pollMs: 100 } });
    connector = new FakeConnector();
    await connector.start();
  });
  afterAll(async () => {
    await bot.close();
    await connector.stop();
    await breaker.close();
    await sandbox.close();
    rmSync(stateDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    breaker.rule = undefined;
    connector.clear();
  });

  const expectClean = (text: string) => {
    expect(text).not.toContain(RAW);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('eyJ');
    expect(text).not.toContain(SEED.app.clientSecret);
    expect(text).not.toContain(SANDBOX_JWT);
    expect(text).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
    expect(text).not.toContain('/srv/');
  };

  it.each([
    [500, 'Microsoft Graph failed while trying to'],
    [400, 'Microsoft Graph rejected the request to'],
  ])('on the status card (Graph answers %i)', async (status, said) => {
    breaker.rule = { status, pathContains: '/graph/v1.0/users' };
    await chat().say(ADMIN, 'help');
    const text = cardText(connector.cards().at(-1));
    expect(text).toContain('Could not check');
    expect(text).toContain(said);
    expectClean(text);
  });

  it('on the Part 1 card when reading the administrator fails (Graph 400)', async () => {
    const c = chat();
    await c.say(ADMIN, 'set up');
    const envCard = connector.cards().at(-1);
    const saved = await c.execute(ADMIN, 'env.save', { dataverseUrl: `${breaker.url}/dataverse`, bapEnvironmentId: SEED.environment.bapId, bcEnvironment: SEED.businessCentral.environment, bcCompanyId: SEED.businessCentral.companyId, deployment: 'online' });
    expect(saved.status).toBe(200);
    expect(envCard).toBeDefined();
    breaker.rule = { status: 400, pathContains: '/graph/v1.0/users/' };
    const response = await c.execute(ADMIN, 'admin.plan', { userPrincipalName: SEED.admin.upn, nonAdminRoleIds: ROLES.salesManager });
    expect(response.status).toBe(200);
    const text = typeof response.body.value === 'string' ? response.body.value : cardText(response.body.value);
    expect(text).toContain('Microsoft Graph rejected the request to');
    expectClean(text);
  });

  it('on the environment card when Business Central refuses (400)', async () => {
    breaker.rule = { status: 400, pathContains: '/bc/v2.0/' };
    await chat().say(ADMIN, 'set up');
    const text = cardText(connector.cards().at(-1));
    expect(text).toContain('Business Central rejected the request to');
    expectClean(text);
  });

  it('in a failed action of an approved plan (Dataverse answers 400 to the role assignment)', async () => {
    const c = chat();
    await c.say(ADMIN, 'set up');
    const cardActivityId = connector.activities.at(-1)!.activityId!;
    await c.execute(ADMIN, 'env.save', { dataverseUrl: `${breaker.url}/dataverse`, bapEnvironmentId: SEED.environment.bapId, bcEnvironment: SEED.businessCentral.environment, bcCompanyId: SEED.businessCentral.companyId, deployment: 'online' }, cardActivityId);
    const plan = (await c.execute(ADMIN, 'admin.plan', { userPrincipalName: SEED.admin.upn, nonAdminRoleIds: ROLES.salesManager }, cardActivityId)).body.value;
    breaker.rule = { status: 400, method: 'POST', pathContains: 'systemuserroles_association' };
    const approve = action(plan, 'plan.approve');
    await c.execute(ADMIN, 'plan.approve', approve.data, cardActivityId);
    await bot.runner.settled(String(approve.data.planId));
    const final = connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardActivityId).at(-1)?.activity.attachments[0].content;
    const text = cardText(final);
    expect(text).toContain('changes done');
    expect(text).toContain('failed');
    expectClean(text);
    // Every message and card the bot sent in this test is clean too.
    expectClean(JSON.stringify(connector.activities));
  });

  it('and the log keeps the cause for the operator, without the bearer token the bot sent', async () => {
    expect(logs.join('\n')).toContain(RAW);
    expect(logs.join('\n')).not.toContain(SANDBOX_JWT);
    expect(logs.join('\n')).not.toContain(SEED.app.clientSecret);
  });
});
