import { readFile, stat } from 'node:fs/promises';
import type http from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

/**
 * The headless dashboard's web page: the built renderer (`dist/renderer/`),
 * served next to the control WebSocket on the dashboard port.
 *
 * - The page itself (`/`, `/index.html`) needs the token (`?token=`), like
 *   the WebSocket: without it a browser gets 401 and a page saying where the
 *   right address is. The token stays out of other sites' logs
 *   (`Referrer-Policy: no-referrer`), and the page cannot be framed.
 * - The browser viewer (`/viewer`, `/viewer/`: `viewer/index.html`) is
 *   served without the token: it only connects to /websockify, where the VNC
 *   password (or an invitation) is what lets a viewer in, and it must open
 *   for people who are not given the dashboard. Its policy lets it talk to
 *   this origin alone and keeps it out of frames (no clickjacking of a
 *   remote desktop).
 * - `/assets/…` (the hashed scripts and styles) are served to anyone: they
 *   are the same files as in the published package and hold no secrets.
 * - Nothing else is served, so a built file that is not part of the
 *   dashboard (the tray app's capture page) stays unreachable.
 */

/** Where `npm run build` puts the renderer: `<package>/dist/renderer` (this file is `<package>/{src,dist}/main/app/`). */
export function defaultDashboardRoot(): string {
  return resolve(import.meta.dirname, '..', '..', '..', 'dist', 'renderer');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** Scripts and styles from our own origin only; the WebSocket goes back to it too. */
const PAGE_CSP = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  // React and the chart library set element styles at run time.
  "style-src 'self' 'unsafe-inline'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

/**
 * The viewer's: stricter than the dashboard's (no inline styles; noVNC sets
 * element styles from script, which a policy does not restrict). `data:`
 * images are the remote cursor noVNC draws as a CSS cursor. The WebSocket to
 * /websockify on the same host and port counts as 'self' in browsers that
 * follow CSP 3 (ws: for an http: page, wss: for https:).
 */
const VIEWER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Where the viewer is: both spellings, since its assets are linked as ../assets/…, which resolves to /assets/… from either. */
const VIEWER_PATHS = new Set(['/viewer', '/viewer/']);

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

function unauthorisedPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TrayVNC — access token needed</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328;background:#fff}
@media (prefers-color-scheme: dark){body{color:#e6edf3;background:#0d1117}}code{font-size:.9em}</style></head>
<body><main><h1>Access token needed</h1>
<p role="alert">This TrayVNC dashboard only opens with its access token. Use the address the server printed when it started
(it ends in <code>?token=…</code>), or set <code>TRAYVNC_DASHBOARD_TOKEN</code> before starting it to choose the token.</p>
</main></body></html>
`;
}

export type DashboardHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface DashboardFilesOptions {
  /** The built renderer (default `defaultDashboardRoot()`). */
  root?: string;
  /** Whether a `?token=` value is the dashboard's. */
  authorised(token: string | null): boolean;
}

/** Resolve `rel` inside `root`, or null when it would leave it. */
function inside(root: string, rel: string): string | null {
  const full = resolve(root, `.${rel}`);
  return full.startsWith(root + sep) ? full : null;
}

async function fileOrNull(path: string): Promise<Buffer | null> {
  try {
    if (!(await stat(path)).isFile()) return null;
    return await readFile(path);
  } catch {
    return null;
  }
}

/** The request handler for every non-WebSocket request on the dashboard port (but the control path). */
export function dashboardFiles(opts: DashboardFilesOptions): DashboardHandler {
  const root = resolve(opts.root ?? defaultDashboardRoot());
  const send = (req: http.IncomingMessage, res: http.ServerResponse, status: number, type: string, body: Buffer | string, extra: Record<string, string> = {}) => {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': type, 'Content-Length': buf.length, ...extra });
    res.end(req.method === 'HEAD' ? undefined : buf);
  };
  const text = (req: http.IncomingMessage, res: http.ServerResponse, status: number, body: string, extra: Record<string, string> = {}) =>
    send(req, res, status, 'text/plain; charset=utf-8', `${body}\n`, { 'Cache-Control': 'no-store', ...extra });

  return (req, res) => {
    res.on('error', () => undefined);
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        text(req, res, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        text(req, res, 400, 'Bad path');
        return;
      }
      if (path.includes('\0')) {
        text(req, res, 400, 'Bad path');
        return;
      }
      if (path === '/' || path === '/index.html') {
        if (!opts.authorised(url.searchParams.get('token'))) {
          send(req, res, 401, 'text/html; charset=utf-8', unauthorisedPage(), { 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'" });
          return;
        }
        const page = await fileOrNull(join(root, 'index.html'));
        if (!page) {
          text(req, res, 503, 'The dashboard page is not built (run `npm run build`); the control API itself is served at /control.');
          return;
        }
        send(req, res, 200, TYPES['.html']!, page, { 'Cache-Control': 'no-store', 'Content-Security-Policy': PAGE_CSP, 'X-Frame-Options': 'DENY' });
        return;
      }
      if (VIEWER_PATHS.has(path)) {
        const page = await fileOrNull(join(root, 'viewer', 'index.html'));
        if (!page) {
          text(req, res, 503, 'The viewer page is not built (run `npm run build`).');
          return;
        }
        send(req, res, 200, TYPES['.html']!, page, { 'Cache-Control': 'no-store', 'Content-Security-Policy': VIEWER_CSP, 'X-Frame-Options': 'DENY' });
        return;
      }
      const full = path.startsWith('/assets/') ? inside(root, path) : null;
      const body = full ? await fileOrNull(full) : null;
      if (!full || !body) {
        text(req, res, 404, 'Not found');
        return;
      }
      // Built asset names carry a content hash, so they never change under the same name.
      send(req, res, 200, TYPES[extname(full).toLowerCase()] ?? 'application/octet-stream', body, { 'Cache-Control': 'public, max-age=31536000, immutable' });
    })().catch(() => {
      if (!res.headersSent) text(req, res, 500, 'Internal error');
      else res.destroy();
    });
  };
}
