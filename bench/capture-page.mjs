// The tray app's capture page, run for real in Chromium on an X display.
//
// Electron opens src/renderer/capture/ in a hidden window with its preload
// (src/main/electron/preload/capture-preload.ts), which puts
// `window.trayvncCapture` on the page over ipcRenderer. Here the same built
// page (dist/renderer/capture/) and the same built preload
// (dist/electron/capture-preload.cjs) run in Debian's Chromium, headful on
// the X display, with ipcRenderer carried over a WebSocket to this process:
// the thinnest seam that stands in for Electron's IPC. Chromium captures the
// screen with getDisplayMedia, picking the whole screen itself
// (--auto-select-desktop-capture-source), as Electron's display-media handler
// would.
//
// The returned object is a CapturePage (capture-source.ts): hand it to
// CaptureScreen, and the real server gets the page's frames.
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { chromium } from 'playwright-core';
import { WebSocketServer } from 'ws';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png' };

/** One message each way: [u32 LE header length][JSON header][the frame's bytes, if any]. */
function encode(header, bytes) {
  const json = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(4 + json.length + (bytes ? bytes.byteLength : 0));
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  if (bytes) Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).copy(out, 4 + json.length);
  return out;
}

function decode(buf) {
  const len = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + len).toString('utf8'));
  const rest = buf.subarray(4 + len);
  return { header, bytes: rest.length > 0 ? rest : null };
}

/** The Chromium this process started (Playwright's Browser does not say): a child running it (Debian's wrapper execs /usr/lib/chromium/chromium). */
function chromiumChild() {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'latin1');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
      if (/chrom/.test(readFileSync(`/proc/${d}/cmdline`, 'latin1').split('\0')[0] ?? '')) return Number(d);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

/**
 * The preload's world: `require('electron')` answered with contextBridge
 * (straight onto window: there is no isolated world here) and an ipcRenderer
 * over the WebSocket at `url`, then the bundled preload itself.
 */
function initScript(url, preload) {
  return `(() => {
  const ws = new WebSocket(${JSON.stringify(url)});
  ws.binaryType = 'arraybuffer';
  const opened = new Promise((r) => ws.addEventListener('open', r, { once: true }));
  let nextId = 1;
  const pending = new Map();
  const listeners = new Map();
  const encode = (header, bytes) => {
    const json = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(4 + json.length + (bytes ? bytes.byteLength : 0));
    new DataView(out.buffer).setUint32(0, json.length, true);
    out.set(json, 4);
    if (bytes) out.set(bytes, 4 + json.length);
    return out;
  };
  ws.addEventListener('message', (e) => {
    const m = JSON.parse(typeof e.data === 'string' ? e.data : new TextDecoder().decode(e.data));
    if (m.kind === 'reply') { const p = pending.get(m.id); pending.delete(m.id); p && p(m.result); }
    else if (m.kind === 'send') for (const l of listeners.get(m.channel) || []) l({}, m.payload);
  });
  const ipcRenderer = {
    async invoke(channel, ...args) {
      await opened;
      const id = nextId++;
      const first = args[0];
      let bytes = null;
      if (first && typeof first === 'object' && first.data instanceof ArrayBuffer) {
        bytes = new Uint8Array(first.data);
        args = [{ ...first, data: null }, ...args.slice(1)];
      }
      const reply = new Promise((r) => pending.set(id, r));
      ws.send(encode({ kind: 'invoke', id, channel, args }, bytes));
      return reply;
    },
    on(channel, l) { const a = listeners.get(channel) || []; a.push(l); listeners.set(channel, a); },
    removeListener(channel, l) { listeners.set(channel, (listeners.get(channel) || []).filter((x) => x !== l)); },
  };
  const stand = { contextBridge: { exposeInMainWorld: (name, api) => { window[name] = api; } }, ipcRenderer };
  const mod = { exports: {} };
  const req = (m) => { if (m === 'electron') return stand; throw new Error('the preload asked for ' + m); };
  // The CommonJS bundle in a scope of its own, as Node's module wrapper gives it.
  (function (require, module, exports) {
${preload}
  })(req, mod, mod.exports);
})();`;
}

/**
 * Open the capture page in Chromium on `display`. `distDir` is the project's
 * dist/ (built). `channels` is CAPTURE_CHANNELS. The browser window is put
 * at `window` (x, y, w, h) so it can be kept out of the area compared.
 */
export function chromiumCapturePage({ display, distDir, channels, window = { x: 0, y: 0, w: 320, h: 200 }, chromiumPath = '/usr/bin/chromium', log = () => undefined }) {
  let browser = null;
  let server = null;
  let wss = null;
  let socket = null;
  let closed = false;
  let browserClosed = Promise.resolve();
  let browserPid = null;
  const rendererDir = join(distDir, 'renderer');

  return {
    /** The browser's process id (its renderer, GPU and utility processes are its children). */
    get pid() {
      return browserPid;
    },
    async open(request, handlers) {
      const invoke = (header, bytes) => {
        let result = null;
        try {
          if (header.channel === channels.ready) result = request;
          else if (header.channel === channels.frame) {
            const frame = header.args[0] ?? {};
            // As Electron's structured clone delivers it: the pixels as their own ArrayBuffer.
            if (bytes) frame.data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
            handlers.frame(frame);
          } else if (header.channel === channels.error) handlers.error(String(header.args[0]));
        } catch (e) {
          log(`capture page message failed: ${e?.message ?? e}`);
        }
        return result;
      };
      server = http.createServer(async (req, res) => {
        // Only files under dist/renderer, by their path.
        const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '');
        const file = join(rendererDir, path);
        if (!file.startsWith(rendererDir + sep)) return void res.writeHead(404).end();
        try {
          const body = await readFile(file);
          res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
        } catch {
          res.writeHead(404).end();
        }
      });
      await new Promise((resolve, reject) => server.listen(0, '127.0.0.1', resolve).once('error', reject));
      const { port } = server.address();
      wss = new WebSocketServer({ server, path: '/ipc', maxPayload: 256 * 1024 * 1024 });
      wss.on('connection', (ws) => {
        socket = ws;
        ws.on('message', (data) => {
          const { header, bytes } = decode(Buffer.isBuffer(data) ? data : Buffer.concat(data));
          const result = invoke(header, bytes);
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ kind: 'reply', id: header.id, result }));
        });
        ws.on('close', () => {
          if (!closed) handlers.error('the capture page went away');
        });
      });
      const preload = await readFile(join(distDir, 'electron', 'capture-preload.cjs'), 'utf8');
      browser = await chromium.launch({
        executablePath: chromiumPath,
        headless: false,
        env: { ...process.env, DISPLAY: display },
        args: [
          '--no-sandbox',
          '--auto-select-desktop-capture-source=Entire screen',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          `--window-position=${window.x},${window.y}`,
          `--window-size=${window.w},${window.h}`,
        ],
      });
      browserPid = chromiumChild();
      // The page's CSP allows no connections; the stand-in IPC needs one (Electron's IPC needs none).
      const context = await browser.newContext({ bypassCSP: true, viewport: null });
      const page = await context.newPage();
      page.on('console', (m) => log(`capture page: ${m.text()}`));
      page.on('pageerror', (e) => handlers.error(`the capture page failed: ${e.message}`));
      await page.addInitScript({ content: initScript(`ws://127.0.0.1:${port}/ipc`, preload) });
      await page.goto(`http://127.0.0.1:${port}/capture/index.html`);
    },
    /** Resolves once the browser has exited (after close()). */
    whenClosed() {
      return browserClosed;
    },
    send(command) {
      if (socket?.readyState === socket?.OPEN) socket.send(JSON.stringify({ kind: 'send', channel: channels.command, payload: command }));
    },
    close() {
      if (closed) return;
      closed = true;
      const b = browser;
      browser = null;
      browserClosed = b ? b.close().catch(() => undefined) : Promise.resolve();
      wss?.close();
      server?.close();
      server?.closeAllConnections?.();
    },
  };
}
