import * as v from 'valibot';
import { SECONDARY_MODES } from '../../domain/destination.js';
import { PROBLEM_CODES } from '../../domain/errors.js';
import { EVENT_TYPES } from '../../domain/event.js';
import { isoDateTimeMs, ISO_DATE_TIME_PATTERN } from '../../domain/iso-date-time.js';
import { destinationUrlProblem } from '../../rtmp/session/publish-target.js';
import { documented } from './documented.js';

/**
 * The admin API's JSON, defined once: each schema validates request bodies (parse-body.ts), gives
 * the TypeScript types the handlers and views use, and becomes the OpenAPI document (openapi.ts).
 * Type errors and rule breaks carry the message the client reads after the field's name
 * ("name must be a string"), so a message never quotes a submitted value.
 */

export const EVENT_NAME_MAX = 200;
export const SYSTEM_NAME_MAX = 64;
export const STREAM_KEY_MAX = 1024;

const CONTROL_CHARACTERS = '\\u0000-\\u001f\\u007f-\\u009f';
const NO_CONTROL_CHARACTERS = new RegExp(`^[^${CONTROL_CHARACTERS}]*$`);
const NO_WHITESPACE_OR_CONTROL = new RegExp(`^[^\\s${CONTROL_CHARACTERS}]*$`);

const text = (message = 'must be a string') => v.string(message);

/** A display name: no control characters, then 1..max characters once surrounding whitespace is trimmed. */
function displayName(max: number, description: string) {
  return v.pipe(
    text(),
    v.regex(NO_CONTROL_CHARACTERS, 'must not contain control characters'),
    v.description(`${description}: 1-${max} characters after trimming surrounding whitespace, no control characters`),
    v.trim(),
    v.nonEmpty('must not be empty'),
    v.maxCodePoints(max, (issue) => `must be at most ${max} characters (got ${issue.received})`),
  );
}

const scheduleTime = (description: string) =>
  v.nullable(
    v.pipe(
      text('must be a string or null'),
      documented(
        v.check((value: string) => isoDateTimeMs(value) !== null, 'must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T16:00:00Z, or null'),
        { pattern: ISO_DATE_TIME_PATTERN },
      ),
      v.description(`${description}: an ISO 8601 date-time with a time zone, or null`),
    ),
  );

const destinationUrl = (description: string, message = 'must be a string') =>
  v.pipe(
    text(message),
    documented(
      v.rawCheck<string>(({ dataset, addIssue }) => {
        if (!dataset.typed) return;
        const why = destinationUrlProblem(dataset.value);
        if (why !== null) addIssue({ message: why });
      }),
      { pattern: '^[Rr][Tt][Mm][Pp][Ss]?://' },
    ),
    v.description(
      `${description}: an absolute rtmp:// or rtmps:// URL with a host, an optional port (1-65535) and an application path of at least one segment; no user:password`,
    ),
    v.examples(['rtmp://a.rtmp.youtube.com/live2']),
  );

const streamKey = v.pipe(
  text(),
  v.nonEmpty('must not be empty'),
  v.maxCodePoints(STREAM_KEY_MAX, (issue) => `must be at most ${STREAM_KEY_MAX} characters (got ${issue.received})`),
  v.regex(NO_WHITESPACE_OR_CONTROL, 'must not contain whitespace or control characters'),
  v.description(
    `the destination's stream key, sent byte for byte as the publish name: 1-${STREAM_KEY_MAX} characters, no whitespace or control characters (?, & and = are fine)`,
  ),
);

const eventType = v.picklist(EVENT_TYPES, `must be one of ${EVENT_TYPES.map((type) => `"${type}"`).join(', ')}`);
const secondaryMode = v.pipe(
  v.picklist(SECONDARY_MODES, `must be one of ${SECONDARY_MODES.map((mode) => `"${mode}"`).join(', ')}`),
  v.description('redundant: the stream goes to both URLs at once; failover: the secondary is used only while the primary fails'),
);
const enabled = v.pipe(v.boolean('must be true or false'), v.description('false ends a live push; true starts it'));

const eventFields = {
  name: displayName(EVENT_NAME_MAX, 'the event name'),
  type: eventType,
  scheduledStart: scheduleTime('when the event is scheduled to start'),
  scheduledEnd: scheduleTime('when it is scheduled to end, after scheduledStart'),
};

const destinationFields = {
  systemName: displayName(SYSTEM_NAME_MAX, 'a name unique among the event\'s destinations, ignoring letter case'),
  primaryUrl: destinationUrl('where the stream is pushed'),
  secondaryUrl: v.nullable(destinationUrl('a backup URL, or null', 'must be a string or null')),
  secondaryMode,
  streamKey,
  enabled,
};

// ---- request bodies ----

export const EventCreateBody = v.strictObject({
  name: eventFields.name,
  type: v.optional(eventFields.type, 'webcast'),
  scheduledStart: v.optional(eventFields.scheduledStart, null),
  scheduledEnd: v.optional(eventFields.scheduledEnd, null),
});

export const EventPatchBody = v.strictObject({
  name: v.optional(eventFields.name),
  type: v.optional(eventFields.type),
  scheduledStart: v.optional(eventFields.scheduledStart),
  scheduledEnd: v.optional(eventFields.scheduledEnd),
});

export const DestinationCreateBody = v.strictObject({
  systemName: destinationFields.systemName,
  primaryUrl: destinationFields.primaryUrl,
  secondaryUrl: v.optional(destinationFields.secondaryUrl, null),
  secondaryMode: v.optional(destinationFields.secondaryMode, 'redundant'),
  streamKey: destinationFields.streamKey,
  enabled: v.optional(destinationFields.enabled, true),
});

export const DestinationPatchBody = v.strictObject({
  systemName: v.optional(destinationFields.systemName),
  primaryUrl: v.optional(destinationFields.primaryUrl),
  secondaryUrl: v.optional(destinationFields.secondaryUrl),
  secondaryMode: v.optional(destinationFields.secondaryMode),
  streamKey: v.optional(
    v.pipe(destinationFields.streamKey, v.description('a new stream key; the masked value exactly as shown keeps the key')),
  ),
  enabled: v.optional(destinationFields.enabled),
});

/** `POST …/ingest-key` takes no fields: no body, null or `{}`. */
export const EmptyBody = v.strictObject({});

export type EventCreate = v.InferOutput<typeof EventCreateBody>;
export type EventPatch = v.InferOutput<typeof EventPatchBody>;
export type DestinationCreate = v.InferOutput<typeof DestinationCreateBody>;
export type DestinationPatch = v.InferOutput<typeof DestinationPatchBody>;

// ---- responses ----

const timestamp = (description: string) => v.pipe(v.string(), v.isoTimestamp(), v.description(description));
const count = (description: string) => v.pipe(v.number(), v.integer(), v.minValue(0), v.description(description));
const kbps = (description: string) => v.pipe(v.number(), v.minValue(0), v.description(description));
const id = (prefix: string, description: string) => v.pipe(v.string(), v.regex(new RegExp(`^${prefix}_[A-Za-z0-9_-]+$`)), v.description(description));

export const DestinationSchema = v.object({
  id: id('dst', 'the destination id'),
  systemName: v.string(),
  primaryUrl: v.string(),
  secondaryUrl: v.nullable(v.string()),
  secondaryMode: v.picklist(SECONDARY_MODES),
  streamKey: v.pipe(v.string(), v.description('masked: 8 bullets and the last 4 characters (8 bullets alone for keys of 8 characters or fewer)')),
  enabled: v.boolean(),
  createdAt: timestamp('when it was created'),
  updatedAt: timestamp('when a value last changed'),
});

export const EventSchema = v.object({
  id: id('evt', 'the event id'),
  name: v.string(),
  type: v.picklist(EVENT_TYPES),
  scheduledStart: v.nullable(v.string()),
  scheduledEnd: v.nullable(v.string()),
  ingestUrl: v.pipe(v.string(), v.description('the server URL the encoder publishes to')),
  ingestKey: v.pipe(v.string(), v.description("the encoder's stream key, in full: only this object shows it")),
  destinations: v.array(DestinationSchema),
  createdAt: timestamp('when it was created'),
  updatedAt: timestamp('when a value last changed'),
});

export const EventListSchema = v.object({ events: v.array(EventSchema) });
export const DestinationListSchema = v.object({ destinations: v.array(DestinationSchema) });

export const HealthSchema = v.object({
  status: v.literal('ok'),
  version: v.string(),
  uptimeS: count('seconds since the process started'),
});

const VideoSchema = v.object({
  codec: v.pipe(v.string(), v.description('h264, hevc, av1, vp9, …')),
  width: v.nullable(count('pixels')),
  height: v.nullable(count('pixels')),
  fps: v.nullable(v.pipe(v.number(), v.minValue(0))),
});

const AudioSchema = v.object({
  codec: v.pipe(v.string(), v.description('aac, opus, mp3, …')),
  sampleRate: v.nullable(count('Hz')),
  channels: v.nullable(count('channels')),
});

const IngestStatusSchema = v.object({
  state: v.picklist(['offline', 'live']),
  since: timestamp('when the ingest entered this state'),
  remoteAddress: v.nullable(v.string()),
  bitrateKbps: kbps('the incoming bitrate'),
  video: v.nullable(VideoSchema),
  audio: v.nullable(AudioSchema),
});

const ConnectionStatusSchema = v.object({
  url: v.picklist(['primary', 'secondary']),
  state: v.picklist(['connecting', 'live', 'retrying']),
  since: timestamp('when the connection entered this state'),
  bytesSent: count('bytes sent on this connection'),
  reconnects: count('reconnects of this connection'),
  lastError: v.nullable(v.string()),
});

const DestinationStatusSchema = v.object({
  id: id('dst', 'the destination id'),
  systemName: v.string(),
  state: v.pipe(v.picklist(['idle', 'connecting', 'live', 'retrying', 'disabled']), v.description('live when at least one of its connections is live')),
  activeUrl: v.nullable(v.picklist(['primary', 'secondary', 'both'])),
  since: timestamp('when the destination entered this state'),
  bytesSent: count('bytes sent in this publish'),
  bitrateKbps: kbps('the outgoing bitrate'),
  droppedFrames: count('video frames dropped because the destination was too slow'),
  reconnects: count('reconnects in this publish'),
  lastError: v.nullable(v.string()),
  connections: v.array(ConnectionStatusSchema),
});

export const StatusSchema = v.object({
  event: id('evt', 'the event id'),
  ingest: IngestStatusSchema,
  destinations: v.array(DestinationStatusSchema),
});

export const ErrorSchema = v.object({
  error: v.object({
    code: v.picklist(PROBLEM_CODES),
    message: v.pipe(v.string(), v.description('names the field and what is wrong with it')),
    field: v.optional(v.pipe(v.string(), v.description('present only where one field is at fault'))),
  }),
});

export type EventView = v.InferOutput<typeof EventSchema>;
export type DestinationView = v.InferOutput<typeof DestinationSchema>;
export type StatusView = v.InferOutput<typeof StatusSchema>;
export type HealthView = v.InferOutput<typeof HealthSchema>;

/** The named schemas of the OpenAPI document's components, in the order it lists them. */
export const NAMED_SCHEMAS = {
  Event: EventSchema,
  EventList: EventListSchema,
  EventCreate: EventCreateBody,
  EventPatch: EventPatchBody,
  Destination: DestinationSchema,
  DestinationList: DestinationListSchema,
  DestinationCreate: DestinationCreateBody,
  DestinationPatch: DestinationPatchBody,
  EmptyBody,
  Status: StatusSchema,
  Health: HealthSchema,
  Error: ErrorSchema,
} as const;
