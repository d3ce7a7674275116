import type { DestinationCreate, DestinationPatch, EventCreate, EventPatch } from '../admin/api/schemas.js';
import { MASK_BULLETS, maskSecret } from '../util/mask.js';
import { systemNameKey, type DestinationRecord } from './destination.js';
import { Problem } from './errors.js';
import type { EventRecord } from './event.js';
import { isoDateTimeMs } from './iso-date-time.js';

/**
 * The rules a request body's schema cannot check alone, because they need the stored state: the
 * schedule's order against the stored start or end, system names unique within an event, and the
 * masked stream key a form sends back unchanged. Each runs on a body its schema already accepted.
 */

function scheduleOrderProblem(start: string | null, end: string | null): Problem | null {
  if (start === null || end === null) return null;
  return isoDateTimeMs(end)! > isoDateTimeMs(start)!
    ? null
    : new Problem('validation_failed', 'scheduledEnd must be after scheduledStart', 'scheduledEnd');
}

export function eventCreateProblem(input: EventCreate): Problem | null {
  return scheduleOrderProblem(input.scheduledStart, input.scheduledEnd);
}

export function eventPatchProblem(patch: EventPatch, current: EventRecord): Problem | null {
  const start = patch.scheduledStart !== undefined ? patch.scheduledStart : current.scheduledStart;
  const end = patch.scheduledEnd !== undefined ? patch.scheduledEnd : current.scheduledEnd;
  return scheduleOrderProblem(start, end);
}

/** A system name already used by another destination of the event (any letter case): 409. */
function systemNameConflict(systemName: string, siblings: readonly DestinationRecord[], self: string | null): Problem | null {
  const key = systemNameKey(systemName);
  const clash = siblings.find((other) => other.id !== self && systemNameKey(other.systemName) === key);
  return clash
    ? new Problem('conflict', `systemName is already used by destination ${clash.id} of this event (names are compared ignoring letter case)`, 'systemName')
    : null;
}

/** A key that starts like a masked one was copied from the API's output, not from the platform. */
function maskedKeyProblem(streamKey: string): Problem | null {
  return streamKey.startsWith(MASK_BULLETS)
    ? new Problem('validation_failed', 'streamKey looks like a masked key: send the full stream key (or, in a PATCH, the masked value exactly as shown to keep the key)', 'streamKey')
    : null;
}

export function destinationCreateProblem(input: DestinationCreate, siblings: readonly DestinationRecord[]): Problem | null {
  return maskedKeyProblem(input.streamKey) ?? systemNameConflict(input.systemName, siblings, null);
}

/**
 * The patch to apply, or why not: a `streamKey` equal to the masked value the admin was shown
 * means "keep the key" and is dropped from the patch.
 */
export function destinationPatchOf(patch: DestinationPatch, current: DestinationRecord, siblings: readonly DestinationRecord[]): DestinationPatch | Problem {
  let effective = patch;
  if (patch.streamKey !== undefined) {
    if (patch.streamKey === maskSecret(current.streamKey)) {
      const { streamKey: _kept, ...rest } = patch;
      effective = rest;
    } else {
      const problem = maskedKeyProblem(patch.streamKey);
      if (problem) return problem;
    }
  }
  if (effective.systemName !== undefined) {
    const conflict = systemNameConflict(effective.systemName, siblings, current.id);
    if (conflict) return conflict;
  }
  return effective;
}
