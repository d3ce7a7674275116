import test from 'ava';
import { destinationAckWindow } from '../../src/relay/push-connection.js';

test('the acknowledgement window is an eighth of the queue byte bound, within 256 KiB .. 2.5 MB', (t) => {
  t.is(destinationAckWindow(8 * 1024 * 1024), 1_048_576, 'the default 8 MiB bound');
  t.is(destinationAckWindow(2 * 1024 * 1024), 262_144, 'exactly the minimum');
  t.is(destinationAckWindow(2 * 1024 * 1024 - 8), 262_144, 'below it: the minimum');
  t.is(destinationAckWindow(512 * 1024), 262_144, 'the smallest bounds: the minimum');
  t.is(destinationAckWindow(20_000_000), 2_500_000, 'exactly the maximum');
  t.is(destinationAckWindow(20_000_008), 2_500_000, 'above it: the maximum');
  t.is(destinationAckWindow(80 * 1024 * 1024), 2_500_000, 'the benchmark bound at 10x');
  t.is(destinationAckWindow(3_000_001), 375_000, 'rounded down');
});
