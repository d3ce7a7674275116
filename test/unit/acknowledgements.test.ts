import test from 'ava';
import fc from 'fast-check';
import { AcknowledgementTracker } from '../../src/rtmp/chunk/acknowledgements.js';

const TWO_POW_32 = 2 ** 32;

test('inbound: no acknowledgement is due before the peer sets a window', (t) => {
  const acks = new AcknowledgementTracker();
  t.false(acks.received(10_000_000));
  t.is(acks.bytesReceived, 10_000_000);
});

test('inbound: an acknowledgement is due exactly at the window, not one byte before', (t) => {
  const acks = new AcknowledgementTracker();
  acks.setReceiveWindow(100);
  t.false(acks.received(99));
  t.true(acks.received(1)); //   100 bytes: due
  t.is(acks.receivedSequence, 100);
  t.false(acks.received(99)); // 199: 99 since the last acknowledgement
  t.true(acks.received(1)); //   200
  t.is(acks.receivedSequence, 200);
  t.true(acks.received(250)); // more than a window at once: one acknowledgement of the total
  t.is(acks.receivedSequence, 450);
  t.false(acks.received(99));
});

test('inbound: the sequence number wraps at 2^32', (t) => {
  const acks = new AcknowledgementTracker();
  acks.setReceiveWindow(2_500_000);
  t.true(acks.received(TWO_POW_32 - 10));
  t.is(acks.receivedSequence, TWO_POW_32 - 10);
  t.true(acks.received(2_500_015));
  t.is(acks.receivedSequence, 2_500_005); // (2^32 + 2500005) mod 2^32
  t.is(acks.bytesReceived, TWO_POW_32 + 2_500_005);
});

test('outbound: unacknowledged bytes and the time of the last acknowledgement', (t) => {
  const acks = new AcknowledgementTracker();
  t.is(acks.lastAckAt, undefined);
  acks.sent(5000);
  t.is(acks.unacknowledgedBytes, 5000);
  acks.acknowledged(3000, 1_000);
  t.is(acks.unacknowledgedBytes, 2000);
  t.is(acks.acknowledgedBytes, 3000);
  t.is(acks.lastAckAt, 1_000);
  acks.sent(1000);
  acks.acknowledged(6000, 2_000);
  t.is(acks.unacknowledgedBytes, 0);
  t.is(acks.lastAckAt, 2_000);
});

test('outbound: acknowledgements keep counting across the 2^32 wrap', (t) => {
  const acks = new AcknowledgementTracker();
  acks.sent(TWO_POW_32 - 100);
  acks.acknowledged(TWO_POW_32 - 200, 1);
  t.is(acks.unacknowledgedBytes, 100);
  acks.sent(300); // 2^32 + 200 sent in all
  acks.acknowledged(50, 2); // the peer's count wrapped: 2^32 + 50
  t.is(acks.acknowledgedBytes, TWO_POW_32 + 50);
  t.is(acks.unacknowledgedBytes, 150);
});

test('outbound: a stale acknowledgement moves nothing; one beyond what we sent leaves nothing owed', (t) => {
  const acks = new AcknowledgementTracker();
  acks.sent(10_000);
  acks.acknowledged(8000, 1);
  acks.acknowledged(7000, 2); // behind the previous one: stale
  t.is(acks.unacknowledgedBytes, 2000);
  t.is(acks.lastAckAt, 2); // still a sign of life
  acks.acknowledged(13_073, 3); // a peer that counts the 3073 handshake bytes we did not
  t.is(acks.unacknowledgedBytes, 0);
  t.is(acks.acknowledgedBytes, 10_000);
  acks.sent(100);
  t.is(acks.unacknowledgedBytes, 0); // still ahead by 2973
});

test('outbound: a peer acknowledging every window tracks exactly, whatever the wraps', (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 2 ** 29 }), { minLength: 1, maxLength: 40 }), fc.nat(3), (writes, lag) => {
      const acks = new AcknowledgementTracker();
      const history: number[] = [];
      let total = 0;
      for (const n of writes) {
        acks.sent(n);
        total += n;
        history.push(total);
        // The peer lags up to 3 writes (under 2^31 bytes, the range a 32-bit count can tell apart).
        const peerSeen = history[Math.max(0, history.length - 1 - lag)]!;
        acks.acknowledged(peerSeen % TWO_POW_32, history.length);
        if (acks.unacknowledgedBytes !== total - peerSeen) return false;
      }
      return true;
    }),
  );
  t.pass();
});
