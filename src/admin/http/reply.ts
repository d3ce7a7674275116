import type { ServerResponse } from 'node:http';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * The response a handler builds: a status, headers and one payload. Nothing is written until the
 * request is done with (writeReply), so the pipeline can still add headers after the handler.
 */
export class Reply {
  statusCode = 200;
  /** Lower-cased names, in the order they were first set (the order they go on the wire). */
  private readonly headers = new Map<string, string>();
  private body: string | Buffer | undefined;
  private finished = false;

  /** True once send() was called: later calls to send() are ignored. */
  get sent(): boolean {
    return this.finished;
  }

  get payload(): string | Buffer | undefined {
    return this.body;
  }

  code(status: number): this {
    this.statusCode = status;
    return this;
  }

  header(name: string, value: string): this {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }

  hasHeader(name: string): boolean {
    return this.headers.has(name.toLowerCase());
  }

  removeHeader(name: string): this {
    this.headers.delete(name.toLowerCase());
    return this;
  }

  type(contentType: string): this {
    return this.header('content-type', contentType);
  }

  /**
   * Ends the reply. A string or a Buffer goes out as it is (text/plain or octet-stream unless a
   * type was set); any other value as JSON; nothing, as no body.
   */
  send(payload?: unknown): this {
    if (this.finished) return this;
    if (Buffer.isBuffer(payload) || typeof payload === 'string') {
      if (!this.hasHeader('content-type')) this.type(typeof payload === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
      this.body = payload;
    } else if (payload !== undefined) {
      this.body = JSON.stringify(payload);
      if (!this.hasHeader('content-type')) this.type(JSON_CONTENT_TYPE);
    }
    this.finished = true;
    return this;
  }

  /** The headers to write: Content-Length from the body, none of the body headers on a 204. */
  headersToWrite(): Record<string, string> {
    const headers = new Map(this.headers);
    const status = this.statusCode;
    if (status === 204 || status < 200) {
      headers.delete('content-type');
      headers.delete('content-length');
    } else if (this.body !== undefined) {
      headers.set('content-length', String(Buffer.byteLength(this.body)));
    } else if (status !== 304) {
      headers.set('content-length', '0');
    }
    return Object.fromEntries(headers);
  }
}

/** Writes the reply (for HEAD, node:http leaves the body out and keeps its Content-Length). */
export function writeReply(response: ServerResponse, reply: Reply): void {
  response.writeHead(reply.statusCode, reply.headersToWrite());
  const body = reply.statusCode === 204 || reply.statusCode < 200 ? undefined : reply.payload;
  response.end(body);
}
