import test from 'ava';
import { AmfEcmaArray, createAmfObject } from '../../src/rtmp/amf/types.js';
import { RtmpError } from '../../src/rtmp/errors.js';
import {
  type Command,
  buildConnect,
  buildConnectResult,
  buildCreateStream,
  buildCreateStreamResult,
  buildDeleteStream,
  buildError,
  buildFCPublish,
  buildFCUnpublish,
  buildOnBWDone,
  buildOnStatus,
  buildPlay,
  buildPublish,
  buildReleaseStream,
  decodeCommand,
  encodeCommand,
} from '../../src/rtmp/message/commands.js';
import { MessageType } from '../../src/rtmp/message/types.js';

// Byte tables written by hand from the AMF0 specification, in the shape each client sends.
const ascii = (text: string): number[] => [...Buffer.from(text, 'latin1')];
const F64_0 = [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]; // 0
const F64_1 = [0x3f, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]; // 1
const F64_4 = [0x40, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]; // 4
const F64_5 = [0x40, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]; // 5
const F64_31 = [0x40, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]; // 31
const F64_MINUS_2000 = [0xc0, 0x9f, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00]; // -2000

/** ffmpeg (libavformat rtmpproto gen_connect) publishing to rtmp://127.0.0.1:1935/live. */
const FFMPEG_CONNECT = [
  0x02, 0x00, 0x07, ...ascii('connect'), //                        string "connect"
  0x00, ...F64_1, //                                               transaction id 1
  0x03, //                                                         command object
  0x00, 0x03, ...ascii('app'), 0x02, 0x00, 0x04, ...ascii('live'), // app: "live"
  0x00, 0x04, ...ascii('type'), 0x02, 0x00, 0x0a, ...ascii('nonprivate'), // type: "nonprivate"
  0x00, 0x08, ...ascii('flashVer'), //                             key flashVer
  0x02, 0x00, 0x23, ...ascii('FMLE/3.0 (compatible; Lavf61.7.100)'), // 35-byte string
  0x00, 0x05, ...ascii('tcUrl'), //                                key tcUrl
  0x02, 0x00, 0x1a, ...ascii('rtmp://127.0.0.1:1935/live'), //     26-byte string
  0x00, 0x00, 0x09, //                                             object end
];

/** OBS (librtmp SendConnectPacket) with Enhanced RTMP codecs, to YouTube. */
const OBS_CONNECT = [
  0x02, 0x00, 0x07, ...ascii('connect'), //                        string "connect"
  0x00, ...F64_1, //                                               transaction id 1
  0x03, //                                                         command object
  0x00, 0x03, ...ascii('app'), 0x02, 0x00, 0x05, ...ascii('live2'), // app: "live2"
  0x00, 0x04, ...ascii('type'), 0x02, 0x00, 0x0a, ...ascii('nonprivate'), // type: "nonprivate"
  0x00, 0x08, ...ascii('flashVer'), //                             key flashVer
  0x02, 0x00, 0x1f, ...ascii('FMLE/3.0 (compatible; FMSc/1.0)'), // 31-byte string
  0x00, 0x06, ...ascii('swfUrl'), //                               key swfUrl (= tcUrl)
  0x02, 0x00, 0x1f, ...ascii('rtmp://a.rtmp.youtube.com/live2'), // 31-byte string
  0x00, 0x05, ...ascii('tcUrl'), //                                key tcUrl
  0x02, 0x00, 0x1f, ...ascii('rtmp://a.rtmp.youtube.com/live2'), // 31-byte string
  0x00, 0x0a, ...ascii('fourCcList'), //                           key fourCcList
  0x0a, 0x00, 0x00, 0x00, 0x03, //                                 strict array of 3
  0x02, 0x00, 0x04, ...ascii('av01'), //                           "av01"
  0x02, 0x00, 0x04, ...ascii('vp09'), //                           "vp09"
  0x02, 0x00, 0x04, ...ascii('hvc1'), //                           "hvc1"
  0x00, 0x00, 0x09, //                                             object end
];

/** A Flash-style type 17 connect: format byte, AMF0 name and id, then an AMF3 object. */
const FLEX_CONNECT = [
  0x00, //                                 type 17 format byte
  0x02, 0x00, 0x07, ...ascii('connect'), // AMF0 string "connect"
  0x00, ...F64_1, //                       AMF0 number 1
  0x11, //                                 AMF0 switch to AMF3
  0x0a, 0x0b, 0x01, //                     AMF3 object, inline dynamic traits, anonymous
  0x07, ...ascii('app'), //                key "app" (U29 (3 << 1) | 1)
  0x06, 0x09, ...ascii('live'), //         string "live"
  0x1d, ...ascii('objectEncoding'), //     key "objectEncoding" (U29 (14 << 1) | 1)
  0x04, 0x03, //                           integer 3
  0x01, //                                 end of the dynamic members
];

/** ffmpeg's publish on stream 1, with a Facebook-style key. */
const PUBLISH = [
  0x02, 0x00, 0x07, ...ascii('publish'), //     string "publish"
  0x00, ...F64_5, //                            transaction id 5
  0x05, //                                      null command object
  0x02, 0x00, 0x0b, ...ascii('abc?x=1&y=2'), // stream name, byte for byte
  0x02, 0x00, 0x04, ...ascii('live'), //        publish type "live"
];

const message = (bytes: number[], streamId = 0, typeId: number = MessageType.CommandAmf0) => ({
  typeId,
  timestamp: 0,
  streamId,
  payload: Buffer.from(bytes),
});

function decodeOk(bytes: number[], streamId = 0, typeId?: number): Command {
  const command = decodeCommand(message(bytes, streamId, typeId));
  if (command instanceof RtmpError) throw new Error(`unexpected ${command.code}: ${command.message}`);
  return command;
}

test('decodes ffmpeg\'s connect', (t) => {
  const command = decodeOk(FFMPEG_CONNECT);
  if (command.name !== 'connect') return t.fail(command.name);
  t.is(command.transactionId, 1);
  t.is(command.streamId, 0);
  t.is(command.app, 'live');
  t.is(command.tcUrl, 'rtmp://127.0.0.1:1935/live');
  t.is(command.flashVer, 'FMLE/3.0 (compatible; Lavf61.7.100)');
  t.is(command.swfUrl, null);
  t.is(command.pageUrl, null);
  t.is(command.objectEncoding, 0);
  t.is(command.fourCcList, null);
  t.is(command.commandObject['type'], 'nonprivate');
  t.deepEqual(command.extraArgs, []);
});

test('decodes OBS\'s connect with its fourCcList, and buildConnect writes the same bytes', (t) => {
  const command = decodeOk(OBS_CONNECT);
  if (command.name !== 'connect') return t.fail(command.name);
  t.is(command.app, 'live2');
  t.is(command.swfUrl, 'rtmp://a.rtmp.youtube.com/live2');
  t.deepEqual(command.fourCcList, ['av01', 'vp09', 'hvc1']);
  const built = buildConnect({
    app: 'live2',
    tcUrl: 'rtmp://a.rtmp.youtube.com/live2',
    fourCcList: ['av01', 'vp09', 'hvc1'],
  });
  t.deepEqual([...built], OBS_CONNECT);
});

test('decodes a type 17 connect whose command object is AMF3', (t) => {
  const command = decodeOk(FLEX_CONNECT, 0, MessageType.CommandAmf3);
  if (command.name !== 'connect') return t.fail(command.name);
  t.is(command.app, 'live');
  t.is(command.objectEncoding, 3);
  t.is(command.tcUrl, null);
});

const truncationCases: Array<[string, number[], number, number | null]> = [
  ['ffmpeg connect', FFMPEG_CONNECT, MessageType.CommandAmf0, null],
  ['OBS connect', OBS_CONNECT, MessageType.CommandAmf0, null],
  ['type 17 connect', FLEX_CONNECT, MessageType.CommandAmf3, null],
  // The one prefix of publish that decodes is the command without its optional type.
  ['publish', PUBLISH, MessageType.CommandAmf0, PUBLISH.length - 7],
];

for (const [title, bytes, typeId, validPrefix] of truncationCases) {
  test(`${title} truncated at every offset is a coded error, never a throw`, (t) => {
    for (let end = 0; end < bytes.length; end++) {
      const result = decodeCommand(message(bytes.slice(0, end), 1, typeId));
      t.is(result instanceof RtmpError, end !== validPrefix, `prefix of ${end} bytes`);
    }
  });
}

test('decodes publish with the key byte for byte and the stream id it arrived on', (t) => {
  const command = decodeOk(PUBLISH, 1);
  t.like(command, { name: 'publish', transactionId: 5, streamId: 1, streamName: 'abc?x=1&y=2', publishType: 'live' });
  t.deepEqual([...buildPublish(5, 'abc?x=1&y=2')], PUBLISH);
});

test('publish without a type defaults to live; without a name is ERR_RTMP_COMMAND', (t) => {
  const head = [0x02, 0x00, 0x07, ...ascii('publish'), 0x00, ...F64_5, 0x05]; // "publish", 5, null
  t.like(decodeOk([...head, 0x02, 0x00, 0x01, ...ascii('k')], 1), { name: 'publish', publishType: 'live' });
  const error = decodeCommand(message(head, 1));
  t.is((error as RtmpError).code, 'ERR_RTMP_COMMAND');
});

test('decodes ffmpeg\'s play on stream 1', (t) => {
  const bytes = [
    0x02, 0x00, 0x04, ...ascii('play'), //  string "play"
    0x00, ...F64_4, //                      transaction id 4
    0x05, //                                null
    0x02, 0x00, 0x04, ...ascii('live'), //  stream name "live"
    0x00, ...F64_MINUS_2000, //             start -2000
  ];
  const command = decodeOk(bytes, 1);
  t.like(command, { name: 'play', streamId: 1, streamName: 'live', start: -2000, duration: -1, reset: null });
  t.deepEqual([...buildPlay(4, 'live')], bytes);
});

test('decodes releaseStream, FCPublish, FCUnpublish, createStream, deleteStream, closeStream', (t) => {
  const named = (name: string) => decodeOk([...buildStreamCommandBytes(name), 0x02, 0x00, 0x01, ...ascii('k')]);
  t.like(named('releaseStream'), { name: 'releaseStream', transactionId: 2, streamName: 'k' });
  t.like(named('FCPublish'), { name: 'FCPublish', streamName: 'k' });
  t.like(named('FCUnpublish'), { name: 'FCUnpublish', streamName: 'k' });
  t.like(named('getStreamLength'), { name: 'getStreamLength', streamName: 'k' });
  t.like(decodeOk(buildStreamCommandBytes('createStream')), { name: 'createStream', transactionId: 2 });
  t.like(decodeOk(buildStreamCommandBytes('closeStream'), 1), { name: 'closeStream', streamId: 1 });
  t.like(decodeOk(buildStreamCommandBytes('_checkbw')), { name: '_checkbw' });
  const deleteStream = decodeOk([...buildStreamCommandBytes('deleteStream'), 0x00, ...F64_1]);
  t.like(deleteStream, { name: 'deleteStream', deletedStreamId: 1 });
  // GStreamer's rtmp2sink sends deleteStream with no id on the stream it deletes: that stream is meant.
  t.like(decodeOk(buildStreamCommandBytes('deleteStream'), 1), { name: 'deleteStream', deletedStreamId: 1 });
  t.like(decodeOk([...buildStreamCommandBytes('deleteStream'), 0x05], 3), { name: 'deleteStream', deletedStreamId: 3 });
});

/** name (string), transaction id 2 (number), null: the head every stream command shares. */
function buildStreamCommandBytes(name: string): number[] {
  return [0x02, 0x00, name.length, ...ascii(name), 0x00, 0x40, 0x00, 0, 0, 0, 0, 0, 0, 0x05];
}

test('builders write the exact bytes of the simple requests', (t) => {
  const withName = (name: string) => [...buildStreamCommandBytes(name), 0x02, 0x00, 0x01, ...ascii('k')];
  t.deepEqual([...buildReleaseStream(2, 'k')], withName('releaseStream'));
  t.deepEqual([...buildFCPublish(2, 'k')], withName('FCPublish'));
  t.deepEqual([...buildFCUnpublish(2, 'k')], withName('FCUnpublish'));
  t.deepEqual([...buildCreateStream(2)], buildStreamCommandBytes('createStream'));
  t.deepEqual([...buildDeleteStream(2, 1)], [...buildStreamCommandBytes('deleteStream'), 0x00, ...F64_1]);
  t.deepEqual(
    [...buildOnBWDone()],
    [0x02, 0x00, 0x08, ...ascii('onBWDone'), 0x00, ...F64_0, 0x05], // "onBWDone", 0, null
  );
});

/** The connect _result nginx-rtmp and SRS send (and ours, with objectEncoding 0). */
const CONNECT_RESULT = [
  0x02, 0x00, 0x07, ...ascii('_result'), //                                 string "_result"
  0x00, ...F64_1, //                                                        transaction id 1
  0x03, //                                                                  properties object
  0x00, 0x06, ...ascii('fmsVer'), 0x02, 0x00, 0x0d, ...ascii('FMS/3,0,1,123'), // fmsVer
  0x00, 0x0c, ...ascii('capabilities'), 0x00, ...F64_31, //                capabilities: 31
  0x00, 0x00, 0x09, //                                                      object end
  0x03, //                                                                  information object
  0x00, 0x05, ...ascii('level'), 0x02, 0x00, 0x06, ...ascii('status'), //  level: "status"
  0x00, 0x04, ...ascii('code'), //                                          key code
  0x02, 0x00, 0x1d, ...ascii('NetConnection.Connect.Success'), //          29-byte string
  0x00, 0x0b, ...ascii('description'), //                                   key description
  0x02, 0x00, 0x15, ...ascii('Connection succeeded.'), //                  21-byte string
  0x00, 0x0e, ...ascii('objectEncoding'), 0x00, ...F64_0, //               objectEncoding: 0
  0x00, 0x00, 0x09, //                                                      object end
];

test('buildConnectResult writes the connect _result byte for byte, and it decodes', (t) => {
  t.deepEqual([...buildConnectResult(1, 0)], CONNECT_RESULT);
  const command = decodeOk(CONNECT_RESULT);
  if (command.name !== '_result') return t.fail(command.name);
  t.is(command.transactionId, 1);
  t.deepEqual(command.commandObject, createAmfObject({ fmsVer: 'FMS/3,0,1,123', capabilities: 31 }));
  t.like(command.status, { level: 'status', code: 'NetConnection.Connect.Success', description: 'Connection succeeded.' });
});

test('createStream _result carries the stream id as its info', (t) => {
  const bytes = [
    0x02, 0x00, 0x07, ...ascii('_result'), // string "_result"
    0x00, ...F64_4, //                       transaction id 4
    0x05, //                                 null
    0x00, ...F64_1, //                       stream id 1
  ];
  t.deepEqual([...buildCreateStreamResult(4, 1)], bytes);
  t.like(decodeOk(bytes), { name: '_result', transactionId: 4, commandObject: null, info: 1, status: null });
});

const ON_STATUS = [
  0x02, 0x00, 0x08, ...ascii('onStatus'), //                       string "onStatus"
  0x00, ...F64_0, //                                               transaction id 0
  0x05, //                                                         null
  0x03, //                                                         info object
  0x00, 0x05, ...ascii('level'), 0x02, 0x00, 0x06, ...ascii('status'), // level: "status"
  0x00, 0x04, ...ascii('code'), //                                 key code
  0x02, 0x00, 0x17, ...ascii('NetStream.Publish.Start'), //       23-byte string
  0x00, 0x0b, ...ascii('description'), //                          key description
  0x02, 0x00, 0x10, ...ascii('Start publishing'), //              16-byte string
  0x00, 0x00, 0x09, //                                             object end
];

test('onStatus decodes to its status and buildOnStatus writes the same bytes', (t) => {
  const command = decodeOk(ON_STATUS, 1);
  if (command.name !== 'onStatus') return t.fail(command.name);
  t.is(command.streamId, 1);
  t.like(command.status, { level: 'status', code: 'NetStream.Publish.Start', description: 'Start publishing' });
  t.deepEqual([...buildOnStatus('status', 'NetStream.Publish.Start', 'Start publishing')], ON_STATUS);
  const extra = decodeOk([...buildOnStatus('status', 'NetStream.Play.Start', 'x', { details: 'k' })]);
  t.like(extra, { name: 'onStatus', status: { code: 'NetStream.Play.Start', raw: { details: 'k' } } });
});

test('_error carries the status of the refusal', (t) => {
  const bytes = [
    0x02, 0x00, 0x06, ...ascii('_error'), //  string "_error"
    0x00, ...F64_1, //                        transaction id 1
    0x05, //                                  null
    0x03, //                                  info object
    0x00, 0x05, ...ascii('level'), 0x02, 0x00, 0x05, ...ascii('error'), // level: "error"
    0x00, 0x04, ...ascii('code'), 0x02, 0x00, 0x1e, ...ascii('NetConnection.Connect.Rejected'),
    0x00, 0x0b, ...ascii('description'), 0x02, 0x00, 0x01, ...ascii('x'), // description: "x"
    0x00, 0x00, 0x09, //                      object end
  ];
  t.deepEqual([...buildError(1, 'NetConnection.Connect.Rejected', 'x')], bytes);
  t.like(decodeOk(bytes), { name: '_error', status: { level: 'error', code: 'NetConnection.Connect.Rejected' } });
});

test('onFCPublish, onBWDone and unknown commands', (t) => {
  const onFc = decodeOk([...encodeCommand('onFCPublish', 0, null, createAmfObject({ code: 'NetStream.Publish.Start' }))]);
  t.like(onFc, { name: 'onFCPublish', status: { code: 'NetStream.Publish.Start', level: '' } });
  t.like(decodeOk([...buildOnBWDone()]), { name: 'onBWDone', transactionId: 0 });
  const unknown = decodeOk([...encodeCommand('FCSubscribe', 3, null, 'k')]);
  t.like(unknown, { name: 'unknown', commandName: 'FCSubscribe', transactionId: 3, commandObject: null, args: ['k'] });
  // A status object placed where the command object goes is still found.
  const misplaced = decodeOk([...encodeCommand('onStatus', 0, createAmfObject({ code: 'c', level: 'error' }))]);
  t.like(misplaced, { name: 'onStatus', status: { code: 'c', level: 'error' } });
});

test('a connect command object sent as an ECMA array is accepted', (t) => {
  const command = decodeOk([...encodeCommand('connect', 1, AmfEcmaArray.fromObject({ app: 'live' }))]);
  t.like(command, { name: 'connect', app: 'live' });
});

test('malformed commands are ERR_RTMP_COMMAND', (t) => {
  const code = (bytes: Buffer | number[], typeId?: number) =>
    (decodeCommand(message([...bytes], 0, typeId)) as RtmpError).code;
  t.is(code([0x00, ...F64_1]), 'ERR_RTMP_COMMAND'); // starts with a number, not a name
  t.is(code(encodeCommand('connect', 1, null)), 'ERR_RTMP_COMMAND'); // no command object
  t.is(code(encodeCommand('connect', 1, createAmfObject({ app: 1 }))), 'ERR_RTMP_COMMAND'); // app not a string
  t.is(code([0x02, 0x00, 0x01, ...ascii('x'), 0x02, 0x00, 0x00]), 'ERR_RTMP_COMMAND'); // id is a string
  t.is(code(PUBLISH, MessageType.Audio), 'ERR_RTMP_COMMAND'); // not a command message type
  t.is(code([], MessageType.CommandAmf3), 'ERR_RTMP_TRUNCATED'); // type 17 without its format byte
  t.is(code([0x02, 0x00, 0x01, ...ascii('x'), 0x04]), 'ERR_RTMP_AMF_MARKER'); // AMF errors pass through
});

test('limits reach the AMF decoder', (t) => {
  const result = decodeCommand(message(FFMPEG_CONNECT), { maxStringLength: 20 });
  t.is((result as RtmpError).code, 'ERR_RTMP_AMF_LIMIT');
});
