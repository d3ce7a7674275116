/**
 * Both handshake machines, fed what the peer sends (C0 C1 C2 to the server, S0 S1 S2 to the client)
 * in pieces. The oracle is the RTMP spec's framing, computed here independently: a version byte
 * other than 3 fails at once; after 1537 bytes the answer goes out (S0+S1+S2 = 3073 bytes, or C2 =
 * 1536 bytes); after 3073 bytes the machine is done and hands back exactly the bytes that followed;
 * a simple-form S2 echoes C1 (and a simple-form C2 echoes S1); anything fed after that fails.
 */
import { ClientHandshake } from '../../../src/rtmp/handshake/client.js';
import { ServerHandshake } from '../../../src/rtmp/handshake/server.js';
import type { HandshakeResult } from '../../../src/rtmp/handshake/types.js';
import { check, type FuzzTarget } from '../harness.js';
import { checkRtmpError, hash32, pieces, tokens } from './common.js';

const PACKET = 1536;
const FIRST = 1 + PACKET;
const WHOLE = 1 + 2 * PACKET;
const fixedRandom = (n: number): Buffer => Buffer.alloc(n, 0x5a);

interface Machine {
  feed(bytes: Buffer): HandshakeResult;
}

/** Feeds the pieces and checks the framing; returns the status reached, for features. */
function drive(machine: Machine, input: Buffer, parts: readonly Buffer[], answerLength: number, where: string): { status: string; sent: Buffer[] } {
  const sent: Buffer[] = [];
  let fed = 0;
  let status = 'in-progress';
  for (const part of parts) {
    const result = machine.feed(part);
    fed += part.length;
    if (status === 'done' || status === 'failed') {
      check(result.status === 'failed', `${where}: bytes after the end gave status ${result.status}`);
      checkRtmpError(result.error, where);
      if (status === 'done') check(result.error.code === 'ERR_RTMP_HANDSHAKE_STATE', `${where}: feed after done gave ${result.error.code}`);
      status = 'failed';
      continue;
    }
    if (input.length > 0 && input[0] !== 3 && fed > 0) {
      check(result.status === 'failed', `${where}: version byte ${input[0]} was not refused`);
      checkRtmpError(result.error, where);
      check(result.error.code === 'ERR_RTMP_HANDSHAKE_VERSION', `${where}: version byte ${input[0]} gave ${result.error.code}`);
      status = 'failed';
      continue;
    }
    check(result.status !== 'failed', `${where}: failed on a well-framed handshake: ${result.status === 'failed' ? result.error.message : ''}`);
    sent.push(...result.send);
    const expectSent = fed >= FIRST ? 1 : 0;
    check(sent.length === expectSent, `${where}: ${sent.length} answers after ${fed} bytes`);
    if (expectSent) check(sent[0]!.length === answerLength, `${where}: answer of ${sent[0]!.length} bytes`);
    if (fed >= WHOLE) {
      check(result.status === 'done', `${where}: not done after ${fed} bytes`);
      if (result.status === 'done') {
        check(result.rest.equals(input.subarray(WHOLE, fed)), `${where}: rest is not the bytes after the handshake`);
      }
      status = 'done';
    } else {
      check(result.status === 'in-progress', `${where}: status ${result.status} after ${fed} bytes`);
    }
  }
  return { status, sent };
}

export const serverHandshakeTarget: FuzzTarget = {
  name: 'handshake-server',
  description: 'ServerHandshake.feed over C0 C1 C2 (and what follows), in pieces',
  maxInputLength: 8192,
  dictionary: tokens([0x03], [0x06], [0x00, 0x00, 0x00, 0x00], [0x09, 0x00, 0x7c, 0x02], [0x80, 0x00, 0x07, 0x02]),
  run(input: Buffer): string {
    const machine = new ServerHandshake({ randomBytes: fixedRandom, now: () => 1234 });
    const parts = pieces(input);
    const { status, sent } = drive(machine, input, parts, WHOLE, 'handshake-server');
    const answer = sent[0];
    if (answer !== undefined) {
      check(answer[0] === 3, 'S0 is not version 3');
      const form = machine.form;
      check(form === 'simple' || form === 'digest', `form ${String(form)} after C1`);
      if (form === 'simple') {
        check(answer.subarray(FIRST).equals(input.subarray(1, FIRST)), 'simple-form S2 does not echo C1');
        check(answer.readUInt32BE(5) === 0, 'simple-form S1 has a nonzero version');
      } else {
        check(input.readUInt32BE(5) !== 0, 'digest form chosen for a C1 with a zero version');
      }
    }
    return `${status}|${machine.form ?? '-'}|${Math.min(parts.length, 3)}`;
  },
};

export const clientHandshakeTarget: FuzzTarget = {
  name: 'handshake-client',
  description: 'ClientHandshake.feed (simple and digest C1) over S0 S1 S2, in pieces',
  maxInputLength: 8192,
  dictionary: tokens([0x03], [0x00, 0x00, 0x00, 0x00], [0x0d, 0x0e, 0x0a, 0x0d], [0x04, 0x05, 0x00, 0x01]),
  run(input: Buffer): string {
    const h = hash32(input);
    const form = (h & 0x100) !== 0 ? 'digest' : 'simple';
    const machine = new ClientHandshake({ form, randomBytes: fixedRandom, now: () => 1234 });
    if ((h & 0xff00) === 0x4200 && input.length > 0) {
      // Now and then: server bytes before start() are refused, and the machine stays failed.
      const early = machine.feed(input);
      check(early.status === 'failed', 'server bytes before start() were accepted');
      checkRtmpError(early.error, 'handshake-client');
      check(machine.feed(input).status === 'failed', 'a failed client handshake came back to life');
      return 'before-start';
    }
    const c0c1 = machine.start();
    check(c0c1.length === FIRST && c0c1[0] === 3, 'C0+C1 is not 1537 bytes starting with version 3');
    check(machine.start() === c0c1, 'start() twice gave different C0+C1');
    const { status, sent } = drive(machine, input, pieces(input, h), PACKET, 'handshake-client');
    const c2 = sent[0];
    if (c2 !== undefined) {
      const serverForm = machine.serverHandshakeForm;
      check(serverForm === 'simple' || serverForm === 'digest', `server form ${String(serverForm)} after S1`);
      if (serverForm === 'simple') check(c2.equals(input.subarray(1, FIRST)), 'simple-form C2 does not echo S1');
      if (form === 'simple') check(serverForm === 'simple', 'a simple-form client judged S1 a digest');
    }
    const matched = machine.serverResponseMatched;
    check(status === 'done' ? typeof matched === 'boolean' : status === 'failed' || matched === null, 'serverResponseMatched out of step');
    return `${status}|${form}|${machine.serverHandshakeForm ?? '-'}|${String(matched)}`;
  },
};
