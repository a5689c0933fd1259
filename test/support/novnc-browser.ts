import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { chromium, type BrowserContext, type Keyboard, type Page } from 'playwright-core';
import { createFrame, type Frame } from '../../src/main/framebuffer/frame.js';

/**
 * noVNC, the real browser client, in Debian's Chromium driven by
 * playwright-core: a loopback HTTP server serves noVNC's ES modules and a
 * small harness page (test/support/novnc-page/) that connects `new RFB(...)`
 * to our WebSocket listener and records its events.
 */

export const CHROMIUM_PATH = process.env['TRAYVNC_CHROMIUM'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // exact canvas colours: no colour management on the way to getImageData
  '--force-color-profile=srgb',
];

const PAGE_DIR = join(import.meta.dirname, 'novnc-page');
const NOVNC_DIR = dirname(dirname(createRequire(import.meta.url).resolve('@novnc/novnc')));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

/** Resolve a URL path inside `root`, or null when it would leave it or is no file. */
function fileUnder(root: string, urlPath: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  const full = resolve(root, `.${rel.startsWith('/') ? rel : `/${rel}`}`);
  if (full !== root && !full.startsWith(root + sep)) return null;
  try {
    return statSync(full).isFile() ? full : null;
  } catch {
    return null;
  }
}

/** A read-only loopback server for the harness page and noVNC's core/ and vendor/ modules. */
async function servePage(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    let file: string | null = null;
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/' || path === '/index.html') file = join(PAGE_DIR, 'index.html');
      else if (path === '/harness.js') file = join(PAGE_DIR, 'harness.js');
      else if (path.startsWith('/core/') || path.startsWith('/vendor/')) file = fileUnder(NOVNC_DIR, path);
    }
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store', 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

export interface CanvasPixels {
  width: number;
  height: number;
  /** Where the canvas sits in the page (it is centred when smaller than the viewport). */
  x: number;
  y: number;
  /** RGBA, row-major, width×height×4 bytes. */
  rgba: Buffer;
}

export interface HarnessState {
  connected: boolean;
  disconnected: { clean: boolean } | null;
  securityFailure: { status: number; reason?: string } | null;
  desktopName: string | null;
  capabilities: Record<string, boolean> | null;
  clipboard: string[];
  events: Array<{ type: string; detail: unknown; at: number }>;
}

export interface NoVncBrowser {
  page: Page;
  context: BrowserContext;
  /** Console lines and page errors from the browser (for failure messages). */
  console: string[];
  /** Resolve once noVNC fired 'connect' (bounded). */
  waitConnected(timeoutMs?: number): Promise<void>;
  /** Resolve once noVNC fired 'disconnect' (bounded). */
  waitDisconnected(timeoutMs?: number): Promise<{ clean: boolean }>;
  state(): Promise<HarnessState>;
  /** The canvas as RGBA bytes. */
  canvasPixels(): Promise<CanvasPixels>;
  /** The canvas as a Frame (0x00RRGGBB pixels), for diffFrames. */
  canvasFrame(): Promise<Frame>;
  /**
   * Poll the canvas until it equals `expected` (size and every pixel), within
   * `timeoutMs`; resolves with the last difference (count 0 on success).
   */
  waitForCanvas(expected: Frame, timeoutMs?: number): Promise<{ count: number; width: number; height: number; first: Array<{ x: number; y: number; canvas: string; expected: string }> }>;
  /** rfb.clipboardPasteFrom(text): the browser's clipboard goes to the server. */
  clipboardPasteFrom(text: string): Promise<void>;
  /** The last text noVNC's 'clipboard' event carried (null if none yet). */
  lastClipboard(): Promise<string | null>;
  /** Wait (bounded) until noVNC's 'clipboard' event carried `text`. */
  waitClipboard(text: string, timeoutMs?: number): Promise<void>;
  /**
   * Ask the server for a w×h desktop the way a user does: the browser window
   * (and so noVNC's container) becomes w×h with rfb.resizeSession on, and noVNC
   * sends SetDesktopSize.
   */
  resizeSession(width: number, height: number): Promise<void>;
  /** Resolve once the canvas is w×h (bounded). */
  waitCanvasSize(width: number, height: number, timeoutMs?: number): Promise<void>;
  /** Focus noVNC's canvas so real key events reach it; returns page.keyboard. */
  focus(): Promise<Keyboard>;
  /** Type text with real browser key events (focuses the canvas first). */
  typeText(text: string, delayMs?: number): Promise<void>;
  /** Press a key (Playwright key name, e.g. 'Enter', 'Shift+A') with real browser key events. */
  press(key: string): Promise<void>;
  /** rfb.sendKey(keysym, code, down): a key event without the browser's keyboard. */
  sendKey(keysym: number, code: string | null, down?: boolean): Promise<void>;
  /** Move the mouse to desktop coordinates (x, y) (the canvas is at scale 1). */
  mouseMove(x: number, y: number): Promise<void>;
  /** Click at desktop coordinates. */
  click(x: number, y: number, button?: 'left' | 'middle' | 'right'): Promise<void>;
  /** Evaluate a function of noVNC's RFB object in the page. */
  withRfb<T>(fn: (rfb: unknown) => T): Promise<T>;
  /** Disconnect, close the browser and the page server, remove the profile. */
  close(): Promise<void>;
}

export interface OpenNoVncOptions {
  wsPort: number;
  wsHost?: string;
  /** Path of the WebSocket URL (default '/'). */
  wsPath?: string;
  password?: string;
  /** A user name, for the security types that ask for one (VeNCrypt Plain). */
  username?: string;
  /**
   * Connect over wss:// and trust only the certificate whose public key is
   * this (PEM): Chromium is told its SPKI hash, so any other certificate
   * fails as it would for a user who pinned ours.
   */
  tlsCertPem?: string;
  /** Approve the server's RSA key when noVNC asks (RA2ne's 'serververification'); default true. */
  approveServer?: boolean;
  shared?: boolean;
  /**
   * Let noVNC ask for JPEG (its quality level 6) as shipped. Default false:
   * the quality level is left out of its SetEncodings, so Tight stays
   * lossless and canvases can be compared pixel for pixel.
   */
  jpeg?: boolean;
  /** WebSocket subprotocols noVNC offers (default none, as noVNC does). */
  wsProtocols?: string[];
  /** Browser viewport (default 1280×900; noVNC's container fills it). */
  viewport?: { width: number; height: number };
  /** Wait for 'connect' before returning (default true). */
  waitConnected?: boolean;
  timeoutMs?: number;
}

async function poll<T>(what: string, timeoutMs: number, step: () => Promise<T | undefined>, detail?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await step();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `: ${await detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function toFrame(px: CanvasPixels): Frame {
  const f = createFrame(Math.max(1, px.width), Math.max(1, px.height));
  const n = px.width * px.height;
  const b = px.rgba;
  for (let i = 0; i < n; i++) f.pixels[i] = (b[i * 4]! << 16) | (b[i * 4 + 1]! << 8) | b[i * 4 + 2]!;
  return f;
}

/** Launch Chromium with noVNC connected to ws://wsHost:wsPort/ and return handles to drive it. */
/** The base64 SHA-256 of a certificate's public key (SPKI), as Chromium's --ignore-certificate-errors-spki-list takes it. */
function spkiHash(certPem: string): string {
  const spki = createPublicKey(certPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

export async function openNoVnc(opts: OpenNoVncOptions): Promise<NoVncBrowser> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const site = await servePage();
  const profile = mkdtempSync(join(tmpdir(), 'trayvnc-chromium-'));
  const cleanup = async (context: BrowserContext | null): Promise<void> => {
    await context?.close().catch(() => undefined);
    await site.close();
    rmSync(profile, { recursive: true, force: true });
  };
  let context: BrowserContext | null = null;
  try {
    const pin = opts.tlsCertPem ? [`--ignore-certificate-errors-spki-list=${spkiHash(opts.tlsCertPem)}`] : [];
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, ...pin],
      viewport: opts.viewport ?? { width: 1280, height: 900 },
      deviceScaleFactor: 1,
      timeout: timeoutMs,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(timeoutMs);
    const consoleLines: string[] = [];
    page.on('console', (m) => {
      if (consoleLines.length < 200) consoleLines.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => {
      if (consoleLines.length < 200) consoleLines.push(`pageerror: ${e.message}`);
    });
    await page.goto(site.url, { timeout: timeoutMs });
    await page.waitForFunction('"harness" in window', undefined, { timeout: timeoutMs });
    /** Call window.harness.method(...args) in the page (arguments and result go as JSON). */
    const call = <T>(method: string, ...args: unknown[]): Promise<T> =>
      page.evaluate(`window.harness.${method}(...${JSON.stringify(args)})`) as Promise<T>;
    const url = `${opts.tlsCertPem ? 'wss' : 'ws'}://${opts.wsHost ?? '127.0.0.1'}:${opts.wsPort}${opts.wsPath ?? '/'}`;
    await call('connect', url, { password: opts.password, username: opts.username, approveServer: opts.approveServer ?? true, shared: opts.shared ?? true, wsProtocols: opts.wsProtocols ?? [], jpeg: opts.jpeg ?? false });

    const ctx = context;
    const state = (): Promise<HarnessState> => call<HarnessState>('snapshot');
    const canvasPixels = async (): Promise<CanvasPixels> => {
      const r = await call<{ width: number; height: number; x: number; y: number; rgba: string }>('canvasPixels');
      return { ...r, rgba: Buffer.from(r.rgba, 'base64') };
    };
    const describe = async (): Promise<string> => {
      const s = await state().catch(() => null);
      return `state ${JSON.stringify(s && { ...s, events: s.events.slice(-10) })}; console: ${consoleLines.slice(-10).join(' | ')}`;
    };

    const handle: NoVncBrowser = {
      page,
      context: ctx,
      console: consoleLines,
      waitConnected: (t = timeoutMs) =>
        poll(
          'noVNC to connect',
          t,
          async () => {
            const s = await state();
            if (s.disconnected || s.securityFailure) throw new Error(`noVNC did not connect: ${await describe()}`);
            return s.connected ? true : undefined;
          },
          describe,
        ).then(() => undefined),
      waitDisconnected: (t = timeoutMs) => poll('noVNC to disconnect', t, async () => (await state()).disconnected ?? undefined, describe),
      state,
      canvasPixels,
      canvasFrame: async () => toFrame(await canvasPixels()),
      async waitForCanvas(expected, t = timeoutMs) {
        const deadline = Date.now() + t;
        for (;;) {
          const px = await canvasPixels();
          let count = 0;
          const first: Array<{ x: number; y: number; canvas: string; expected: string }> = [];
          if (px.width !== expected.width || px.height !== expected.height) {
            count = expected.width * expected.height;
          } else {
            const b = px.rgba;
            for (let y = 0; y < px.height; y++) {
              for (let x = 0; x < px.width; x++) {
                const i = y * px.width + x;
                const got = (b[i * 4]! << 16) | (b[i * 4 + 1]! << 8) | b[i * 4 + 2]!;
                const want = expected.pixels[y * expected.stride + x]! & 0xffffff;
                if (got !== want || b[i * 4 + 3] !== 255) {
                  count++;
                  if (first.length < 5) first.push({ x, y, canvas: got.toString(16), expected: want.toString(16) });
                }
              }
            }
          }
          if (count === 0 || Date.now() > deadline) return { count, width: px.width, height: px.height, first };
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      clipboardPasteFrom: (text) => call<void>('clipboardPasteFrom', text),
      async lastClipboard() {
        const s = await state();
        return s.clipboard.length > 0 ? s.clipboard[s.clipboard.length - 1]! : null;
      },
      waitClipboard: (text, t = timeoutMs) =>
        poll(`noVNC's clipboard event with ${JSON.stringify(text)}`, t, async () => ((await state()).clipboard.includes(text) ? true : undefined), describe).then(
          () => undefined,
        ),
      async resizeSession(width, height) {
        await page.setViewportSize({ width, height });
        await call<void>('requestResize');
      },
      waitCanvasSize: (width, height, t = timeoutMs) =>
        poll(
          `the canvas to become ${width}x${height}`,
          t,
          async () => {
            const size = await call<[number, number]>('canvasSize');
            return size[0] === width && size[1] === height ? true : undefined;
          },
          describe,
        ).then(() => undefined),
      async focus() {
        await call<void>('focus');
        return page.keyboard;
      },
      async typeText(text, delayMs = 10) {
        await handle.focus();
        await page.keyboard.type(text, { delay: delayMs });
      },
      async press(key) {
        await handle.focus();
        await page.keyboard.press(key);
      },
      sendKey: (keysym, code, down) => call<void>('sendKey', keysym, code, down ?? null),
      async mouseMove(x, y) {
        const [left, top] = await call<[number, number]>('canvasOrigin');
        await page.mouse.move(left + x + 0.5, top + y + 0.5);
      },
      async click(x, y, button = 'left') {
        await handle.mouseMove(x, y);
        await page.mouse.down({ button });
        await page.mouse.up({ button });
      },
      withRfb: <T>(fn: (rfb: unknown) => T): Promise<T> => page.evaluate(`(${fn.toString()})(window.rfb)`) as Promise<T>,
      async close() {
        await call<void>('disconnect').catch(() => undefined);
        await cleanup(ctx);
      },
    };
    if (opts.waitConnected ?? true) await handle.waitConnected();
    return handle;
  } catch (e) {
    await cleanup(context);
    throw e;
  }
}
