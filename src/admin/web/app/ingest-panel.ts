// The event's ingest: what to give the encoder (server URL, stream key: copy, show, rotate) and the
// live state of the ingest (codec, resolution, fps, bitrate with its graph).
import type { Api } from './api.js';
import { copyText } from './clipboard.js';
import { confirmDialog } from './dialogs.js';
import { h, setText, toast, uniqueId } from './dom.js';
import { formatAudio, formatKbps, formatSince, formatVideo } from './format.js';
import { Sparkline, type BitrateHistory } from './sparkline.js';
import type { IngestStatus, RelayEvent } from './types.js';

function copyRow(label: string, input: HTMLInputElement, extra: HTMLElement[] = []): { row: HTMLElement; copy: HTMLButtonElement } {
  const copy = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Copy ${label.toLowerCase()}` }, 'Copy');
  copy.addEventListener('click', () => {
    void copyText(input.value, input).then((ok) => toast(ok ? `${label} copied` : `Could not copy: select the ${label.toLowerCase()} and copy it by hand`));
  });
  return { row: h('div', { class: 'copy-row' }, input, ...extra, copy), copy };
}

/** The compact live line shown on every tab: state badge, video, bitrate. */
export class IngestSummary {
  readonly element: HTMLElement;
  private readonly badge = h('span', { class: 'badge', 'data-state': 'offline' }, 'offline');
  private readonly detail = h('span', { class: 'muted' });

  constructor() {
    this.element = h('div', { class: 'row ingest-line', role: 'group', 'aria-label': 'Ingest state' }, h('span', {}, 'Ingest'), this.badge, this.detail);
  }

  update(ingest: IngestStatus): void {
    this.badge.dataset['state'] = ingest.state;
    setText(this.badge, ingest.state);
    setText(this.detail, ingest.state === 'live' ? `${formatVideo(ingest.video)} · ${formatKbps(ingest.bitrateKbps)}` : `since ${formatSince(ingest.since)}`);
  }
}

export class IngestPanel {
  readonly element: HTMLElement;
  private readonly urlInput: HTMLInputElement;
  private readonly keyInput: HTMLInputElement;
  private readonly badge = h('span', { class: 'badge', 'data-state': 'offline' }, 'offline');
  private readonly since = h('span', { class: 'muted' });
  private readonly video = h('dd', {}, '—');
  private readonly audio = h('dd', {}, '—');
  private readonly bitrate = h('span', { class: 'value' }, '—');
  private readonly source = h('dd', {}, '—');
  private readonly graph = new Sparkline('Ingest', true);

  constructor(
    private readonly api: Api,
    private event: RelayEvent,
    private readonly onEventChanged: (event: RelayEvent) => void,
  ) {
    const urlId = uniqueId('ingest-url');
    const keyId = uniqueId('ingest-key');
    this.urlInput = h('input', { type: 'text', id: urlId, readonly: true, spellcheck: 'false' });
    this.keyInput = h('input', { type: 'password', id: keyId, readonly: true, spellcheck: 'false', autocomplete: 'off' });
    const show = h('button', { type: 'button', class: 'btn btn-small', 'aria-pressed': 'false', 'aria-controls': keyId }, 'Show');
    show.addEventListener('click', () => {
      const visible = this.keyInput.type === 'password';
      this.keyInput.type = visible ? 'text' : 'password';
      show.setAttribute('aria-pressed', String(visible));
      setText(show, visible ? 'Hide' : 'Show');
    });
    const rotate = h('button', { type: 'button', class: 'btn btn-small btn-danger' }, 'Rotate key');
    rotate.addEventListener('click', () => void this.rotate(rotate));
    this.setEvent(event);

    const settings = h(
      'section',
      { class: 'panel', 'aria-labelledby': 'encoder-title' },
      h('h2', { id: 'encoder-title' }, 'Encoder settings'),
      h('div', { class: 'field' }, h('label', { for: urlId }, 'Ingest URL (server)'), copyRow('Ingest URL', this.urlInput).row),
      h('div', { class: 'field' }, h('label', { for: keyId }, 'Stream key'), copyRow('Stream key', this.keyInput, [show]).row),
      h('div', { class: 'row' }, rotate, h('span', { class: 'hint muted' }, 'A new key refuses the old one from now on; a live encoder keeps going.')),
      h('p', { class: 'hint muted' }, 'In OBS: Settings → Stream → Service “Custom…”, then the server and the stream key above.'),
    );
    const live = h(
      'section',
      { class: 'panel', 'aria-labelledby': 'live-title' },
      h('h2', { id: 'live-title' }, 'Live ingest'),
      h(
        'dl',
        { class: 'kv' },
        h('dt', {}, 'State'),
        h('dd', { class: 'row' }, this.badge, this.since),
        h('dt', {}, 'Video'),
        this.video,
        h('dt', {}, 'Audio'),
        this.audio,
        h('dt', {}, 'Bitrate'),
        h('dd', { class: 'bitrate' }, this.bitrate, this.graph.element),
        h('dt', {}, 'Encoder address'),
        this.source,
      ),
    );
    this.element = h('div', { class: 'grid-2' }, settings, live);
  }

  setEvent(event: RelayEvent): void {
    this.event = event;
    this.urlInput.value = event.ingestUrl;
    this.keyInput.value = event.ingestKey;
  }

  update(ingest: IngestStatus, history: BitrateHistory, now: number): void {
    this.badge.dataset['state'] = ingest.state;
    setText(this.badge, ingest.state);
    setText(this.since, `since ${formatSince(ingest.since, now)}`);
    setText(this.video, formatVideo(ingest.video));
    setText(this.audio, formatAudio(ingest.audio));
    setText(this.bitrate, ingest.state === 'live' ? formatKbps(ingest.bitrateKbps) : '—');
    setText(this.source, ingest.remoteAddress ?? '—');
    this.graph.render(history, now);
  }

  private async rotate(button: HTMLButtonElement): Promise<void> {
    const confirmed = await confirmDialog({
      title: 'Rotate the ingest key?',
      message: [
        h('p', {}, 'A new stream key is made for this event. The current key is refused from now on, also for an encoder that reconnects.'),
        h('p', {}, 'An encoder that is live now keeps going. Give the new key to your encoder before its next start.'),
      ],
      confirmLabel: 'Rotate key',
      danger: true,
    });
    if (!confirmed) return;
    button.disabled = true;
    try {
      const event = await this.api.rotateIngestKey(this.event.id);
      this.setEvent(event);
      this.onEventChanged(event);
      toast('New stream key made');
    } catch (error) {
      toast(`Could not rotate the key: ${error instanceof Error ? error.message : 'unexpected error'}`);
    } finally {
      button.disabled = false;
    }
  }
}
