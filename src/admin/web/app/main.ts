// The admin page: sign-in, then a hash router over the events list and the event pages.
//   #/                          events
//   #/events/{id}               an event: ingest settings and live state
//   #/events/{id}/destinations  its Restream Destinations
import { Api } from './api.js';
import { byId, h } from './dom.js';
import { EventPage, type EventTab } from './event-page.js';
import { eventsView } from './events.js';
import { signInView } from './signin.js';
import type { Session, View } from './view.js';

const TOKEN_KEY = 'rtmp-relay.admin-token';

type Route = { readonly page: 'events' } | { readonly page: 'event'; readonly id: string; readonly tab: EventTab };

/** The route of `hash`; null for an in-page anchor (`#main`), which is not a route. */
function parseRoute(hash: string): Route | null {
  if (hash !== '' && !hash.startsWith('#/')) return null;
  const match = /^#\/events\/([^/]+)(?:\/(destinations))?$/.exec(hash);
  if (!match?.[1]) return { page: 'events' };
  return { page: 'event', id: decodeURIComponent(match[1]), tab: match[2] === 'destinations' ? 'destinations' : 'ingest' };
}

function storedToken(): string | null {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function storeToken(token: string | null): void {
  try {
    if (token === null) window.sessionStorage.removeItem(TOKEN_KEY);
    else window.sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage refused (private mode, policy): the token then lives only as long as this page.
  }
}

class App {
  private readonly main = byId('main');
  private readonly topbarActions = byId('topbar-actions');
  private view: View | null = null;
  private session: Session | null = null;

  start(): void {
    window.addEventListener('hashchange', () => this.route(true));
    // The skip link moves focus only: its `#main` must not reach the router.
    document.querySelector('.skip-link')?.addEventListener('click', (event) => {
      event.preventDefault();
      this.main.focus();
    });
    const token = storedToken();
    if (token === null) this.showSignIn(null);
    else this.signIn(token, false);
  }

  private signIn(token: string, moveFocus: boolean): void {
    storeToken(token);
    const api = new Api(token);
    api.onUnauthorized = () => {
      if (this.session?.api === api) this.signOut('The relay no longer accepts the token this tab signed in with. Sign in again.');
    };
    this.session = { api, navigate: (hash) => this.navigate(hash) };
    this.topbarActions.replaceChildren(
      h('button', { type: 'button', class: 'btn btn-small', onClick: () => this.signOut('Signed out.') }, 'Sign out'),
    );
    this.route(moveFocus);
  }

  private signOut(notice: string): void {
    storeToken(null);
    this.session = null;
    this.topbarActions.replaceChildren();
    this.showSignIn(notice);
  }

  private showSignIn(notice: string | null): void {
    this.replaceView(signInView(this.main, notice, (token) => this.signIn(token, true)));
  }

  private navigate(hash: string): void {
    if (window.location.hash === hash) this.route(true);
    else window.location.hash = hash;
  }

  private route(moveFocus: boolean): void {
    const session = this.session;
    if (!session) return;
    const route = parseRoute(window.location.hash);
    if (route === null) return;
    if (route.page === 'event' && this.view instanceof EventPage && this.view.eventId === route.id) {
      this.view.selectTab(route.tab);
      return;
    }
    if (route.page === 'event') this.replaceView(new EventPage(this.main, session, route.id, route.tab));
    else this.replaceView(eventsView(this.main, session));
    // Tell keyboard and screen-reader users that the page changed.
    if (moveFocus) this.main.focus();
  }

  private replaceView(view: View): void {
    this.view?.destroy();
    this.view = view;
  }
}

new App().start();
