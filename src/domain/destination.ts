import type { DestinationCreate, DestinationPatch, DestinationView } from '../admin/api/schemas.js';
import { maskSecret } from '../util/mask.js';
import { newDestinationId } from './ids.js';

export const SECONDARY_MODES = ['redundant', 'failover'] as const;
export type SecondaryMode = (typeof SECONDARY_MODES)[number];

/** A restream destination as stored (the stream key in full: only the store and the relay see it). */
export interface DestinationRecord {
  readonly id: string;
  readonly systemName: string;
  readonly primaryUrl: string;
  readonly secondaryUrl: string | null;
  readonly secondaryMode: SecondaryMode;
  readonly streamKey: string;
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function createDestination(input: DestinationCreate, now: Date): DestinationRecord {
  const at = now.toISOString();
  return { id: newDestinationId(), ...input, createdAt: at, updatedAt: at };
}

/** The record with the patch applied; `updatedAt` moves only when a value really changed. */
export function patchDestination(record: DestinationRecord, patch: DestinationPatch, now: Date): DestinationRecord {
  const next: DestinationRecord = { ...record, ...definedOnly(patch) };
  const changed = (Object.keys(patch) as Array<keyof DestinationPatch>).some((key) => next[key] !== record[key]);
  return changed ? { ...next, updatedAt: now.toISOString() } : record;
}

export function destinationView(record: DestinationRecord): DestinationView {
  return {
    id: record.id,
    systemName: record.systemName,
    primaryUrl: record.primaryUrl,
    secondaryUrl: record.secondaryUrl,
    secondaryMode: record.secondaryMode,
    streamKey: maskSecret(record.streamKey),
    enabled: record.enabled,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** System names are unique per event regardless of letter case ("YouTube" and "youtube" clash). */
export function systemNameKey(systemName: string): string {
  return systemName.trim().toLowerCase();
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}
