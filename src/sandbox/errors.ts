/** Each service's own error body, and the throttling / fault replies in those formats. */
import { HttpError, type SbReply, type SbRequest, uuid } from './http';
import type { Service } from './state';

const JSON_CT = 'application/json; charset=utf-8';

export function graphError(req: SbRequest | null, status: number, code: string, message: string, headers: Record<string, string> = {}): SbReply {
  const requestId = uuid();
  const clientRequestId = req?.headers['client-request-id'] ?? uuid();
  return {
    status,
    headers: {
      'Content-Type': JSON_CT,
      'request-id': requestId,
      'client-request-id': clientRequestId,
      ...headers,
    },
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
          'request-id': requestId,
          'client-request-id': clientRequestId,
        },
      },
    },
  };
}

export function dataverseError(status: number, code: string, message: string, headers: Record<string, string> = {}): SbReply {
  return {
    status,
    headers: { 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0', ...headers },
    body: { error: { code, message } },
  };
}

export function bapError(status: number, code: string, message: string, headers: Record<string, string> = {}): SbReply {
  return { status, headers: { 'Content-Type': JSON_CT, ...headers }, body: { error: { code, message } } };
}

export function bcError(status: number, code: string, message: string, headers: Record<string, string> = {}): SbReply {
  return {
    status,
    headers: { 'Content-Type': 'application/json; odata.metadata=minimal; charset=utf-8', ...headers },
    body: { error: { code, message: `${message}  CorrelationId:  ${uuid()}.` } },
  };
}

/** An HttpError in the given service's format. */
export function errorReply(service: Service, req: SbRequest | null, err: HttpError): SbReply {
  switch (service) {
    case 'graph':
      return graphError(req, err.status, err.code, err.message, err.headers);
    case 'dataverse':
      return dataverseError(err.status, err.code, err.message, err.headers);
    case 'bap':
      return bapError(err.status, err.code, err.message, err.headers);
    case 'bc':
      return bcError(err.status, err.code, err.message, err.headers);
  }
}

export function throttledError(service: Service, retryAfterSeconds: number, limit?: { requests: number; windowMs: number }): HttpError {
  const headers = { 'Retry-After': String(retryAfterSeconds) };
  switch (service) {
    case 'graph':
      return new HttpError(429, 'TooManyRequests', 'Too many requests', headers);
    case 'dataverse': {
      const detail = limit
        ? `Number of requests exceeded the limit of ${limit.requests} over time window of ${Math.round(limit.windowMs / 1000)} seconds.`
        : 'Number of requests exceeded the service protection limits.';
      return new HttpError(429, '0x80072322', detail, headers);
    }
    case 'bap':
      return new HttpError(429, 'TooManyRequests', 'Rate limit is exceeded. Try again later.', headers);
    case 'bc':
      return new HttpError(429, 'TooManyRequests', 'The request was throttled. Try again later.', headers);
  }
}

export function concurrencyError(service: Service, concurrent: number): HttpError {
  const headers = { 'Retry-After': '1' };
  if (service === 'dataverse') {
    return new HttpError(429, '0x80072326', `Number of concurrent requests exceeded the limit of ${concurrent}.`, headers);
  }
  return new HttpError(429, 'TooManyRequests', `Too many concurrent requests (limit ${concurrent}).`, headers);
}

export function unavailableError(service: Service, retryAfterSeconds: number): HttpError {
  const headers = { 'Retry-After': String(retryAfterSeconds) };
  switch (service) {
    case 'graph':
      return new HttpError(503, 'ServiceUnavailable', 'Service unavailable', headers);
    case 'dataverse':
      return new HttpError(503, '0x80040216', 'The service is temporarily unavailable. Try again later.', headers);
    case 'bap':
    case 'bc':
      return new HttpError(503, 'ServiceUnavailable', 'The service is temporarily unavailable.', headers);
  }
}

export function unauthorizedError(service: Service): HttpError {
  switch (service) {
    case 'graph':
      return new HttpError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    case 'dataverse':
      return new HttpError(401, '0x80072560', 'The request does not carry a bearer token.', {
        'WWW-Authenticate': 'Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize',
      });
    case 'bap':
      return new HttpError(401, 'AuthenticationFailed', 'Authentication failed. The Authorization header is missing.');
    case 'bc':
      return new HttpError(401, 'Authentication_InvalidCredentials', 'The server has rejected the client credentials.');
  }
}

export function tooLargeError(service: Service): HttpError {
  return new HttpError(413, service === 'dataverse' ? '0x80040216' : 'RequestEntityTooLarge', 'The request body is too large.');
}
