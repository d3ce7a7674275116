import { bodySpec, readOnlyFields } from './parse-body.js';
import { DestinationCreateBody, DestinationPatchBody, DestinationSchema, EmptyBody, EventCreateBody, EventPatchBody, EventSchema } from './schemas.js';

/** The request bodies of the admin API's routes; a resource's fields that its create body does not take are read-only. */
const EVENT_READ_ONLY = readOnlyFields(EventSchema, EventCreateBody);
const DESTINATION_READ_ONLY = readOnlyFields(DestinationSchema, DestinationCreateBody);

export const EVENT_CREATE = bodySpec(EventCreateBody, EVENT_READ_ONLY);
export const EVENT_PATCH = bodySpec(EventPatchBody, EVENT_READ_ONLY);
/** `POST …/ingest-key`: no body, null or {}. */
export const NO_FIELDS = bodySpec(EmptyBody, EVENT_READ_ONLY, true);
export const DESTINATION_CREATE = bodySpec(DestinationCreateBody, DESTINATION_READ_ONLY);
export const DESTINATION_PATCH = bodySpec(DestinationPatchBody, DESTINATION_READ_ONLY);
