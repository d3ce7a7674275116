// A small bitrate graph: the samples of the last few minutes as an SVG line over a filled area.
import { svg } from './dom.js';
import { formatKbps } from './format.js';

export const HISTORY_WINDOW_MS = 3 * 60_000;

interface Sample {
  readonly t: number;
  readonly kbps: number;
}

/** Bitrate samples over a sliding time window. */
export class BitrateHistory {
  private samples: Sample[] = [];

  constructor(readonly windowMs: number = HISTORY_WINDOW_MS) {}

  add(t: number, kbps: number): void {
    this.samples.push({ t, kbps: Number.isFinite(kbps) && kbps > 0 ? kbps : 0 });
    const oldest = t - this.windowMs;
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop]!.t < oldest) drop += 1;
    if (drop > 0) this.samples.splice(0, drop);
  }

  get points(): readonly Sample[] {
    return this.samples;
  }

  peak(): number {
    let peak = 0;
    for (const sample of this.samples) peak = Math.max(peak, sample.kbps);
    return peak;
  }
}

const WIDTH = 120;
const HEIGHT = 32;
/** The shortest time a graph spans, so the first samples do not stretch over the whole width. */
const MIN_SPAN_MS = 20_000;

function describeSpan(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  return `${Math.round(seconds / 60)} minutes`;
}

/** The SVG view of one BitrateHistory; render() redraws it in place. */
export class Sparkline {
  readonly element: SVGSVGElement;
  private readonly line: SVGPolylineElement;
  private readonly area: SVGPolygonElement;

  constructor(
    private subject: string,
    wide = false,
  ) {
    this.line = svg('polyline');
    this.area = svg('polygon');
    this.element = svg(
      'svg',
      { class: wide ? 'sparkline wide' : 'sparkline', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: 'none', role: 'img', 'data-samples': 0 },
      this.area,
      this.line,
    );
    this.element.setAttribute('aria-label', `${subject}: no bitrate samples yet`);
  }

  /** What the graph is of, in its accessible name (a destination can be renamed); shown at the next render. */
  setSubject(subject: string): void {
    this.subject = subject;
  }

  render(history: BitrateHistory, now: number): void {
    const points = history.points;
    const first = points[0];
    const last = points[points.length - 1];
    const peak = history.peak();
    // Scale to the peak with some headroom, so a steady stream draws a steady line mid-height; the
    // time axis spans the samples kept (at least MIN_SPAN_MS), so a new graph is not a dot at the edge.
    const scale = Math.max(peak * 1.25, 100);
    const spanMs = Math.min(history.windowMs, Math.max(MIN_SPAN_MS, first ? now - first.t : 0));
    const xOf = (t: number): number => Math.max(0, WIDTH - ((now - t) / spanMs) * WIDTH);
    const coordinates = points.map((sample) => `${xOf(sample.t).toFixed(1)},${(HEIGHT - 1 - (sample.kbps / scale) * (HEIGHT - 2)).toFixed(1)}`);
    this.line.setAttribute('points', coordinates.join(' '));
    this.area.setAttribute(
      'points',
      first && last && coordinates.length > 1 ? `${xOf(first.t).toFixed(1)},${HEIGHT} ${coordinates.join(' ')} ${xOf(last.t).toFixed(1)},${HEIGHT}` : '',
    );
    this.element.setAttribute('data-samples', String(points.length));
    this.element.setAttribute(
      'aria-label',
      last
        ? `${this.subject}: bitrate over the last ${describeSpan(spanMs)}, now ${formatKbps(last.kbps)}, peak ${formatKbps(peak)}`
        : `${this.subject}: no bitrate samples yet`,
    );
  }
}
