import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

/**
 * The Teams side of a conversation, for tests: activity builders that POST to the bot's
 * /api/messages as Teams does, and a connector service that receives what the bot sends
 * (new activities and updates), as the Bot Connector would.
 */

export interface TeamsUser {
  id: string;
  name: string;
  aadObjectId: string;
}

export interface SentActivity {
  method: 'POST' | 'PUT' | 'DELETE';
  conversationId: string;
  activityId?: string;
  activity: Record<string, any>;
}

export class FakeConnector {
  readonly activities: SentActivity[] = [];
  /** Members per conversation id, as Teams answers GET …/pagedmembers. */
  readonly members = new Map<string, TeamsUser[]>();
  /** Updates (PUT) this returns true for are refused with HTTP 400, as Teams refuses a bad update, and not recorded. */
  refuseUpdate?: (conversationId: string, activityId: string) => boolean;
  /** How many updates were refused. */
  refusedUpdates = 0;
  private server?: http.Server;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const membersMatch = /\/v3\/conversations\/([^/]+)\/pagedmembers/.exec(req.url ?? '');
        if (membersMatch && req.method === 'GET') {
          const members = (this.members.get(decodeURIComponent(membersMatch[1])) ?? []).map((m) => ({ id: m.id, name: m.name, aadObjectId: m.aadObjectId }));
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ members }));
          return;
        }
        const match = /\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
        if (!match) {
          res.writeHead(404);
          res.end();
          return;
        }
        const activity = body ? JSON.parse(body) : {};
        const id = req.method === 'PUT' || req.method === 'DELETE' ? decodeURIComponent(match[2] ?? '') : randomUUID();
        if (req.method === 'PUT' && this.refuseUpdate?.(decodeURIComponent(match[1]), id)) {
          this.refusedUpdates++;
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'BadArgument', message: 'refused by the test' } }));
          return;
        }
        this.activities.push({
          method: req.method as SentActivity['method'],
          conversationId: decodeURIComponent(match[1]),
          activityId: id,
          activity: { ...activity, id },
        });
        // restify patches http.ServerResponse in this process: writeHead does not chain.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  clear(): void {
    this.activities.length = 0;
  }

  /** Adaptive cards the bot sent (new messages and updates), in order. */
  cards(): Record<string, any>[] {
    return this.activities.flatMap((a) =>
      (a.activity.attachments ?? [])
        .filter((att: any) => att.contentType === 'application/vnd.microsoft.card.adaptive')
        .map((att: any) => att.content),
    );
  }

  texts(): string[] {
    return this.activities.map((a) => a.activity.text).filter((t): t is string => typeof t === 'string');
  }
}

export interface ConversationOptions {
  /** The bot's URL, read at each request (a restarted bot may listen elsewhere). */
  botUrl: string | (() => string);
  connector: FakeConnector;
  tenantId: string;
  conversationId?: string;
  conversationType?: 'personal' | 'groupChat' | 'channel';
  locale?: string;
}

export class TeamsConversation {
  readonly id: string;
  constructor(private readonly options: ConversationOptions) {
    this.id = options.conversationId ?? `a:${randomUUID()}`;
  }

  private base(user: TeamsUser) {
    return {
      channelId: 'msteams',
      serviceUrl: this.options.connector.url,
      timestamp: new Date().toISOString(),
      locale: this.options.locale ?? 'en-US',
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      recipient: { id: '28:bot', name: 'BC Sales Setup' },
      conversation: {
        id: this.id,
        conversationType: this.options.conversationType ?? 'personal',
        tenantId: this.options.tenantId,
      },
      channelData: { tenant: { id: this.options.tenantId } },
    };
  }

  async post(activity: Record<string, unknown>): Promise<{ status: number; body: any }> {
    const botUrl = typeof this.options.botUrl === 'string' ? this.options.botUrl : this.options.botUrl();
    const response = await fetch(`${botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /** A message from `user`; resolves once the bot has finished the turn. */
  async say(user: TeamsUser, text: string) {
    return this.post({ ...this.base(user), type: 'message', id: randomUUID(), text });
  }

  /** An Action.Execute from a card; resolves with the invoke response (status and body). */
  async execute(user: TeamsUser, verb: string, data: Record<string, unknown> = {}, replyToId?: string) {
    return this.post({
      ...this.base(user),
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: randomUUID(),
      replyToId,
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    });
  }

  async membersAdded(user: TeamsUser) {
    return this.post({
      ...this.base(user),
      type: 'conversationUpdate',
      id: randomUUID(),
      membersAdded: [{ id: '28:bot' }],
    });
  }
}

/** Every string value in a card, for assertions on what a user would read. */
export function cardText(card: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown) => {
    if (typeof node === 'string') parts.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(card);
  return parts.join('\n');
}
