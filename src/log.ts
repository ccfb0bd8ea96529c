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

export interface LogOptions {
  level?: string;
  destination?: DestinationStream;
}

export function createLogger(options: LogOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'bc-sales-setup' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination,
  );
}
