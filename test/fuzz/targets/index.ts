/** Every fuzz target, in the order runs list them. */
import type { FuzzTarget } from '../harness.js';
import { amf0Target, amf3Target } from './amf.js';
import { apiBodiesTarget } from './api-bodies.js';
import { chunkDecoderTarget } from './chunk-decoder.js';
import { codecConfigTarget, flvAudioTarget, flvFileTarget, flvVideoTarget } from './flv.js';
import { clientHandshakeTarget, serverHandshakeTarget } from './handshake.js';
import { commandTarget, controlTarget, dataTarget } from './messages.js';
import { clientSessionTarget, serverSessionTarget } from './session.js';
import { urlTarget } from './url.js';

export const TARGETS: readonly FuzzTarget[] = [
  serverHandshakeTarget,
  clientHandshakeTarget,
  chunkDecoderTarget,
  amf0Target,
  amf3Target,
  commandTarget,
  dataTarget,
  controlTarget,
  flvVideoTarget,
  flvAudioTarget,
  codecConfigTarget,
  flvFileTarget,
  serverSessionTarget,
  clientSessionTarget,
  urlTarget,
  apiBodiesTarget,
];

export function findTarget(name: string): FuzzTarget | undefined {
  return TARGETS.find((target) => target.name === name);
}
