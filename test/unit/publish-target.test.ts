import test from 'ava';
import { RtmpError } from '../../src/rtmp/errors.js';
import { destinationUrlProblem, publishTarget } from '../../src/rtmp/session/publish-target.js';

const cases: Array<[string, string, object]> = [
  [
    'rtmp://a.rtmp.youtube.com/live2',
    'abcd-efgh-ijkl',
    { secure: false, host: 'a.rtmp.youtube.com', port: 1935, app: 'live2', tcUrl: 'rtmp://a.rtmp.youtube.com/live2', streamName: 'abcd-efgh-ijkl' },
  ],
  [
    'rtmp://b.rtmp.youtube.com/live2?backup=1',
    'key',
    { app: 'live2?backup=1', tcUrl: 'rtmp://b.rtmp.youtube.com/live2?backup=1', port: 1935 },
  ],
  [
    'rtmps://live-api-s.facebook.com:443/rtmp/',
    'FB-123?s_bl=1&s_ps=1&a=Ab',
    { secure: true, port: 443, app: 'rtmp', tcUrl: 'rtmps://live-api-s.facebook.com:443/rtmp', streamName: 'FB-123?s_bl=1&s_ps=1&a=Ab' },
  ],
  ['rtmps://host.example/app/inst', 'k', { port: 443, app: 'app/inst', tcUrl: 'rtmps://host.example/app/inst' }],
  ['RTMP://[::1]:1936/live', 'k', { host: '::1', port: 1936, app: 'live', tcUrl: 'rtmp://[::1]:1936/live' }],
];

for (const [url, key, expected] of cases) {
  test(`publish target of ${url}`, (t) => {
    const target = publishTarget(url, key);
    if (target instanceof RtmpError) return t.fail(target.message);
    t.like(target, expected);
  });
}

const bad: Array<[string, RegExp]> = [
  ['http://host/live', /scheme/],
  ['rtmp:///live', /host/],
  ['rtmp://host', /application path/],
  ['rtmp://host/', /application path/],
  ['rtmp://host:0/live', /port/],
  ['rtmp://host:65536/live', /port/],
  ['rtmp://host:70000/live', /port/],
  ['rtmp://host:/live', /port/],
  ['rtmp://user:pw@host/live', /user or password/],
  ['rtmp://ho st/live', /whitespace/],
  ['host/live', /absolute/],
  ['', /rtmp/],
];

for (const [url, why] of bad) {
  test(`destination URL ${JSON.stringify(url)} is refused`, (t) => {
    t.regex(destinationUrlProblem(url) ?? 'accepted', why);
  });
}

test('ports at the edges', (t) => {
  t.is(destinationUrlProblem('rtmp://host:1/live'), null);
  t.is(destinationUrlProblem('rtmp://host:65535/live'), null);
});
