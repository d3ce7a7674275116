import test from 'ava';
import { Backoff, DEFAULT_BACKOFF } from '../../src/relay/backoff.js';

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
