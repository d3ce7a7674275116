// What the router needs of a page view.
import type { Api } from './api.js';

export interface View {
  /** Stops the view's timers and pending work; its DOM is replaced by the next view. */
  destroy(): void;
}

export interface Session {
  readonly api: Api;
  /** Goes to `#/…` (the router renders it). */
  navigate(hash: string): void;
}
