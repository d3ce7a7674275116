// The Restream Destinations tab: the table of destinations with their live state and bitrate graph,
// the "Add Stream" button, and per row an enable switch, a pencil (edit) and an × (delete).
import type { Api } from './api.js';
import { destinationDialog } from './destination-dialog.js';
import { confirmDialog } from './dialogs.js';
import { h, replaceChildren, setText, toast, type Child } from './dom.js';
import { formatCount, formatKbps, formatSince } from './format.js';
import { BitrateHistory, Sparkline } from './sparkline.js';
import type { Destination, DestinationStatus } from './types.js';

const COLUMNS = ['System name', 'Primary URL', 'Secondary URL', 'Stream key', 'State', 'Active URL', 'Bitrate', 'Dropped frames', 'Reconnects', 'Last error', 'Enabled', 'Actions'] as const;
type Column = (typeof COLUMNS)[number];

const ACTIVE_URL_TEXT: Record<string, string> = { primary: 'Primary', secondary: 'Secondary', both: 'Both' };

/** A URL with line-break opportunities after its slashes and before its query, for narrow columns. */
function breakableUrl(url: string): Child[] {
  const parts: Child[] = [];
  for (const piece of url.split(/(?<=\/)(?!\/)|(?=\?)/)) {
    if (parts.length > 0) parts.push(h('wbr'));
    parts.push(piece);
  }
  return parts;
}

interface RowActions {
  edit(destination: Destination): void;
  remove(destination: Destination, live: boolean): void;
  toggle(destination: Destination, enabled: boolean, control: HTMLInputElement): void;
}

/** One table row; the polled cells are updated in place so focus and screen readers are not disturbed. */
class DestinationRow {
  readonly element: HTMLTableRowElement;
  private readonly cells = new Map<Column, HTMLTableCellElement>();
  private readonly badge = h('span', { class: 'badge', 'data-state': 'idle' }, 'idle');
  private readonly bitrate = h('span', { class: 'value' }, '0 kbps');
  private readonly graph: Sparkline;
  private readonly toggle: HTMLInputElement;
  private readonly editButton: HTMLButtonElement;
  private readonly deleteButton: HTMLButtonElement;
  private live = false;

  constructor(
    private destination: Destination,
    private readonly history: BitrateHistory,
    actions: RowActions,
  ) {
    // The system name heads its row, so a screen reader names the row's cells by it.
    for (const column of COLUMNS) this.cells.set(column, column === 'System name' ? h('th', { scope: 'row', 'data-label': column }) : h('td', { 'data-label': column }));
    this.graph = new Sparkline(destination.systemName);
    this.toggle = h('input', { type: 'checkbox', role: 'switch', class: 'switch' });
    this.toggle.addEventListener('change', () => actions.toggle(this.destination, this.toggle.checked, this.toggle));
    this.editButton = h('button', { type: 'button', class: 'btn btn-icon', title: 'Edit' }, '✎');
    this.editButton.addEventListener('click', () => actions.edit(this.destination));
    this.deleteButton = h('button', { type: 'button', class: 'btn btn-icon btn-danger', title: 'Delete' }, '×');
    this.deleteButton.addEventListener('click', () => actions.remove(this.destination, this.live));
    this.cell('State').append(this.badge);
    this.cell('Bitrate').append(h('span', { class: 'bitrate' }, this.bitrate, this.graph.element));
    this.cell('Enabled').append(this.toggle);
    this.cell('Actions').append(h('span', { class: 'row' }, this.editButton, this.deleteButton));
    for (const column of ['Primary URL', 'Secondary URL', 'Stream key'] as const) this.cell(column).classList.add('url', 'mono');
    for (const column of ['Bitrate', 'Dropped frames', 'Reconnects'] as const) this.cell(column).classList.add('num');
    this.cell('Last error').classList.add('error');
    this.cell('Stream key').classList.add('key');
    this.cell('Actions').classList.add('actions');
    this.element = h('tr', { 'data-destination-id': destination.id }, ...this.cells.values());
    this.setDestination(destination);
    this.graph.render(this.history, Date.now());
  }

  setDestination(destination: Destination): void {
    this.destination = destination;
    const name = destination.systemName;
    setText(this.cell('System name'), name);
    // One child per cell: on a phone each cell is a two-column grid (its label, then its content).
    replaceChildren(this.cell('Primary URL'), h('span', {}, ...breakableUrl(destination.primaryUrl)));
    replaceChildren(
      this.cell('Secondary URL'),
      destination.secondaryUrl === null
        ? '—'
        : h('span', {}, ...breakableUrl(destination.secondaryUrl), h('br'), h('span', { class: 'muted' }, destination.secondaryMode)),
    );
    setText(this.cell('Stream key'), destination.streamKey);
    this.graph.setSubject(name);
    this.toggle.checked = destination.enabled;
    this.toggle.setAttribute('aria-label', `Enabled: ${name}`);
    this.editButton.setAttribute('aria-label', `Edit ${name}`);
    this.deleteButton.setAttribute('aria-label', `Delete ${name}`);
  }

  update(status: DestinationStatus, now: number): void {
    this.live = status.state === 'live';
    this.badge.dataset['state'] = status.state;
    setText(this.badge, status.state);
    this.badge.title = `${status.state} since ${formatSince(status.since, now)}`;
    setText(this.cell('Active URL'), status.activeUrl === null ? '—' : (ACTIVE_URL_TEXT[status.activeUrl] ?? status.activeUrl));
    setText(this.bitrate, formatKbps(status.bitrateKbps));
    setText(this.cell('Dropped frames'), formatCount(status.droppedFrames));
    setText(this.cell('Reconnects'), formatCount(status.reconnects));
    setText(this.cell('Last error'), status.lastError ?? '—');
    this.cell('Last error').classList.toggle('has-error', status.lastError !== null);
    this.graph.render(this.history, now);
  }

  private cell(column: Column): HTMLTableCellElement {
    return this.cells.get(column)!;
  }
}

export class DestinationsTab {
  readonly element: HTMLElement;
  private readonly body = h('div');
  private readonly rows = new Map<string, DestinationRow>();
  private readonly histories = new Map<string, BitrateHistory>();
  private readonly actions: RowActions;
  private tbody: HTMLTableSectionElement | null = null;

  /** `onChanged`: a destination was added, edited, switched or deleted (reload the event and the status). */
  constructor(
    private readonly api: Api,
    private readonly eventId: string,
    private readonly onChanged: () => void,
  ) {
    const add = h('button', { type: 'button', class: 'btn btn-primary' }, '+ Add Stream');
    add.addEventListener('click', () => {
      void destinationDialog(this.api, this.eventId, null).then((created) => {
        if (created) this.onChanged();
      });
    });
    this.element = h(
      'section',
      { class: 'panel', 'aria-labelledby': 'destinations-title' },
      h('div', { class: 'page-head' }, h('h2', { id: 'destinations-title' }, 'Restream Destinations'), add),
      this.body,
    );
    this.actions = {
      edit: (destination) => {
        void destinationDialog(this.api, this.eventId, destination).then((saved) => {
          if (saved) this.onChanged();
        });
      },
      remove: (destination, live) => void this.remove(destination, live),
      toggle: (destination, enabled, control) => void this.toggle(destination, enabled, control),
    };
  }

  /** Shows `destinations`, keeping the rows (and their focus) of those already shown in this order. */
  setDestinations(destinations: readonly Destination[]): void {
    const sameRows = this.tbody !== null && destinations.length === this.rows.size && destinations.every((destination, i) => [...this.rows.keys()][i] === destination.id);
    if (sameRows) {
      for (const destination of destinations) this.rows.get(destination.id)?.setDestination(destination);
      return;
    }
    this.rows.clear();
    for (const id of [...this.histories.keys()]) if (!destinations.some((destination) => destination.id === id)) this.histories.delete(id);
    if (destinations.length === 0) {
      this.tbody = null;
      replaceChildren(this.body, h('p', { class: 'empty' }, 'No restream destinations yet. Add one with “Add Stream”: while the event is live, its stream goes to every enabled destination.'));
      return;
    }
    for (const destination of destinations) this.rows.set(destination.id, new DestinationRow(destination, this.history(destination.id), this.actions));
    this.tbody = h('tbody', {}, ...[...this.rows.values()].map((row) => row.element));
    const header = h('tr', {}, ...COLUMNS.map((column) => h('th', { scope: 'col' }, column)));
    replaceChildren(
      this.body,
      h(
        'div',
        { class: 'table-wrap' },
        h('table', { class: 'dest-table' }, h('caption', { class: 'visually-hidden' }, 'Restream destinations of this event and their live state'), h('thead', {}, header), this.tbody),
      ),
    );
  }

  /** Applies a status poll: the rows' live cells and the bitrate histories. */
  update(statuses: readonly DestinationStatus[], now: number): void {
    for (const status of statuses) {
      this.history(status.id).add(now, status.bitrateKbps);
      this.rows.get(status.id)?.update(status, now);
    }
  }

  private history(id: string): BitrateHistory {
    let history = this.histories.get(id);
    if (!history) {
      history = new BitrateHistory();
      this.histories.set(id, history);
    }
    return history;
  }

  private async remove(destination: Destination, live: boolean): Promise<void> {
    const confirmed = await confirmDialog({
      title: 'Delete destination?',
      message: h(
        'p',
        {},
        live ? `“${destination.systemName}” is live: deleting it ends its push now. ` : `Delete “${destination.systemName}”? `,
        'Its URLs and stream key are removed from this event.',
      ),
      confirmLabel: 'Delete',
      danger: true,
    });
    if (!confirmed) return;
    try {
      await this.api.deleteDestination(this.eventId, destination.id);
      toast(`Deleted ${destination.systemName}`);
    } catch (error) {
      toast(`Could not delete ${destination.systemName}: ${error instanceof Error ? error.message : 'unexpected error'}`);
    }
    this.onChanged();
  }

  private async toggle(destination: Destination, enabled: boolean, control: HTMLInputElement): Promise<void> {
    control.disabled = true;
    try {
      const stored = await this.api.updateDestination(this.eventId, destination.id, { enabled });
      this.rows.get(stored.id)?.setDestination(stored);
      toast(`${stored.systemName} ${stored.enabled ? 'enabled' : 'disabled'}`);
    } catch (error) {
      control.checked = !enabled;
      toast(`Could not switch ${destination.systemName}: ${error instanceof Error ? error.message : 'unexpected error'}`);
    } finally {
      control.disabled = false;
      control.focus();
    }
    this.onChanged();
  }
}
