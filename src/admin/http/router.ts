/**
 * Method + path routing for the admin API, without sockets: a request target in, a route and its
 * decoded parameters out. It reproduces what the API answered when it ran on fastify's router
 * (find-my-way, default options), for patterns made of static and `:param` segments:
 *
 * - the query string and a fragment are ignored; an absolute-form target (`http://host/path`) is
 *   routed by its path, and `*` like `/`;
 * - case-sensitive, no trailing-slash or duplicate-slash folding (`/api/events/` is `:id` = "");
 * - segments are percent-decoded (`%2F` inside a parameter does not split it); a bad encoding, or
 *   a parameter over 100 characters when no route matches, is a bad URL (400), not a 404.
 */

/** find-my-way's default maxParamLength. */
export const MAX_PARAM_LENGTH = 100;

type Segment = { readonly kind: 'static'; readonly text: string } | { readonly kind: 'param'; readonly name: string };

type ParamNames<Pattern extends string> = Pattern extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : Pattern extends `${string}:${infer Name}`
    ? Name
    : never;

/** The parameters of a pattern, by name: `'/a/:id/b/:destId'` → `{ id: string; destId: string }`. */
export type Params<Pattern extends string> = { readonly [Name in ParamNames<Pattern>]: string };

export type Lookup<T> =
  | { readonly kind: 'found'; readonly route: T; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'bad-url' };

interface Entry<T> {
  readonly segments: readonly Segment[];
  readonly route: T;
}

export class Router<T> {
  private readonly byMethod = new Map<string, Entry<T>[]>();

  /** `pattern` starts with `/`; a segment `:name` is a parameter, any other segment matches itself. */
  add(method: string, pattern: string, route: T): void {
    if (!pattern.startsWith('/')) throw new Error(`a route pattern starts with /: ${pattern}`);
    const segments = pattern
      .slice(1)
      .split('/')
      .map((part): Segment => (part.startsWith(':') ? { kind: 'param', name: part.slice(1) } : { kind: 'static', text: part }));
    const entries = this.byMethod.get(method) ?? [];
    entries.push({ segments, route });
    this.byMethod.set(method, entries);
  }

  /** The route for `method` and `target` (the request line's target, query string included). */
  find(method: string, target: string): Lookup<T> {
    const path = pathOf(target);
    if (path === null) return { kind: 'bad-url' };
    const segments = decodeSegments(path);
    if (segments === null) return { kind: 'bad-url' };
    let paramTooLong = false;
    for (const entry of this.byMethod.get(method) ?? []) {
      const match = matchSegments(entry.segments, segments);
      if (match === 'param-too-long') paramTooLong = true;
      else if (match !== null) return { kind: 'found', route: entry.route, params: match };
    }
    return paramTooLong ? { kind: 'bad-url' } : { kind: 'not-found' };
  }
}

/** The path of a request target, without query string or fragment; null if it is not a valid target. */
export function pathOf(target: string): string | null {
  let path: string | null = target;
  if (target === '*') path = '/';
  else if (!target.startsWith('/')) path = absoluteFormPath(target);
  if (path === null) return null;
  const end = path.search(/[?#]/);
  return end === -1 ? path : path.slice(0, end);
}

/** `http://host[:port][/path][?query]` → `/path[?query]`, as find-my-way reads an absolute-form target. */
function absoluteFormPath(target: string): string | null {
  const schemeEnd = target.indexOf('://');
  if (schemeEnd === -1) return null;
  const scheme = target.slice(0, schemeEnd).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return null;
  const authorityStart = schemeEnd + 3;
  const pathStart = target.indexOf('/', authorityStart);
  const queryStart = target.indexOf('?', authorityStart);
  let authorityEnd = pathStart === -1 ? target.length : pathStart;
  if (queryStart !== -1 && queryStart < authorityEnd) authorityEnd = queryStart;
  // A fragment is not valid in a request target; an empty authority is not a URL.
  if (target.includes('#', authorityStart) || authorityEnd === authorityStart) return null;
  const url = URL.canParse(target) ? new URL(target) : null;
  if (url === null || url.protocol !== `${scheme}:` || url.host.length === 0) return null;
  if (authorityEnd === target.length) return '/';
  if (authorityEnd === queryStart) return `/${target.slice(queryStart)}`;
  return target.slice(pathStart);
}

/** The path's segments, each percent-decoded on its own; null if an escape is malformed. */
export function decodeSegments(path: string): string[] | null {
  const segments = path.slice(1).split('/');
  try {
    return segments.map((segment) => (segment.includes('%') ? decodeURIComponent(segment) : segment));
  } catch {
    return null;
  }
}

function matchSegments(pattern: readonly Segment[], segments: readonly string[]): Record<string, string> | 'param-too-long' | null {
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index];
    if (segment === undefined) return null;
    if (part.kind === 'static') {
      if (segment !== part.text) return null;
    } else {
      // find-my-way gives up on a parameter longer than this; if nothing else matches, the URL is bad.
      if (segment.length > MAX_PARAM_LENGTH) return 'param-too-long';
      params[part.name] = segment;
    }
  }
  return segments.length === pattern.length ? params : null;
}
