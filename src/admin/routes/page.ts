import { Problem } from '../../domain/errors.js';
import { sendProblem } from '../http-errors.js';
import type { AdminApp } from '../http/app.js';
import type { Reply } from '../http/reply.js';
import { loadBrowserModules, type WebAsset } from '../web/assets.js';
import { FAVICON_SVG, PAGE_CONTENT_SECURITY_POLICY, PAGE_HTML } from '../web/shell.js';
import { PAGE_CSS } from '../web/styles.js';

function sendAsset(reply: Reply, asset: WebAsset): Reply {
  // Revalidated on every load, so a new version of the relay is picked up at once.
  return reply
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .type(asset.contentType)
    .send(asset.body);
}

/**
 * `GET /` (the admin web page) and `GET /web/{name}` (its stylesheet, icon and browser modules), all
 * public: the page asks for the admin token itself and sends it with every API call.
 */
export function registerPageRoutes(app: AdminApp, modules: Map<string, WebAsset> = loadBrowserModules()): void {
  const assets = new Map<string, WebAsset>(modules);
  assets.set('styles.css', { contentType: 'text/css; charset=utf-8', body: Buffer.from(PAGE_CSS) });
  assets.set('favicon.svg', { contentType: 'image/svg+xml', body: Buffer.from(FAVICON_SVG) });
  const page = Buffer.from(PAGE_HTML);

  app.get(
    '/',
    {
      public: true,
      doc: {
        operationId: 'getPage',
        tag: 'Web page',
        summary: 'The admin web page (it asks for the token and keeps it in the browser session)',
        responses: { 200: { description: 'the page', contentTypes: ['text/html; charset=utf-8'] } },
      },
    },
    async (_request, reply) =>
    reply
      .header('content-security-policy', PAGE_CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(page),
  );

  app.get(
    '/web/:name',
    {
      public: true,
      doc: {
        operationId: 'getPageFile',
        tag: 'Web page',
        summary: 'A file of the admin page: its stylesheet, icon and browser modules',
        responses: { 200: { description: 'the file', contentTypes: [...new Set([...assets.values()].map((asset) => asset.contentType))] } },
      },
    },
    async (request, reply) => {
      const asset = assets.get(request.params.name);
      return asset ? sendAsset(reply, asset) : sendProblem(reply, new Problem('not_found', 'there is no such file of the admin page'));
    },
  );
}
