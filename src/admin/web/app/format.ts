// How numbers, times and codecs read on the page.
import type { AudioFacts, VideoFacts } from './types.js';

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export function formatKbps(kbps: number): string {
  return kbps >= 10_000 ? `${oneDecimal.format(kbps / 1000)} Mbps` : `${integer.format(kbps)} kbps`;
}

export function formatCount(value: number): string {
  return integer.format(value);
}

const CODEC_NAMES: Record<string, string> = { h264: 'H.264', hevc: 'HEVC', av1: 'AV1', vp9: 'VP9', aac: 'AAC', opus: 'Opus', mp3: 'MP3' };

export function codecName(codec: string): string {
  return CODEC_NAMES[codec] ?? codec.toUpperCase();
}

export function formatVideo(video: VideoFacts | null): string {
  if (!video) return '—';
  const fps = video.fps > 0 ? ` @ ${oneDecimal.format(video.fps)} fps` : '';
  const size = video.width > 0 && video.height > 0 ? ` ${video.width}×${video.height}` : '';
  return `${codecName(video.codec)}${size}${fps}`;
}

export function formatAudio(audio: AudioFacts | null): string {
  if (!audio) return '—';
  const rate = audio.sampleRate > 0 ? ` ${oneDecimal.format(audio.sampleRate / 1000)} kHz` : '';
  const channels = audio.channels === 1 ? ' mono' : audio.channels === 2 ? ' stereo' : audio.channels > 0 ? ` ${audio.channels} ch` : '';
  return `${codecName(audio.codec)}${rate}${channels}`;
}

/** "3 min ago", "just now"; `now` in ms. */
export function formatSince(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 10) return 'just now';
  if (seconds < 90) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string | null): string {
  if (iso === null) return '—';
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : dateTime.format(time);
}

/** An ISO date-time as the value of an <input type=datetime-local> (local time, minutes). */
export function toLocalInput(iso: string | null): string {
  if (iso === null) return '';
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return '';
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}T${pad(time.getHours())}:${pad(time.getMinutes())}`;
}

/** An <input type=datetime-local> value as ISO 8601 UTC, or null when empty. */
export function fromLocalInput(value: string): string | null {
  if (value.trim() === '') return null;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? value : time.toISOString().replace(/\.000Z$/, 'Z');
}
