import { randomBytes } from 'node:crypto';

/**
 * Identifiers and secrets, all from the OS CSPRNG and URL-safe (base64url: A-Z a-z 0-9 - _), so they
 * go into paths, publish names and config files without escaping.
 */
function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** `evt_` + 22 characters (128 random bits). */
export function newEventId(): string {
  return `evt_${randomToken(16)}`;
}

/** `dst_` + 22 characters (128 random bits). */
export function newDestinationId(): string {
  return `dst_${randomToken(16)}`;
}

/** 32 characters (192 random bits): an encoder's stream key for one event. */
export function newIngestKey(): string {
  return randomToken(24);
}

/** 43 characters (256 random bits): the admin API's bearer token when none is configured. */
export function newAdminToken(): string {
  return randomToken(32);
}

export const EVENT_ID_PATTERN = /^evt_[A-Za-z0-9_-]{1,64}$/;
export const DESTINATION_ID_PATTERN = /^dst_[A-Za-z0-9_-]{1,64}$/;
