// The admin token compare is timing-safe (issue 8/8). Not a timing measurement: we prove the code
// path. crypto.timingSafeEqual is replaced by a recording wrapper (syncBuiltinESMExports makes the
// named ESM import in src/admin/admin-token.ts see it), then BearerCheck judges tokens of every
// length: each call must reach timingSafeEqual exactly once, with two 32-byte digests, so neither
// the comparison nor an early length check can reveal how much of a guess was right.
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import test from 'ava';
import { BearerCheck } from '../../src/admin/admin-token.js';

const original = crypto.timingSafeEqual;
const calls: Array<[number, number]> = [];

test.before(() => {
  crypto.timingSafeEqual = ((a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView): boolean => {
    calls.push([a.byteLength, b.byteLength]);
    return original(a, b);
  }) as typeof crypto.timingSafeEqual;
  syncBuiltinESMExports();
});

test.after.always(() => {
  crypto.timingSafeEqual = original;
  syncBuiltinESMExports();
});

const TOKEN = 'adm-4Qx9v2LmT7pZ0cW8rYb3';

test.serial('every Authorization value is judged by one timingSafeEqual over equal-length digests', (t) => {
  const check = new BearerCheck(TOKEN);
  const cases: Array<[string | undefined, boolean]> = [
    [`Bearer ${TOKEN}`, true],
    [`bearer ${TOKEN}`, true],
    [`Bearer \t${TOKEN} `, true],
    [undefined, false],
    ['', false],
    ['Bearer', false],
    ['Bearer x', false],
    [`Bearer ${TOKEN.slice(0, -1)}`, false], // one shorter
    [`Bearer ${TOKEN}x`, false], // one longer
    [`Bearer ${TOKEN.slice(0, -1)}X`, false], // same length, last character wrong
    [`Bearer X${TOKEN.slice(1)}`, false], // same length, first character wrong
    [`Bearer ${'k'.repeat(100_000)}`, false],
    [`Basic ${TOKEN}`, false], // the right token in the wrong scheme: still compared, still refused
    [TOKEN, false],
  ];
  for (const [authorization, expected] of cases) {
    calls.length = 0;
    t.is(check.matches(authorization), expected, String(authorization).slice(0, 40));
    t.deepEqual(calls, [[32, 32]], `${String(authorization).slice(0, 40)}: one compare of two SHA-256 digests`);
  }
});

test.serial('the wrapper is really in the path (a test that could not fail would prove nothing)', (t) => {
  calls.length = 0;
  new BearerCheck(TOKEN).matches('Bearer nope');
  t.is(calls.length, 1);
});
