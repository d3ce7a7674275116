// Finds secrets where they must not be: in log lines (never, in any form but masked) and in API
// responses (a stream key never; an ingest key only as the `ingestKey` of an event, the one place
// the contract shows it so the admin can hand it to the encoder).
import type { ApiResponse } from './admin-client.js';

/** The response text with every event's `ingestKey` value removed. */
function withoutEventIngestKeys(response: ApiResponse): string {
  if (response.body === undefined) return response.text;
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value === null || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    const isEvent = typeof object['id'] === 'string' && object['id'].startsWith('evt_') && 'ingestUrl' in object;
    return Object.fromEntries(Object.entries(object).filter(([key]) => !(isEvent && key === 'ingestKey')).map(([key, v]) => [key, strip(v)]));
  };
  return JSON.stringify(strip(response.body));
}

/** The secret as written and as it looks inside a JSON string (a log line, a response body). */
function forms(secret: string): string[] {
  const escaped = JSON.stringify(secret).slice(1, -1);
  return escaped === secret ? [secret] : [secret, escaped];
}

const contains = (text: string, secret: string): boolean => forms(secret).some((form) => text.includes(form));

export interface Leak {
  readonly secret: string;
  readonly where: string;
}

/**
 * Every place one of the secrets shows up where it must not. `streamKeys` and `adminTokens` may
 * appear nowhere; `ingestKeys` only as an event's `ingestKey`.
 */
export function findLeaks(
  secrets: { streamKeys: readonly string[]; ingestKeys: readonly string[]; adminTokens: readonly string[] },
  logLines: readonly string[],
  responses: readonly ApiResponse[],
): Leak[] {
  const leaks: Leak[] = [];
  const nowhere = [...secrets.streamKeys, ...secrets.adminTokens];
  for (const line of logLines) {
    for (const secret of [...nowhere, ...secrets.ingestKeys]) {
      if (contains(line, secret)) leaks.push({ secret, where: `log: ${line.slice(0, 200)}` });
    }
  }
  for (const response of responses) {
    const headers = [...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
    const text = withoutEventIngestKeys(response);
    for (const secret of nowhere) {
      if (contains(response.text, secret) || contains(headers, secret)) leaks.push({ secret, where: `${response.method} ${response.path} → ${response.status}` });
    }
    for (const secret of secrets.ingestKeys) {
      if (contains(text, secret) || contains(headers, secret)) leaks.push({ secret, where: `${response.method} ${response.path} → ${response.status} (outside an event's ingestKey)` });
    }
  }
  return leaks;
}
