/**
 * Request recording: when the sandbox is started with `record`, every service request it receives
 * (control routes and /healthz excluded) is appended to a JSON Lines file exactly as it arrived —
 * method, path, query string, the headers that shape the request, and the body. A Graph `$batch`
 * is recorded as its envelope, which carries every item. The conformance suite reads these files
 * and holds each request against the services' published metadata. The Authorization header and
 * cookies are never written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SbRequest } from './http';
import type { Service } from './state';

export interface RecordOptions {
  /** JSON Lines file the requests are appended to (created with its directory). */
  file: string;
  /** Written with each request, e.g. the name of the test that is running. */
  label?: () => string | undefined;
}

export interface RecordedRequest {
  service: Service;
  method: string;
  /** path as received, still percent-encoded (including the service prefix, e.g. /graph/v1.0) */
  path: string;
  /** the raw query string without `?` */
  query: string;
  headers: Record<string, string>;
  body: string;
  /** scheme://host the client addressed, so absolute URLs in bodies can be read against it */
  origin: string;
  label?: string;
}

const KEPT_HEADERS = ['content-type', 'consistencylevel', 'prefer', 'if-match', 'if-none-match', 'odata-version', 'odata-maxversion'];

export class RequestRecorder {
  constructor(private readonly options: RecordOptions) {
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
  }

  record(service: Service, req: SbRequest): void {
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) if (req.headers[name] !== undefined) headers[name] = req.headers[name]!;
    const entry: RecordedRequest = {
      service,
      method: req.method,
      path: req.path,
      query: req.query.toString(),
      headers,
      body: req.body.toString('utf8'),
      origin: req.origin,
      label: this.options.label?.(),
    };
    fs.appendFileSync(this.options.file, `${JSON.stringify(entry)}\n`);
  }
}
