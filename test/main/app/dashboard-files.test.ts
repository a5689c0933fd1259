import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardFiles } from '../../../src/main/app/dashboard-files.js';

const TOKEN = 'a-token-of-enough-length';
const VIEWER_PAGE = '<!doctype html><title>TrayVNC viewer</title><script type="module" src="../assets/viewer-def456.js"></script>';

/** A raw request, so paths reach the server exactly as written (fetch would normalise `..`). */
function rawGet(port: number, path: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

describe('the dashboard page server', () => {
  let root: string;
  let outside: string;
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trayvnc-page-'));
    root = join(dir, 'renderer');
    outside = join(dir, 'secret.txt');
    mkdirSync(join(root, 'assets'), { recursive: true });
    mkdirSync(join(root, 'capture'), { recursive: true });
    mkdirSync(join(root, 'viewer'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>TrayVNC</title><script type="module" src="./assets/index-abc123.js"></script>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log("hi")');
    writeFileSync(join(root, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(join(root, 'capture', 'index.html'), '<!doctype html><title>capture</title>');
    // As vite builds it: the page one folder down, its assets linked relative to it.
    writeFileSync(join(root, 'viewer', 'index.html'), VIEWER_PAGE);
    writeFileSync(join(root, 'assets', 'viewer-def456.js'), 'console.log("viewer")');
    writeFileSync(outside, 'not for the network');
    server = http.createServer(dashboardFiles({ root, authorised: (t) => t === TOKEN }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(join(root, '..'), { recursive: true, force: true });
  });

  it('serves the page only with the token, and says where to find it otherwise', async () => {
    for (const path of ['/', '/index.html', '/?token=wrong-token-of-enough-length', `/?token=${TOKEN}x`]) {
      const res = await rawGet(port, path);
      expect(res.status, path).toBe(401);
      expect(res.body).toContain('?token=');
      expect(res.body).not.toContain('index-abc123.js');
    }
    const ok = await rawGet(port, `/?token=${encodeURIComponent(TOKEN)}`);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(ok.body).toContain('index-abc123.js');
    // The token must not leak through Referer, the page must not be cached or framed.
    expect(ok.headers['referrer-policy']).toBe('no-referrer');
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(ok.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(ok.headers['content-security-policy']).toContain("connect-src 'self'");
  });

  it('serves built assets with their types, and nothing outside assets/', async () => {
    const js = await rawGet(port, '/assets/index-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log("hi")');
    expect((await rawGet(port, '/assets/index-abc123.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await rawGet(port, '/assets/index-abc123.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(String('console.log("hi")'.length));
    for (const path of [
      '/capture/index.html',
      '/assets/missing.js',
      '/assets/../../secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/secret.txt',
      '/assets/',
    ]) {
      const res = await rawGet(port, path);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('not for the network');
    }
    expect((await rawGet(port, '/assets/%00x.js')).status).toBe(400);
    expect((await rawGet(port, '/assets/%E0%A4%A.js')).status).toBe(400);
  });

  it('serves the viewer without the token, at /viewer and /viewer/, under a strict policy', async () => {
    for (const path of ['/viewer', '/viewer/', '/viewer?x=1']) {
      const res = await rawGet(port, path);
      expect(res.status, path).toBe(200);
      expect(res.body).toBe(VIEWER_PAGE);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const csp = String(res.headers['content-security-policy']).split(/;\s*/);
      expect(csp).toEqual(
        expect.arrayContaining(["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"]),
      );
      expect(csp.join(';')).not.toContain('unsafe');
    }
    expect((await rawGet(port, '/viewer', 'HEAD')).body).toBe('');
  });

  it('resolves the viewer’s relative asset links from both of its addresses', async () => {
    const src = /src="([^"]+)"/.exec(VIEWER_PAGE)![1]!;
    for (const page of ['/viewer', '/viewer/']) {
      const asset = new URL(src, `http://127.0.0.1:${port}${page}`).pathname;
      expect(asset, page).toBe('/assets/viewer-def456.js');
      const res = await rawGet(port, asset);
      expect(res.status).toBe(200);
      expect(res.body).toBe('console.log("viewer")');
    }
  });

  it('lets the viewer’s path reach nothing else', async () => {
    // Dot segments are resolved before routing: this is the dashboard page, which still wants its token.
    for (const path of ['/viewer/../index.html', '/viewer/%2e%2e/index.html', '/viewer/../']) {
      const res = await rawGet(port, path);
      expect(res.status, path).toBe(401);
      expect(res.body).not.toContain('index-abc123.js');
    }
    for (const path of [
      '/viewer/index.html',
      '/viewer/..%2findex.html',
      '/viewer/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/viewer/../../secret.txt',
      '/viewer/x',
      '/viewerx',
      '/viewer//',
      '/capture/',
    ]) {
      const res = await rawGet(port, path);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('not for the network');
      expect(res.body).not.toContain('TrayVNC viewer');
    }
  });

  it('refuses other methods', async () => {
    const res = await rawGet(port, '/assets/index-abc123.js', 'POST');
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('GET, HEAD');
  });

  it('says the page is not built when it is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'trayvnc-page-empty-'));
    const s = http.createServer(dashboardFiles({ root: empty, authorised: (t) => t === TOKEN }));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    try {
      const res = await rawGet((s.address() as AddressInfo).port, `/?token=${TOKEN}`);
      expect(res.status).toBe(503);
      expect(res.body).toContain('npm run build');
      const viewer = await rawGet((s.address() as AddressInfo).port, '/viewer');
      expect(viewer.status).toBe(503);
      expect(viewer.body).toContain('npm run build');
    } finally {
      await new Promise((r) => s.close(r));
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
