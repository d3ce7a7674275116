/** Deliberately broken targets that the harness self-test (harness.test.ts) must catch. */
import { check, type FuzzTarget } from './harness.js';

const leaked: Buffer[] = [];

export const targets: readonly FuzzTarget[] = [
  {
    name: 'self-test-throws',
    description: 'throws a TypeError when the first byte is 0x42 (a crash)',
    maxInputLength: 64,
    run(input) {
      if (input[0] === 0x42) throw new TypeError('planted crash');
      return `${input.length & 3}`;
    },
  },
  {
    name: 'self-test-invariant',
    description: 'breaks an invariant on inputs longer than 40 bytes',
    maxInputLength: 256,
    run(input) {
      check(input.length <= 40, 'input longer than 40 bytes');
    },
  },
  {
    name: 'self-test-allocates',
    description: 'allocates 4 MiB when the first byte is odd (a declared length trusted)',
    maxInputLength: 64,
    run(input) {
      if ((input[0] ?? 0) & 1) Buffer.alloc(4 * 1024 * 1024);
    },
  },
  {
    name: 'self-test-slow',
    description: 'busy-waits 40 ms when the first byte is above 0xF0',
    maxInputLength: 64,
    run(input) {
      if ((input[0] ?? 0) > 0xf0) {
        const until = performance.now() + 40;
        while (performance.now() < until);
      }
    },
  },
  {
    name: 'self-test-leaks',
    description: 'keeps 256 KiB of every input alive',
    maxInputLength: 64,
    run() {
      leaked.push(Buffer.alloc(256 * 1024, 1));
    },
    allocationLimit: () => Infinity,
  },
  {
    name: 'self-test-hangs',
    description: 'never returns when the first byte is 0x80 or more',
    maxInputLength: 64,
    run(input) {
      while ((input[0] ?? 0) >= 0x80) {
        // spins forever: only the worker watchdog can stop this
      }
    },
  },
  {
    name: 'self-test-known',
    description: 'a reported bug on inputs starting with 0x01, listed as known',
    maxInputLength: 64,
    knownIssues: [{ pattern: /known bug/, note: 'planted known bug' }],
    run(input) {
      check(input[0] !== 0x01, 'known bug');
      return String(input[0]);
    },
  },
];

export const selfTestTarget = (name: string): FuzzTarget => targets.find((target) => target.name === name)!;
