import { createLogger } from '../../src/log';

/** Secrets never reach a log line, wherever they sit in what is logged. */

function logged(write: (logger: ReturnType<typeof createLogger>) => void): string {
  const lines: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void lines.push(line) } });
  write(logger);
  return lines.join('');
}

const SECRET = 'S3cr3t-value-4e1f';

describe('log redaction', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['password', { password: SECRET }],
    ['a nested password', { user: { password: SECRET } }],
    ['a password two levels down', { action: { params: { password: SECRET } } }],
    ['passwordProfile', { passwordProfile: { password: SECRET, forceChangePasswordNextSignIn: true } }],
    ['a nested passwordProfile', { body: { passwordProfile: { password: SECRET } } }],
    ['a passwordProfile two levels down', { request: { json: { passwordProfile: { password: SECRET } } } }],
    ['token', { token: SECRET }],
    ['a nested token', { credential: { token: SECRET } }],
    ['accessToken', { accessToken: SECRET }],
    ['a nested accessToken', { result: { accessToken: SECRET } }],
    ['authorization', { authorization: `Bearer ${SECRET}` }],
    ['a nested authorization', { headers: { authorization: `Bearer ${SECRET}` } }],
    ['an Authorization header', { headers: { Authorization: `Bearer ${SECRET}` } }],
    ['request headers', { req: { headers: { authorization: `Bearer ${SECRET}` } } }],
    ['request headers two levels down', { request: { options: { headers: { Authorization: `Bearer ${SECRET}` } } } }],
    ['clientSecret', { clientSecret: SECRET }],
    ['a nested clientSecret', { credential: { clientSecret: SECRET } }],
    ['a clientSecret two levels down', { config: { credential: { clientSecret: SECRET } } }],
    ['secret', { secret: SECRET }],
    ['certificatePassword', { credential: { certificatePassword: SECRET } }],
    ['botAppPassword', { bot: { botAppPassword: SECRET } }],
    ['an appPassword', { bot: { appPassword: SECRET } }],
    ['secrets in an array', { users: [{ passwordProfile: { password: SECRET } }, { password: SECRET }] }],
    ['a storage connection string', { storage: { connectionString: `AccountName=x;AccountKey=${SECRET}` } }],
    ['a key in another case', { Credential: { CLIENTSECRET: SECRET } }],
  ];

  it.each(cases)('hides %s and keeps the key', (_name, fields) => {
    const text = logged((logger) => logger.info(fields, 'something happened'));
    expect(text).toContain('something happened');
    expect(text).not.toContain(SECRET);
    expect(text).toContain('[redacted]');
  });

  it('hides them in a child logger too', () => {
    const text = logged((logger) => logger.child({ credential: { clientSecret: SECRET } }).warn({ headers: { authorization: `Bearer ${SECRET}` } }, 'child'));
    expect(text).not.toContain(SECRET);
  });

  it('still logs errors with their message and stack', () => {
    const line = JSON.parse(logged((logger) => logger.error({ err: new Error('the cause') }, 'failed')));
    expect(line.err.message).toBe('the cause');
    expect(line.err.stack).toContain('redaction.test.ts');
  });

  it('hides them at every level', () => {
    const text = logged((logger) => {
      for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) logger[level]({ password: SECRET, token: SECRET }, level);
    });
    expect(text.split('\n').filter(Boolean)).toHaveLength(6);
    expect(text).not.toContain(SECRET);
  });

  it('leaves ordinary fields alone', () => {
    const text = logged((logger) => logger.info({ planId: 'p-1', user: { userPrincipalName: 'ola@contoso.no' }, passwordLength: 16 }, 'plan'));
    const line = JSON.parse(text);
    expect(line.planId).toBe('p-1');
    expect(line.user.userPrincipalName).toBe('ola@contoso.no');
    expect(line.passwordLength).toBe(16);
  });
});
