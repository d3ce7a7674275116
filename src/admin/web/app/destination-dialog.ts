// The "Add Stream" dialog, also used to edit a destination (the pencil). The server validates;
// its message appears under the field it names.
import type { Api } from './api.js';
import { Modal } from './dialogs.js';
import { h, toast } from './dom.js';
import { FieldErrors, selectField, textField } from './forms.js';
import type { Destination, DestinationInput, SecondaryMode } from './types.js';

/** Opens the dialog; resolves with the stored destination, or null when it was closed. */
export function destinationDialog(api: Api, eventId: string, existing: Destination | null): Promise<Destination | null> {
  return new Promise((resolve) => {
    let result: Destination | null = null;
    const modal = new Modal({ title: existing ? `Edit ${existing.systemName}` : 'Add Stream', onClose: () => resolve(result) });
    const systemName = textField({ name: 'systemName', label: 'System Name', value: existing?.systemName, maxLength: 64, placeholder: 'YouTube main' });
    const primaryUrl = textField({
      name: 'primaryUrl',
      label: 'Primary RTMP URL',
      value: existing?.primaryUrl,
      placeholder: 'rtmp://a.rtmp.youtube.com/live2',
      monospace: true,
      hint: 'rtmp:// or rtmps://, without the stream key.',
    });
    const secondaryUrl = textField({
      name: 'secondaryUrl',
      label: 'Secondary RTMP URL (optional)',
      value: existing?.secondaryUrl ?? '',
      placeholder: 'rtmp://b.rtmp.youtube.com/live2?backup=1',
      monospace: true,
    });
    const secondaryMode = selectField({
      name: 'secondaryMode',
      label: 'Secondary mode',
      value: existing?.secondaryMode ?? 'redundant',
      options: [
        ['redundant', 'Redundant'],
        ['failover', 'Failover'],
      ],
      hint: 'Redundant: both URLs at once (backup ingest). Failover: the secondary only while the primary fails.',
    });
    const streamKey = textField({
      name: 'streamKey',
      label: 'RTMP Stream Key',
      type: 'password',
      autocomplete: 'new-password',
      monospace: true,
      placeholder: existing ? 'unchanged' : '',
      hint: existing ? `Leave empty to keep the current key (${existing.streamKey}).` : 'Sent to the service as is; it is never shown again in full.',
    });
    const fields = [systemName, primaryUrl, secondaryUrl, secondaryMode, streamKey];
    const errors = new FieldErrors(modal.formError, fields);
    modal.body.append(systemName.element, primaryUrl.element, secondaryUrl.element, secondaryMode.element, streamKey.element);
    modal.actions.append(
      h('button', { type: 'button', class: 'btn', onClick: () => modal.close() }, 'Cancel'),
      h('button', { type: 'submit', class: 'btn btn-primary' }, existing ? 'Save' : 'Add Stream'),
    );

    const input = (): DestinationInput => {
      const secondary = secondaryUrl.control.value.trim() === '' ? null : secondaryUrl.control.value;
      const values: DestinationInput = {
        systemName: systemName.control.value,
        primaryUrl: primaryUrl.control.value,
        secondaryUrl: secondary,
        secondaryMode: secondaryMode.control.value as SecondaryMode,
      };
      if (streamKey.control.value !== '' || !existing) values.streamKey = streamKey.control.value;
      if (!existing) return values;
      // An edit sends only what changed, so an unchanged live destination is not reconnected.
      if (values.systemName === existing.systemName) delete values.systemName;
      if (values.primaryUrl === existing.primaryUrl) delete values.primaryUrl;
      if (values.secondaryUrl === existing.secondaryUrl) delete values.secondaryUrl;
      if (values.secondaryMode === existing.secondaryMode) delete values.secondaryMode;
      return values;
    };

    modal.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const values = input();
      if (existing && Object.keys(values).length === 0) {
        modal.close();
        return;
      }
      modal.setBusy(true);
      (existing ? api.updateDestination(eventId, existing.id, values) : api.createDestination(eventId, values))
        .then((stored) => {
          result = stored;
          toast(existing ? `Saved ${stored.systemName}` : `Added ${stored.systemName}`);
          modal.close();
        })
        .catch((error: unknown) => {
          modal.setBusy(false);
          if (modal.isOpen) errors.show(error);
        });
    });
    modal.open(systemName.control);
  });
}
