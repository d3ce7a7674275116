// Create or edit an event (name, type, schedule), and delete one after a confirmation that says
// plainly when the event is live.
import type { Api } from './api.js';
import { confirmDialog, Modal } from './dialogs.js';
import { h, toast } from './dom.js';
import { FieldErrors, selectField, textField } from './forms.js';
import { fromLocalInput, toLocalInput } from './format.js';
import type { EventInput, EventType, RelayEvent } from './types.js';

/** Opens the event dialog; resolves with the stored event, or null when it was closed. */
export function editEventDialog(api: Api, event: RelayEvent | null): Promise<RelayEvent | null> {
  return new Promise((resolve) => {
    let result: RelayEvent | null = null;
    const modal = new Modal({ title: event ? 'Edit event' : 'New event', onClose: () => resolve(result) });
    const name = textField({ name: 'name', label: 'Name', value: event?.name ?? '', maxLength: 200, placeholder: 'Q3 Town Hall' });
    const type = selectField({ name: 'type', label: 'Type', value: event?.type ?? 'webcast', options: [['webcast', 'Webcast'], ['townhall', 'Town hall']] });
    const start = textField({ name: 'scheduledStart', label: 'Scheduled start (optional)', type: 'datetime-local', value: toLocalInput(event?.scheduledStart ?? null) });
    const end = textField({ name: 'scheduledEnd', label: 'Scheduled end (optional)', type: 'datetime-local', value: toLocalInput(event?.scheduledEnd ?? null) });
    const initialStart = start.control.value;
    const initialEnd = end.control.value;
    const errors = new FieldErrors(modal.formError, [name, type, start, end]);
    modal.body.append(name.element, type.element, h('div', { class: 'field-pair' }, start.element, end.element));
    modal.actions.append(
      h('button', { type: 'button', class: 'btn', onClick: () => modal.close() }, 'Cancel'),
      h('button', { type: 'submit', class: 'btn btn-primary' }, event ? 'Save' : 'Create event'),
    );
    modal.form.addEventListener('submit', (submitEvent) => {
      submitEvent.preventDefault();
      const input: EventInput = {};
      // An edit sends only what changed (a schedule shown in local time is not re-sent in UTC).
      if (!event || name.control.value !== event.name) input.name = name.control.value;
      if (!event || type.control.value !== event.type) input.type = type.control.value as EventType;
      if (!event || start.control.value !== initialStart) input.scheduledStart = fromLocalInput(start.control.value);
      if (!event || end.control.value !== initialEnd) input.scheduledEnd = fromLocalInput(end.control.value);
      if (event && Object.keys(input).length === 0) {
        modal.close();
        return;
      }
      modal.setBusy(true);
      (event ? api.updateEvent(event.id, input) : api.createEvent(input))
        .then((stored) => {
          result = stored;
          toast(event ? 'Event saved' : 'Event created');
          modal.close();
        })
        .catch((error: unknown) => {
          modal.setBusy(false);
          if (modal.isOpen) errors.show(error);
        });
    });
    modal.open(name.control);
  });
}

/**
 * Asks, then deletes the event; resolves true when it was deleted. `beforeDelete` runs once the
 * admin confirmed (the caller stops polling the event, so nothing asks for it once it is gone).
 */
export async function deleteEventFlow(api: Api, event: RelayEvent, beforeDelete: () => Promise<void>): Promise<boolean> {
  let live = false;
  try {
    live = (await api.status(event.id)).ingest.state === 'live';
  } catch {
    live = false;
  }
  const count = event.destinations.length;
  const destinations = `${count} restream destination${count === 1 ? '' : 's'}`;
  const message = live
    ? [h('p', {}, h('strong', {}, `“${event.name}” is live now.`), ` Deleting it disconnects the encoder and all ${destinations} within seconds.`), h('p', {}, 'This cannot be undone.')]
    : [h('p', {}, `Delete “${event.name}” and its ${destinations}? Its ingest key stops working.`), h('p', {}, 'This cannot be undone.')];
  const confirmed = await confirmDialog({ title: live ? 'Delete a live event?' : 'Delete event?', message, confirmLabel: live ? 'Delete live event' : 'Delete event', danger: true });
  if (!confirmed) return false;
  await beforeDelete();
  try {
    await api.deleteEvent(event.id);
  } catch (error) {
    toast(`Could not delete the event: ${error instanceof Error ? error.message : 'unexpected error'}`);
    return false;
  }
  toast(`Deleted “${event.name}”`);
  return true;
}
