// An event's page: its name and actions, the ingest's live line, and two tabs: the ingest (encoder
// settings, live state) and the Restream Destinations. The status route is polled every 1.5 s.
import { ApiError, isNetworkError } from './api.js';
import { DestinationsTab } from './destinations.js';
import { h, replaceChildren, setText } from './dom.js';
import { deleteEventFlow, editEventDialog } from './event-dialog.js';
import { formatDateTime } from './format.js';
import { IngestPanel, IngestSummary } from './ingest-panel.js';
import { Poller } from './poller.js';
import { BitrateHistory } from './sparkline.js';
import type { RelayEvent } from './types.js';
import type { Session, View } from './view.js';

export type EventTab = 'ingest' | 'destinations';

const STATUS_POLL_MS = 1500;
const TABS: ReadonlyArray<readonly [EventTab, string]> = [
  ['ingest', 'Ingest'],
  ['destinations', 'Restream Destinations'],
];

export class EventPage implements View {
  private readonly poller: Poller;
  private readonly banner = h('p', { class: 'banner', role: 'status' });
  private readonly ingestHistory = new BitrateHistory();
  private readonly tabButtons = new Map<EventTab, HTMLButtonElement>();
  private readonly tabPanels = new Map<EventTab, HTMLElement>();
  private event: RelayEvent | null = null;
  private ingest: IngestPanel | null = null;
  private summary: IngestSummary | null = null;
  private destinations: DestinationsTab | null = null;
  private heading: HTMLHeadingElement | null = null;
  private meta: HTMLElement | null = null;
  private destroyed = false;

  constructor(
    private readonly container: HTMLElement,
    private readonly session: Session,
    readonly eventId: string,
    private tab: EventTab,
  ) {
    container.replaceChildren(h('p', { class: 'muted' }, 'Loading the event…'));
    this.poller = new Poller(() => this.poll(), STATUS_POLL_MS);
    void this.load();
  }

  destroy(): void {
    this.destroyed = true;
    this.poller.stop();
  }

  selectTab(tab: EventTab, focus = false): void {
    this.tab = tab;
    for (const [name, button] of this.tabButtons) {
      const selected = name === tab;
      button.setAttribute('aria-selected', String(selected));
      button.tabIndex = selected ? 0 : -1;
      if (selected && focus) button.focus();
    }
    for (const [name, panel] of this.tabPanels) panel.hidden = name !== tab;
  }

  private async load(): Promise<void> {
    try {
      const event = await this.session.api.getEvent(this.eventId);
      if (this.destroyed) return;
      this.render(event);
      this.poller.start();
    } catch (error) {
      if (this.destroyed) return;
      if (error instanceof ApiError && error.status === 404) this.renderMissing();
      else {
        replaceChildren(this.container, this.banner);
        setText(this.banner, `Could not load the event: ${(error as Error).message}. Retrying…`);
        window.setTimeout(() => void (this.destroyed ? undefined : this.load()), 3000);
      }
    }
  }

  /** After a change (here or elsewhere): the event as stored, then the status at once. */
  private async reload(): Promise<void> {
    try {
      const event = await this.session.api.getEvent(this.eventId);
      if (this.destroyed) return;
      this.setEvent(event);
      this.poller.runNow();
    } catch (error) {
      if (!this.destroyed && error instanceof ApiError && error.status === 404) this.renderMissing();
    }
  }

  private setEvent(event: RelayEvent): void {
    this.event = event;
    if (this.heading) setText(this.heading, event.name);
    if (this.meta) setText(this.meta, this.metaText(event));
    this.ingest?.setEvent(event);
    this.destinations?.setDestinations(event.destinations);
    const count = this.tabButtons.get('destinations');
    if (count) setText(count, `Restream Destinations (${event.destinations.length})`);
    document.title = `${event.name} · rtmp-relay admin`;
  }

  private metaText(event: RelayEvent): string {
    const type = event.type === 'townhall' ? 'Town hall' : 'Webcast';
    const schedule = event.scheduledStart ? ` · starts ${formatDateTime(event.scheduledStart)}` : '';
    const end = event.scheduledEnd ? ` · ends ${formatDateTime(event.scheduledEnd)}` : '';
    return `${type}${schedule}${end}`;
  }

  private render(event: RelayEvent): void {
    const api = this.session.api;
    this.heading = h('h1', {});
    this.meta = h('p', { class: 'muted' });
    this.summary = new IngestSummary();
    this.ingest = new IngestPanel(api, event, (changed) => this.setEvent(changed));
    this.destinations = new DestinationsTab(api, event.id, () => void this.reload());

    const edit = h('button', { type: 'button', class: 'btn' }, 'Edit event');
    edit.addEventListener('click', () => {
      if (!this.event) return;
      void editEventDialog(api, this.event).then((saved) => {
        if (saved && !this.destroyed) this.setEvent(saved);
      });
    });
    const remove = h('button', { type: 'button', class: 'btn btn-danger' }, 'Delete event');
    remove.addEventListener('click', () => {
      if (!this.event) return;
      void deleteEventFlow(api, this.event, () => this.poller.pause()).then((deleted) => {
        if (this.destroyed) return;
        if (deleted) this.session.navigate('#/');
        else this.poller.start();
      });
    });

    const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Event sections' });
    const panels: HTMLElement[] = [];
    for (const [name, label] of TABS) {
      const button = h('button', { type: 'button', class: 'tab', role: 'tab', id: `tab-${name}`, 'aria-controls': `panel-${name}` }, label);
      button.addEventListener('click', () => this.session.navigate(this.hashOf(name)));
      button.addEventListener('keydown', (keyEvent) => this.onTabKey(keyEvent, name));
      tablist.append(button);
      this.tabButtons.set(name, button);
      const content = name === 'ingest' ? this.ingest.element : this.destinations.element;
      const panel = h('div', { role: 'tabpanel', id: `panel-${name}`, 'aria-labelledby': `tab-${name}` }, content);
      panels.push(panel);
      this.tabPanels.set(name, panel);
    }

    replaceChildren(
      this.container,
      h('a', { class: 'back', href: '#/' }, '← All events'),
      h('div', { class: 'page-head' }, h('div', { class: 'title' }, this.heading, this.meta), h('div', { class: 'row' }, edit, remove)),
      this.summary.element,
      this.banner,
      tablist,
      ...panels,
    );
    this.setEvent(event);
    this.selectTab(this.tab);
  }

  private renderMissing(): void {
    this.poller.stop();
    replaceChildren(
      this.container,
      h('section', { class: 'panel' }, h('h1', {}, 'No such event'), h('p', {}, 'This event does not exist (it may have been deleted). '), h('a', { href: '#/' }, '← All events')),
    );
  }

  private hashOf(tab: EventTab): string {
    const base = `#/events/${encodeURIComponent(this.eventId)}`;
    return tab === 'destinations' ? `${base}/destinations` : base;
  }

  /** Arrow keys, Home and End move between the tabs (WAI-ARIA tabs pattern, automatic activation). */
  private onTabKey(event: KeyboardEvent, current: EventTab): void {
    const names = TABS.map(([name]) => name);
    const index = names.indexOf(current);
    let next: EventTab | undefined;
    if (event.key === 'ArrowRight') next = names[(index + 1) % names.length];
    else if (event.key === 'ArrowLeft') next = names[(index - 1 + names.length) % names.length];
    else if (event.key === 'Home') next = names[0];
    else if (event.key === 'End') next = names[names.length - 1];
    if (next === undefined) return;
    event.preventDefault();
    this.selectTab(next, true);
    window.history.replaceState(null, '', this.hashOf(next));
  }

  private async poll(): Promise<void> {
    let status;
    try {
      status = await this.session.api.status(this.eventId);
    } catch (error) {
      if (this.destroyed) return;
      if (error instanceof ApiError && error.status === 404) this.renderMissing();
      else setText(this.banner, isNetworkError(error) ? 'The relay is not answering. Retrying…' : `Could not read the live state: ${(error as Error).message}`);
      return;
    }
    if (this.destroyed) return;
    setText(this.banner, '');
    const now = Date.now();
    this.ingestHistory.add(now, status.ingest.state === 'live' ? status.ingest.bitrateKbps : 0);
    this.summary?.update(status.ingest);
    this.ingest?.update(status.ingest, this.ingestHistory, now);
    this.destinations?.update(status.destinations, now);
    // Destinations added or removed elsewhere (another tab, the API): fetch the event again.
    const known = this.event?.destinations.map((destination) => destination.id).join(',') ?? '';
    if (status.destinations.map((destination) => destination.id).join(',') !== known) void this.reload();
  }
}
