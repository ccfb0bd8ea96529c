import { backoffMs, DEFAULT_RETRY, nextDelay, retryAfterMs } from '../../src/provisioning/http/retry';

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name.toLowerCase()] ?? null });
const response = (status: number, values: Record<string, string> = {}) => ({ kind: 'response' as const, status, headers: headers(values) });

describe('retry strategies', () => {
  it('reads Retry-After in seconds, milliseconds and as an HTTP date', () => {
    expect(retryAfterMs(headers({ 'retry-after': '7' }))).toBe(7000);
    expect(retryAfterMs(headers({ 'retry-after-ms': '250' }))).toBe(250);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(headers({}))).toBeUndefined();
  });

  it('waits exactly what the service asked on 429 and 503', () => {
    expect(nextDelay(response(429, { 'retry-after': '3' }), 1, DEFAULT_RETRY)).toBe(3000);
    expect(nextDelay(response(503, { 'retry-after': '1' }), 2, DEFAULT_RETRY)).toBe(1000);
  });

  it('backs off exponentially with jitter when the service gives no wait', () => {
    const low = () => 0;
    const high = () => 0.999999;
    expect(nextDelay(response(429), 1, DEFAULT_RETRY, low)).toBe(DEFAULT_RETRY.baseDelayMs / 2);
    expect(nextDelay(response(502), 3, DEFAULT_RETRY, high)).toBe(DEFAULT_RETRY.baseDelayMs * 4);
    expect(nextDelay({ kind: 'network', timeout: true }, 2, DEFAULT_RETRY, low)).toBe(DEFAULT_RETRY.baseDelayMs);
    expect(backoffMs(30, DEFAULT_RETRY, high)).toBeLessThanOrEqual(DEFAULT_RETRY.maxDelayMs);
  });

  it.each([400, 401, 403, 404, 409, 412, 422])('never retries %i', (status) => {
    expect(nextDelay(response(status, { 'retry-after': '1' }), 1, DEFAULT_RETRY)).toBeUndefined();
  });

  it('stops after the last attempt, and when the asked wait is unreasonably long', () => {
    expect(nextDelay(response(503), DEFAULT_RETRY.maxAttempts, DEFAULT_RETRY)).toBeUndefined();
    expect(nextDelay(response(429, { 'retry-after': '3600' }), 1, DEFAULT_RETRY)).toBeUndefined();
  });
});
