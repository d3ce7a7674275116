// The HTML document of the admin web page. Everything it loads comes from this server (no CDN):
// the stylesheet and the browser modules compiled from ./app by tsconfig.web.json.

/** Served with every page response: the page runs only our own scripts and styles and talks only to us. */
export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>rtmp-relay admin</title>
<link rel="icon" href="/web/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/web/styles.css">
<script type="module" src="/web/main.js"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="topbar">
  <a class="brand" href="#/">rtmp-relay</a>
  <nav class="topbar-actions" id="topbar-actions" aria-label="Session"></nav>
</header>
<main id="main" tabindex="-1">
  <p class="boot">Loading the admin page…</p>
  <noscript><p>This page needs JavaScript. The admin API is under <code>/api/</code>
  (send <code>Authorization: Bearer &lt;token&gt;</code>).</p></noscript>
</main>
<div class="toast" id="toast" role="status" aria-live="polite"></div>
</body>
</html>
`;

/** A small mark for the browser tab (also spares the browser a 404 on /favicon.ico). */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#1f5fbf"/>
<circle cx="11" cy="16" r="4" fill="#fff"/>
<path d="M17 10l9 6-9 6z" fill="#fff"/>
</svg>
`;
