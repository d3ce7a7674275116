// The admin API client: JSON in and out, the token as the Bearer header, errors as ApiError
// (CONTRACT §3's error object: code, message, and the field at fault where there is one).
import type { Destination, DestinationInput, EventInput, EventStatus, RelayEvent } from './types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Status 0: the request never got an answer (server down, network gone). */
export function isNetworkError(error: unknown): boolean {
  return error instanceof ApiError && error.status === 0;
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; field?: unknown };
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: ErrorBody | null = null;
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    body = null;
  }
  const error = body?.error;
  const code = typeof error?.code === 'string' ? error.code : 'http_error';
  const message = typeof error?.message === 'string' ? error.message : `the server answered ${response.status} ${response.statusText}`;
  const field = typeof error?.field === 'string' ? error.field : null;
  return new ApiError(response.status, code, message, field);
}

const enc = encodeURIComponent;

export class Api {
  /** Called once per request refused with 401 (the token is wrong or no longer valid). */
  onUnauthorized: (() => void) | null = null;

  constructor(private readonly token: string) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    const init: RequestInit = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new ApiError(0, 'network_error', 'the relay did not answer (is it running?)', null);
    }
    if (!response.ok) {
      const error = await errorOf(response);
      if (response.status === 401) this.onUnauthorized?.();
      throw error;
    }
    return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
  }

  listEvents(): Promise<{ events: RelayEvent[] }> {
    return this.request('GET', '/api/events');
  }

  getEvent(id: string): Promise<RelayEvent> {
    return this.request('GET', `/api/events/${enc(id)}`);
  }

  createEvent(input: EventInput): Promise<RelayEvent> {
    return this.request('POST', '/api/events', input);
  }

  updateEvent(id: string, input: EventInput): Promise<RelayEvent> {
    return this.request('PATCH', `/api/events/${enc(id)}`, input);
  }

  deleteEvent(id: string): Promise<void> {
    return this.request('DELETE', `/api/events/${enc(id)}`);
  }

  rotateIngestKey(id: string): Promise<RelayEvent> {
    return this.request('POST', `/api/events/${enc(id)}/ingest-key`, {});
  }

  status(id: string): Promise<EventStatus> {
    return this.request('GET', `/api/events/${enc(id)}/status`);
  }

  createDestination(eventId: string, input: DestinationInput): Promise<Destination> {
    return this.request('POST', `/api/events/${enc(eventId)}/destinations`, input);
  }

  updateDestination(eventId: string, destId: string, input: DestinationInput): Promise<Destination> {
    return this.request('PATCH', `/api/events/${enc(eventId)}/destinations/${enc(destId)}`, input);
  }

  deleteDestination(eventId: string, destId: string): Promise<void> {
    return this.request('DELETE', `/api/events/${enc(eventId)}/destinations/${enc(destId)}`);
  }
}
