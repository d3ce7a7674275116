// The admin API's JSON as the page reads it (CONTRACT §3).

export type EventType = 'webcast' | 'townhall';
export type SecondaryMode = 'redundant' | 'failover';
export type DestinationState = 'idle' | 'connecting' | 'live' | 'retrying' | 'disabled';

export interface Destination {
  readonly id: string;
  readonly systemName: string;
  readonly primaryUrl: string;
  readonly secondaryUrl: string | null;
  readonly secondaryMode: SecondaryMode;
  /** Always masked by the server: 8 bullets and the last 4 characters. */
  readonly streamKey: string;
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface RelayEvent {
  readonly id: string;
  readonly name: string;
  readonly type: EventType;
  readonly scheduledStart: string | null;
  readonly scheduledEnd: string | null;
  readonly ingestUrl: string;
  readonly ingestKey: string;
  readonly destinations: readonly Destination[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface VideoFacts {
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

export interface AudioFacts {
  readonly codec: string;
  readonly sampleRate: number;
  readonly channels: number;
}

export interface IngestStatus {
  readonly state: 'offline' | 'live';
  readonly since: string;
  readonly remoteAddress: string | null;
  readonly bitrateKbps: number;
  readonly video: VideoFacts | null;
  readonly audio: AudioFacts | null;
}

export interface DestinationStatus {
  readonly id: string;
  readonly systemName: string;
  readonly state: DestinationState;
  readonly activeUrl: 'primary' | 'secondary' | 'both' | null;
  readonly since: string;
  readonly bytesSent: number;
  readonly bitrateKbps: number;
  readonly droppedFrames: number;
  readonly reconnects: number;
  readonly lastError: string | null;
}

export interface EventStatus {
  readonly event: string;
  readonly ingest: IngestStatus;
  readonly destinations: readonly DestinationStatus[];
}

/** What a POST or PATCH of an event may carry. */
export interface EventInput {
  name?: string;
  type?: EventType;
  scheduledStart?: string | null;
  scheduledEnd?: string | null;
}

/** What a POST or PATCH of a destination may carry. */
export interface DestinationInput {
  systemName?: string;
  primaryUrl?: string;
  secondaryUrl?: string | null;
  secondaryMode?: SecondaryMode;
  streamKey?: string;
  enabled?: boolean;
}
