import { Client, ResponseType, type GraphRequest } from '@microsoft/microsoft-graph-client';
import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import type { HttpPolicy } from '../../http/policy';
import { HttpRequest, HttpResponse } from '../../http/types';

/**
 * The Graph SDK builds the requests; our HttpPolicy sends them. The SDK is initialised with one
 * custom middleware and nothing else, so its own retry, redirect and auth handlers never run:
 * throttling, timeouts and concurrency are the policy's alone.
 *
 * Each call carries a `PolicyCall` middleware option (per request, never shared) in which the
 * middleware leaves the policy's HttpResponse or its transport error. Calls ask the SDK for the raw
 * response, so the SDK never turns a status into its own error type; the client maps statuses to
 * coded AppErrors itself.
 */

export class PolicyCall implements MiddlewareOptions {
  response?: HttpResponse;
  failure?: unknown;
}

const NO_BODY_STATUSES = new Set([101, 204, 205, 304]);

export class PolicyMiddleware implements Middleware {
  constructor(private readonly policy: HttpPolicy) {}

  async execute(context: Context): Promise<void> {
    const call = context.middlewareControl?.getMiddlewareOptions(PolicyCall) as PolicyCall | undefined;
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const options = context.options ?? {};
    const method = (options.method ?? 'GET').toUpperCase() as HttpRequest['method'];
    const headers: Record<string, string> = {};
    new Headers(options.headers as HeadersInit | undefined).forEach((value, key) => {
      headers[key] = value;
    });
    const body = typeof options.body === 'string' ? options.body : options.body == null ? undefined : String(options.body);
    try {
      const response = await this.policy.send({ method, url, headers, body, signal: options.signal ?? undefined });
      if (call) call.response = response;
      context.response = new Response(NO_BODY_STATUSES.has(response.status) ? null : response.text, {
        status: response.status,
        headers: response.headers,
      });
    } catch (error) {
      if (call) call.failure = error;
      throw error;
    }
  }
}

/** Splits `https://graph.microsoft.com/v1.0` into the SDK's baseUrl and version. */
export function splitGraphEndpoint(endpoint: string): { baseUrl: string; version: string } {
  const trimmed = endpoint.replace(/\/+$/, '');
  const index = trimmed.lastIndexOf('/');
  const version = trimmed.slice(index + 1);
  if (index < 0 || !/^(v\d+(\.\d+)?|beta)$/.test(version)) {
    throw new Error(`Graph endpoint must end with the API version (…/v1.0): ${endpoint}`);
  }
  return { baseUrl: trimmed.slice(0, index), version };
}

export function createGraphSdkClient(policy: HttpPolicy, endpoint: string): Client {
  const { baseUrl, version } = splitGraphEndpoint(endpoint);
  return Client.initWithMiddleware({ baseUrl, defaultVersion: version, middleware: new PolicyMiddleware(policy) });
}

export type GraphMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * Sends one request built by the SDK and hands back the policy's response, whatever its status.
 * Transport failures (exhausted retries) surface as the policy's AppError.
 */
export async function sendGraph(
  client: Client,
  method: GraphMethod,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpResponse> {
  const call = new PolicyCall();
  const request: GraphRequest = client.api(path).middlewareOptions([call]).responseType(ResponseType.RAW);
  if (options.headers) request.headers(options.headers);
  try {
    switch (method) {
      case 'GET':
        await request.get();
        break;
      case 'POST':
        await request.post(options.body ?? {});
        break;
      case 'PATCH':
        await request.patch(options.body ?? {});
        break;
      case 'DELETE':
        await request.delete();
        break;
    }
  } catch (error) {
    throw call.failure ?? error;
  }
  if (!call.response) throw new Error('Graph request completed without a response');
  return call.response;
}
