// The events list: every event with its live state, create, rename and delete.
import { isNetworkError } from './api.js';
import { h, replaceChildren, setText } from './dom.js';
import { deleteEventFlow, editEventDialog } from './event-dialog.js';
import { formatDateTime } from './format.js';
import { Poller } from './poller.js';
import type { RelayEvent } from './types.js';
import type { Session, View } from './view.js';

const STATE_POLL_MS = 3000;

export function eventsView(container: HTMLElement, session: Session): View {
  const { api } = session;
  const banner = h('p', { class: 'banner', role: 'status' });
  const listArea = h('div', {}, h('p', { class: 'muted' }, 'Loading events…'));
  const badges = new Map<string, HTMLElement>();
  let events: RelayEvent[] = [];
  let loaded = false;
  let destroyed = false;

  const createButton = h('button', { type: 'button', class: 'btn btn-primary' }, 'New event');
  createButton.addEventListener('click', () => {
    void editEventDialog(api, null).then((created) => {
      if (created && !destroyed) session.navigate(`#/events/${encodeURIComponent(created.id)}`);
    });
  });

  container.replaceChildren(
    h('div', { class: 'page-head' }, h('div', { class: 'title' }, h('h1', {}, 'Events')), createButton),
    banner,
    h('section', { class: 'panel', 'aria-label': 'Events' }, listArea),
  );

  const row = (event: RelayEvent): HTMLTableRowElement => {
    const href = `#/events/${encodeURIComponent(event.id)}`;
    const badge = h('span', { class: 'badge', 'data-state': 'offline' }, 'offline');
    badges.set(event.id, badge);
    const rename = h('button', { type: 'button', class: 'btn btn-icon', 'aria-label': `Edit ${event.name}`, title: 'Edit (rename, reschedule)' }, '✎');
    rename.addEventListener('click', () => {
      void editEventDialog(api, event).then((saved) => {
        if (saved) void load();
      });
    });
    const remove = h('button', { type: 'button', class: 'btn btn-icon btn-danger', 'aria-label': `Delete ${event.name}`, title: 'Delete' }, '×');
    remove.addEventListener('click', () => {
      void deleteEventFlow(api, event, () => poller.pause()).then((deleted) => {
        if (destroyed) return;
        if (deleted) {
          events = events.filter((candidate) => candidate.id !== event.id);
          render();
          container.focus(); // its row, and the button that had the focus, are gone
        }
        poller.start();
      });
    });
    const count = event.destinations.length;
    return h(
      'tr',
      { 'data-event-id': event.id },
      h('td', { 'data-label': 'Name' }, h('a', { href }, event.name)),
      h('td', { 'data-label': 'Type' }, event.type === 'townhall' ? 'Town hall' : 'Webcast'),
      h('td', { 'data-label': 'Ingest' }, badge),
      h('td', { 'data-label': 'Destinations' }, `${count}`),
      h('td', { 'data-label': 'Scheduled' }, event.scheduledStart ? formatDateTime(event.scheduledStart) : '—'),
      h('td', { 'data-label': 'Actions', class: 'actions' }, h('span', { class: 'row' }, rename, remove)),
    );
  };

  const render = (): void => {
    badges.clear();
    if (events.length === 0) {
      replaceChildren(listArea, h('p', { class: 'empty' }, 'No events yet. Create one to get an ingest URL and stream key for your encoder.'));
      return;
    }
    const header = ['Name', 'Type', 'Ingest', 'Destinations', 'Scheduled', 'Actions'].map((title) => h('th', { scope: 'col' }, title));
    replaceChildren(
      listArea,
      h('div', { class: 'table-wrap' }, h('table', { class: 'events-table' }, h('thead', {}, h('tr', {}, ...header)), h('tbody', {}, ...events.map(row)))),
    );
  };

  const load = async (): Promise<void> => {
    try {
      const list = await api.listEvents();
      if (destroyed) return;
      events = [...list.events].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      loaded = true;
      setText(banner, '');
      render();
      poller.runNow();
    } catch (error) {
      if (!destroyed) setText(banner, isNetworkError(error) ? 'The relay is not answering. Retrying…' : `Could not load the events: ${(error as Error).message}`);
    }
  };

  // The live badges: one status request per event, a few seconds apart (and the list, until it loads).
  const poller = new Poller(async () => {
    if (!loaded) await load();
    const shown = events;
    await Promise.all(
      shown.map(async (event) => {
        const status = await api.status(event.id).catch(() => null);
        const badge = badges.get(event.id);
        if (!status || !badge) return;
        badge.dataset['state'] = status.ingest.state;
        setText(badge, status.ingest.state);
      }),
    );
  }, STATE_POLL_MS);

  poller.start();
  return {
    destroy: () => {
      destroyed = true;
      poller.stop();
    },
  };
}
