
import { graphReadUnits, graphWriteUnits } from '../../src/provisioning/clients';
import { HttpPolicy } from '../../src/provisioning/http/policy';
import { RateWindow } from '../../src/provisioning/http/rateWindow';

/** Client-side pacing against a sliding window, on a clock the test owns. */
function clock() {
  let now = 0;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

it('lets units through until the window is full, then waits until the oldest leave it', async () => {
  const c = clock();
  const window = new RateWindow({ requests: 10, windowMs: 1000 }, c.sleep, c.now);
  await window.take(6);
  await window.take(4);
  expect(c.slept).toEqual([]);
  await window.take(3);
  // The first 6 units leave the window at 1000 ms plus the margin (100 ms for a 1 s window).
  expect(c.slept).toEqual([1100]);
  expect(c.now()).toBe(1100);
});

it('serves takers in order: a large request is not overtaken by small ones', async () => {
  const c = clock();
  const window = new RateWindow({ requests: 10, windowMs: 1000 }, c.sleep, c.now);
  await window.take(10);
  const order: string[] = [];
  await Promise.all([window.take(8).then(() => order.push('big')), window.take(1).then(() => order.push('small'))]);
  expect(order).toEqual(['big', 'small']);
});

it('counts a Graph $batch as its items: reads against the resource-unit quota, writes against the write quota', () => {
  const reads = JSON.stringify({ requests: Array.from({ length: 17 }, (_, i) => ({ id: String(i), method: 'GET', url: '/users' })) });
  expect(graphReadUnits({ method: 'POST', url: 'https://graph.microsoft.com/v1.0/$batch', body: reads })).toBe(17);
  expect(graphWriteUnits({ method: 'POST', url: 'https://graph.microsoft.com/v1.0/$batch', body: reads })).toBe(0);
  const mixed = JSON.stringify({
    requests: [
      { id: '1', method: 'POST', url: '/users' },
      { id: '2', method: 'PATCH', url: '/users/x' },
      { id: '3', method: 'GET', url: '/users/x' },
    ],
  });
  expect(graphWriteUnits({ method: 'POST', url: 'https://graph.microsoft.com/v1.0/$batch', body: mixed })).toBe(2);
  expect(graphReadUnits({ method: 'POST', url: 'https://graph.microsoft.com/v1.0/$batch', body: mixed })).toBe(1);
  // The directory client sends its envelopes as JSON: counted the same.
  expect(graphWriteUnits({ method: 'POST', url: 'https://graph.microsoft.com/v1.0/$batch', json: JSON.parse(mixed) })).toBe(2);
  expect(graphReadUnits({ method: 'POST', url: 'https://graph.microsoft.com/v1.0/$batch', json: JSON.parse(reads) })).toBe(17);
  expect(graphWriteUnits({ method: 'POST', url: 'https://graph.microsoft.com/v1.0/users', body: '{}' })).toBe(1);
  expect(graphReadUnits({ method: 'POST', url: 'https://graph.microsoft.com/v1.0/users', body: '{}' })).toBe(0);
  expect(graphReadUnits({ method: 'GET', url: 'https://graph.microsoft.com/v1.0/users' })).toBe(1);
  expect(graphWriteUnits({ method: 'GET', url: 'https://graph.microsoft.com/v1.0/users' })).toBe(0);
});

it('paces Graph reads and writes to their own quotas: a spent write quota does not hold back a read', async () => {
  const sent: string[] = [];
  const policy = new HttpPolicy({
    service: 'graph',
    tokens: { getToken: async () => 'token' },
    scope: 'https://graph.microsoft.com/.default',
    rates: [
      { limit: { requests: 1, windowMs: 2_000 }, unitsOf: graphWriteUnits },
      { limit: { requests: 100, windowMs: 10_000 }, unitsOf: graphReadUnits },
    ],
    fetch: async (input, init) => {
      sent.push(`${init?.method ?? 'GET'} ${String(input)}`);
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    },
  });
  await policy.send({ method: 'POST', url: 'https://graph.microsoft.com/v1.0/users', json: {} });
  const secondWrite = policy.send({ method: 'POST', url: 'https://graph.microsoft.com/v1.0/users', json: {} });
  await policy.send({ method: 'GET', url: 'https://graph.microsoft.com/v1.0/organization' });
  expect(sent).toEqual(['POST https://graph.microsoft.com/v1.0/users', 'GET https://graph.microsoft.com/v1.0/organization']);
  // The second write waits for the write window (2 s): it has not been sent yet; then it is.
  await new Promise((resolve) => setImmediate(resolve));
  expect(sent).toHaveLength(2);
  await secondWrite;
  expect(sent).toHaveLength(3);
});
