import type { EventCreate, EventPatch, EventView } from '../admin/api/schemas.js';
import { destinationView, type DestinationRecord } from './destination.js';
import { newEventId, newIngestKey } from './ids.js';

export const EVENT_TYPES = ['webcast', 'townhall'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An event as stored, with its destinations (in creation order). */
export interface EventRecord {
  readonly id: string;
  readonly name: string;
  readonly type: EventType;
  readonly scheduledStart: string | null;
  readonly scheduledEnd: string | null;
  readonly ingestKey: string;
  readonly destinations: readonly DestinationRecord[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function createEvent(input: EventCreate, now: Date): EventRecord {
  const at = now.toISOString();
  return { id: newEventId(), ...input, ingestKey: newIngestKey(), destinations: [], createdAt: at, updatedAt: at };
}

/** The record with the patch applied; `updatedAt` moves only when a value really changed. */
export function patchEvent(record: EventRecord, patch: EventPatch, now: Date): EventRecord {
  let changed = false;
  const next: Record<string, unknown> = { ...record };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || record[key as keyof EventPatch] === value) continue;
    next[key] = value;
    changed = true;
  }
  return changed ? { ...(next as unknown as EventRecord), updatedAt: now.toISOString() } : record;
}

/** A fresh ingest key; the old one stops working as soon as this record is stored. */
export function rotateIngestKey(record: EventRecord, now: Date): EventRecord {
  return { ...record, ingestKey: newIngestKey(), updatedAt: now.toISOString() };
}

/** Replaces the event's destinations (a destination added, changed or removed). */
export function withDestinations(record: EventRecord, destinations: readonly DestinationRecord[], now: Date): EventRecord {
  return { ...record, destinations, updatedAt: now.toISOString() };
}

export function eventView(record: EventRecord, ingestUrl: string): EventView {
  return {
    id: record.id,
    name: record.name,
    type: record.type,
    scheduledStart: record.scheduledStart,
    scheduledEnd: record.scheduledEnd,
    ingestUrl,
    ingestKey: record.ingestKey,
    destinations: record.destinations.map(destinationView),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
