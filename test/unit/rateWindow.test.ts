
import { graphUnits } from '../../src/provisioning/clients';
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

it('counts a Graph $batch as its items', () => {
  const body = JSON.stringify({ requests: Array.from({ length: 17 }, (_, i) => ({ id: String(i), method: 'GET', url: '/users' })) });
  expect(graphUnits({ method: 'POST', url: 'https://graph.microsoft.com/v1.0/$batch', body })).toBe(17);
  expect(graphUnits({ method: 'POST', url: 'https://graph.microsoft.com/v1.0/users', body: '{}' })).toBe(1);
  expect(graphUnits({ method: 'GET', url: 'https://graph.microsoft.com/v1.0/users' })).toBe(1);
});
