// A small HTTP client for the admin API of a running relay (global fetch), which keeps every
// response it saw so a test can check, at the end, that no secret ever left the server. Every
// response is checked against the relay's OpenAPI document as it arrives: one that the document
// does not describe (route, status, media type, body) throws, failing the test that got it.
import { conformanceOf } from './openapi-conformance.js';
import type { RelayServer } from './relay-server.js';

export interface ApiResponse {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body (undefined when it is empty or not JSON). */
  readonly body: unknown;
}

export interface RequestOptions {
  /** Sent as JSON (`Content-Type: application/json`). */
  readonly json?: unknown;
  /** Sent as is (give `contentType` too, or none is sent). */
  readonly raw?: string | Buffer;
  readonly contentType?: string;
  /** Overrides the client's token; null sends no Authorization header. */
  readonly token?: string | null;
  readonly headers?: Record<string, string>;
}

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

export interface DestinationJson {
  id: string;
  systemName: string;
  primaryUrl: string;
  secondaryUrl: string | null;
  secondaryMode: 'redundant' | 'failover';
  streamKey: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface EventJson {
  id: string;
  name: string;
  type: 'webcast' | 'townhall';
  scheduledStart: string | null;
  scheduledEnd: string | null;
  ingestUrl: string;
  ingestKey: string;
  destinations: DestinationJson[];
  createdAt: string;
  updatedAt: string;
}

export class AdminClient {
  /** Every response so far, in order. */
  readonly transcript: ApiResponse[] = [];

  /** The relay's OpenAPI document, fetched while the relay is surely up (at construction). */
  private readonly conformance: ReturnType<typeof conformanceOf>;

  constructor(
    readonly baseUrl: string,
    readonly token: string | null,
  ) {
    this.conformance = conformanceOf(baseUrl);
    this.conformance.catch(() => undefined); // reported at the first response instead
  }

  static of(server: RelayServer, token: string | null = server.adminToken): AdminClient {
    return new AdminClient(server.adminUrl, token);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? this.token : options.token;
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    let body: string | Buffer | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.raw !== undefined) {
      body = options.raw;
      if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      parsed = undefined;
    }
    const result: ApiResponse = { method, path, status: response.status, headers: response.headers, text, body: parsed };
    this.transcript.push(result);
    const violation = (await this.conformance).violation({ method, path, status: response.status, contentType: response.headers.get('content-type'), text });
    if (violation !== null) throw new Error(`the response does not match the OpenAPI document: ${violation}`);
    return result;
  }

  get(path: string, options?: RequestOptions): Promise<ApiResponse> {
    return this.request('GET', path, options);
  }

  post(path: string, json?: unknown, options?: RequestOptions): Promise<ApiResponse> {
    return this.request('POST', path, json === undefined ? options : { ...options, json });
  }

  patch(path: string, json: unknown, options?: RequestOptions): Promise<ApiResponse> {
    return this.request('PATCH', path, { ...options, json });
  }

  delete(path: string, options?: RequestOptions): Promise<ApiResponse> {
    return this.request('DELETE', path, options);
  }

  /** Creates an event and returns it (throws unless 201). */
  async createEvent(fields: Record<string, unknown> = {}): Promise<EventJson> {
    const response = await this.post('/api/events', { name: 'Test event', ...fields });
    if (response.status !== 201) throw new Error(`create event: ${response.status} ${response.text}`);
    return response.body as EventJson;
  }

  /** Adds a destination and returns it (throws unless 201). */
  async createDestination(eventId: string, fields: Record<string, unknown> = {}): Promise<DestinationJson> {
    const response = await this.post(`/api/events/${eventId}/destinations`, {
      systemName: 'YouTube main',
      primaryUrl: 'rtmp://a.rtmp.youtube.com/live2',
      streamKey: 'abcd-efgh-ijkl-mnop',
      ...fields,
    });
    if (response.status !== 201) throw new Error(`create destination: ${response.status} ${response.text}`);
    return response.body as DestinationJson;
  }
}

/** The error object of a response (throws when the body is not one). */
export function errorOf(response: ApiResponse): ErrorBody['error'] {
  const body = response.body as Partial<ErrorBody> | undefined;
  if (!body?.error) throw new Error(`expected an error body, got ${response.status} ${response.text}`);
  return body.error;
}
