import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths whose values never reach a log line. Anything that can hold a credential, a token or a
 * generated password is listed; `censor` replaces the value, the key stays so the shape is visible.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'passwordProfile',
  '*.passwordProfile',
  '*.*.passwordProfile',
  'clientSecret',
  '*.clientSecret',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'authorization',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'req.headers.authorization',
  'certificate',
  '*.certificate',
  'certificatePassword',
  '*.certificatePassword',
  'botAppPassword',
  '*.botAppPassword',
];

const CENSOR = '[redacted]';

/**
 * Keys whose values are secrets wherever they sit (compared without regard to case). The paths
 * above cover the shapes the product logs; this covers any depth, for what a future log call or
 * a library's object brings along.
 */
const SECRET_KEYS = new Set([
  'password',
  'passwordprofile',
  'clientsecret',
  'secret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'certificate',
  'certificatepassword',
  'privatekey',
  'apppassword',
  'botapppassword',
  'connectionstring',
]);

const isPlainObject = (value: object) => {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/** A copy with every secret-named key's value replaced; errors and class instances are left to the serializers. */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object' || depth > 10 || seen.has(value)) return value;
  if (!Array.isArray(value) && !isPlainObject(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1, seen));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = SECRET_KEYS.has(key.toLowerCase()) ? CENSOR : redactSecrets(item, depth + 1, seen);
  return copy;
}

export interface LogOptions {
  level?: string;
  destination?: DestinationStream;
}

export function createLogger(options: LogOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'bc-sales-setup' },
      redact: { paths: REDACTED_PATHS, censor: CENSOR },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactSecrets(object) as Record<string, unknown>,
      },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination,
  );
}
