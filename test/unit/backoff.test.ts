import test from 'ava';
import { Backoff, DEFAULT_BACKOFF } from '../../src/relay/backoff.js';
import { RetryPlan } from '../../src/relay/retry-plan.js';

test('first retry within 1 s, doubling, capped at 30 s', (t) => {
  const backoff = new Backoff();
  const ceilings = Array.from({ length: 8 }, (_, i) => backoff.nextDelay(i * 1000, 0));
  t.deepEqual(ceilings, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test('jitter draws below the ceiling, never above, never below half', (t) => {
  for (const random of [0, 0.25, 0.5, 0.999, 1]) {
    const delay = new Backoff().nextDelay(0, random);
    t.true(delay <= 1000 && delay >= 1000 * (1 - DEFAULT_BACKOFF.jitter), `random ${random} → ${delay}`);
  }
  const drawn = new Set(Array.from({ length: 50 }, () => new Backoff().nextDelay(0)));
  t.true(drawn.size > 5, 'real randomness spreads the retries');
});

test('resets after 60 s live, not after a shorter live period', (t) => {
  const backoff = new Backoff();
  for (let i = 0; i < 4; i++) backoff.nextDelay(0, 0);
  backoff.live(100_000);
  t.is(backoff.nextDelay(100_000 + 59_999, 0), 16_000, 'live 59.999 s: keeps doubling');
  backoff.live(200_000);
  t.is(backoff.nextDelay(200_000 + 60_000, 0), 1000, 'live 60 s: starts again');
  t.is(backoff.consecutiveFailures, 1);
});

test('failover plan: stays on whichever URL works, returns to the primary only when the secondary fails', (t) => {
  const plan = new RetryPlan(2);
  t.is(plan.current, 0, 'starts on the primary');
  let clock = 0;
  const first = plan.failed((clock += 100), 0);
  t.deepEqual(first, { target: 1, delayMs: 1000 }, 'primary failed to connect: the secondary, within 1 s');
  plan.live((clock += 1000));
  t.is(plan.current, 1, 'live on the secondary: stays there');
  const back = plan.failed((clock += 5000), 0);
  t.deepEqual(back, { target: 0, delayMs: 2000 }, 'the secondary dropped (live < 60 s): back to the primary, backoff doubled');
  const again = plan.failed((clock += 100), 0);
  t.deepEqual(again, { target: 1, delayMs: 4000 });
  plan.live((clock += 4000));
  const afterLongLive = plan.failed((clock += 61_000), 0);
  t.deepEqual(afterLongLive, { target: 0, delayMs: 1000 }, 'a minute live resets the backoff');
});

test('single-URL plan retries the same URL', (t) => {
  const plan = new RetryPlan(1);
  t.deepEqual(plan.failed(0, 0), { target: 0, delayMs: 1000 });
  t.deepEqual(plan.failed(10, 0), { target: 0, delayMs: 2000 });
  t.throws(() => new RetryPlan(0), { instanceOf: RangeError });
});
