import type { Service } from '../../permissions';

/** A request as the tenant clients hand it to the HTTP policy, and the response they get back. */

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Absolute URL. */
  url: string;
  headers?: Record<string, string>;
  /** JSON-serialisable body (sent as application/json) or a prepared string body. */
  json?: unknown;
  body?: string;
  signal?: AbortSignal;
  /** What the request counts as against the service's rate window (a Graph $batch: its items). Default 1. */
  units?: number;
}

export interface HttpResponse {
  service: Service;
  status: number;
  headers: Headers;
  text: string;
  /** Number of attempts this response took (1 = no retry). */
  attempts: number;
  /** The request this answers (for a Graph `$batch` item: the item). */
  request?: { method: string; url: string };
  json<T = unknown>(): T;
}
