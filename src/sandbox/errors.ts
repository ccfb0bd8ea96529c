/** Each service's own error body, and the throttling / fault replies in those formats. */
import { HttpError, type SbReply, type SbRequest, uuid } from './http';
import type { Service } from './state';
import type { TokenProblem } from './tokens';

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

/**
 * 401 for a missing, malformed, wrongly signed, expired or wrong-audience token, in each service's
 * own format. Graph: `InvalidAuthenticationToken` with the messages Graph gives (GitHub
 * microsoftgraph/microsoft-graph-docs issue 16208 shows "Access token validation failure. Invalid
 * audience."). Dataverse: an empty body and a `WWW-Authenticate: Bearer authorization_uri=…`
 * challenge. BAP: the Azure Resource Manager codes (AuthenticationFailed,
 * InvalidAuthenticationToken, ExpiredAuthenticationToken, InvalidAuthenticationTokenAudience).
 * Business Central: `Authentication_InvalidCredentials`.
 */
export function unauthorizedReply(service: Service, req: SbRequest, problem: TokenProblem, ctx: { tenantId: string; resource: string }): SbReply {
  switch (service) {
    case 'graph': {
      const message =
        problem.kind === 'missing' ? 'Access token is empty.'
        : problem.kind === 'malformed' ? 'IDX14100: JWT is not well formed, there are no dots (.).'
        : problem.kind === 'expired' ? 'Lifetime validation failed, the token is expired.'
        : problem.kind === 'audience' ? 'Access token validation failure. Invalid audience.'
        : 'Access token validation failure.';
      return graphError(req, 401, 'InvalidAuthenticationToken', message, {
        'WWW-Authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
      });
    }
    case 'dataverse':
      return {
        status: 401,
        headers: {
          'WWW-Authenticate': `Bearer authorization_uri=https://login.microsoftonline.com/${ctx.tenantId}/oauth2/authorize, resource_id=${ctx.resource}/`,
        },
      };
    case 'bap': {
      const [code, message] =
        problem.kind === 'missing' ? ['AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing."]
        : problem.kind === 'expired' ? ['ExpiredAuthenticationToken', `The access token expiry UTC time '${new Date(problem.exp * 1000).toUTCString()}' is earlier than current UTC time '${new Date().toUTCString()}'.`]
        : problem.kind === 'audience' ? ['InvalidAuthenticationTokenAudience', `The access token has been obtained for wrong audience or resource '${problem.aud}'. It should exactly match with one of the allowed audiences '${ctx.resource}'.`]
        : ['InvalidAuthenticationToken', 'The access token is invalid.'];
      return bapError(401, code, message, { 'WWW-Authenticate': 'Bearer authorization_uri="https://login.windows.net/", error="invalid_token"' });
    }
    case 'bc':
      return bcError(401, 'Authentication_InvalidCredentials', 'The server has rejected the client credentials.', {
        'WWW-Authenticate': `Bearer authorization_uri="https://login.microsoftonline.com/${ctx.tenantId}/oauth2/authorize"`,
      });
  }
}

/** Graph's answer when the token lacks every permission the endpoint accepts. */
export function graphForbidden(req: SbRequest): SbReply {
  return graphError(req, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
}

/**
 * Dataverse, when the app is not an application user of the environment (HTTP 403 with
 * 0x80072560; PowerPlatform-DataverseServiceClient issue 5 says the API answers 403 for an identity
 * it does not know).
 */
export function dataverseNotMember(): SbReply {
  return dataverseError(403, '0x80072560', 'The user is not a member of the organization.');
}

/** Dataverse, when the application user lacks the privilege (no System Administrator role here). */
export function dataverseMissingPrivilege(userId: string, roleCount: number, method: string, entity: string): SbReply {
  const privilege = `prv${method === 'GET' ? 'Read' : method === 'DELETE' ? 'Delete' : method === 'POST' ? 'Create' : 'Write'}${entity}`;
  return dataverseError(
    403,
    '0x80040220',
    `Principal user (Id=${userId}, type=8, roleCount=${roleCount}, privilegeCount=0, accessMode=4), is missing ${privilege} privilege on OTC=8 for entity '${entity.toLowerCase()}'. context.Caller=${userId}`,
  );
}

/**
 * The Power Platform admin API, when the service principal is not a registered management app
 * (MicrosoftDocs/power-platform issue 1260; terraform-provider-power-platform internal/api/client.go
 * matches "does not have permission to access the path").
 */
export function bapNotManagementApp(req: SbRequest, claims: { oid?: string; appid?: string; tid: string }): SbReply {
  const query = req.query.toString();
  return bapError(
    403,
    'Forbidden',
    `The service principal with id '${claims.oid ?? ''}' for application ${claims.appid ?? ''} does not have permission to access the path '${req.origin}${req.path}${query ? `?${query}` : ''}' in tenant ${claims.tid}.`,
  );
}

export function tooLargeError(service: Service): HttpError {
  return new HttpError(413, service === 'dataverse' ? '0x80040216' : 'RequestEntityTooLarge', 'The request body is too large.');
}
