import http from 'node:http';
import { execFile, spawn } from 'node:child_process';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { listenWebSocket, originAllowed, type WebSocketListener, type WebSocketStream } from '../../src/main/rfb/websocket-listener.js';
import type { Session } from '../../src/main/rfb/session.js';
import { startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { openNoVnc, type NoVncBrowser } from '../support/novnc-browser.js';
import { xrun } from '../support/xvfb.js';
import { catTerm } from '../support/x-helpers.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * noVNC, the browser client itself, in Chromium, talking to our server through
 * the WebSocket listener on a real X desktop; and the listener's own contract
 * with a plain WebSocket client.
 */

async function waitFor(cond: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, fail) => setTimeout(() => fail(new Error(`timed out waiting for ${what}`)), ms).unref())]);
}

/** Records the streams the listener hands over, instead of serving RFB on them. */
class Collector {
  readonly streams: WebSocketStream[] = [];
  constructor(readonly options?: { password: string | null }) {}
  accept(stream: WebSocketStream): void {
    stream.on('error', () => undefined);
    this.streams.push(stream);
  }
}

function openClient(port: number, opts: { path?: string; protocols?: string[]; origin?: string } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${opts.path ?? '/'}`, opts.protocols ?? [], opts.origin ? { origin: opts.origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function closeCode(ws: WebSocket, timeoutMs = 5000): Promise<number> {
  return withTimeout(new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code))), timeoutMs, 'the close');
}

describe('WebSocket listener', () => {
  let listener: WebSocketListener;
  const collector = new Collector({ password: null });

  beforeAll(async () => {
    listener = await listenWebSocket(collector, 0, '127.0.0.1', { maxPayload: 4096 });
  });

  afterAll(async () => {
    await listener?.close();
  });

  it('answers plain HTTP with 426 Upgrade Required', async () => {
    const res = await new Promise<{ status: number; body: string; upgrade: string | undefined }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: listener.address.port, path: '/vnc.html' }, (r) => {
          let body = '';
          r.on('data', (d: Buffer) => (body += d.toString()));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body, upgrade: r.headers.upgrade }));
        })
        .on('error', reject);
    });
    expect(res.status).toBe(426);
    expect(res.upgrade).toBe('websocket');
    expect(res.body).toMatch(/WebSocket/);
  });

  it("upgrades any path, picks 'binary' when offered, serves clients offering none, and passes the peer's address", async () => {
    const before = collector.streams.length;
    const a = await openClient(listener.address.port, { path: '/websockify', protocols: ['binary'] });
    const b = await openClient(listener.address.port, { path: '/' });
    try {
      expect(a.protocol).toBe('binary');
      expect(b.protocol).toBe('');
      await waitFor(() => collector.streams.length === before + 2, 'two streams');
      const s = collector.streams[before]!;
      expect(s.remoteAddress).toBe('127.0.0.1');
      expect(s.remotePort).toBe((a as unknown as { _socket: { localPort: number } })._socket.localPort);

      // bytes both ways; writes leave as binary frames
      const got = new Promise<{ data: Buffer; binary: boolean }>((resolve) => a.once('message', (data: Buffer, binary: boolean) => resolve({ data, binary })));
      s.write(Buffer.from('RFB 003.008\n'));
      const msg = await withTimeout(got, 5000, 'a message');
      expect(msg.binary).toBe(true);
      expect(msg.data.toString()).toBe('RFB 003.008\n');
      const read = new Promise<Buffer>((resolve) => s.once('data', resolve));
      a.send(Buffer.from([1, 2, 3]));
      expect([...(await withTimeout(read, 5000, 'data'))]).toEqual([1, 2, 3]);
    } finally {
      a.close();
      b.close();
    }
  });

  it('ends the stream (close event) when the client goes', async () => {
    const before = collector.streams.length;
    const a = await openClient(listener.address.port);
    await waitFor(() => collector.streams.length === before + 1, 'the stream');
    const s = collector.streams[before]!;
    s.resume(); // a reader, as a session is
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    const t0 = Date.now();
    a.close();
    await withTimeout(closed, 5000, "the stream's close");
    expect(Date.now() - t0).toBeLessThan(900); // by the stream's own end, not the fallback timer
  });

  it('closes the WebSocket (1000) when the stream is ended by the server', async () => {
    const before = collector.streams.length;
    const a = await openClient(listener.address.port);
    await waitFor(() => collector.streams.length === before + 1, 'the stream');
    const code = closeCode(a);
    const got: Buffer[] = [];
    a.on('message', (d: Buffer) => got.push(d));
    collector.streams[before]!.end(Buffer.from('bye'));
    expect(await code).toBe(1000);
    expect(Buffer.concat(got).toString()).toBe('bye');
  });

  it('refuses text frames (1003) and messages over maxPayload (1009)', async () => {
    const a = await openClient(listener.address.port);
    const codeA = closeCode(a);
    a.send('hello');
    expect(await codeA).toBe(1003);
    const b = await openClient(listener.address.port);
    const codeB = closeCode(b);
    b.send(Buffer.alloc(8192));
    expect(await codeB).toBe(1009);
  });

  it('without a password, lets browsers in from loopback origins only', async () => {
    await expect(openClient(listener.address.port, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
    const ok = await openClient(listener.address.port, { origin: 'http://127.0.0.1:8080' });
    ok.close();
    expect(originAllowed('http://localhost:6080', 'loopback')).toBe(true);
    expect(originAllowed('http://[::1]:6080', 'loopback')).toBe(true);
    expect(originAllowed('null', 'loopback')).toBe(false);
    expect(originAllowed('http://127.0.0.1.evil.example', 'loopback')).toBe(false);
    expect(originAllowed('https://viewer.example', ['https://viewer.example'])).toBe(true);
    expect(originAllowed('https://other.example', ['https://viewer.example'])).toBe(false);
    expect(originAllowed(undefined, ['https://viewer.example'])).toBe(true);
    expect(originAllowed('https://any.example', 'any')).toBe(true);
  });

  it('makes writableLength grow while the client does not read, and drains when it does', async () => {
    const before = collector.streams.length;
    const a = await openClient(listener.address.port);
    await waitFor(() => collector.streams.length === before + 1, 'the stream');
    const s: Duplex = collector.streams[before]!;
    let received = 0;
    a.on('message', (d: Buffer) => (received += d.length));
    a.pause(); // stop reading the TCP socket: the kernel's buffers fill, then the stream's queue grows
    const chunk = Buffer.alloc(256 * 1024, 7);
    let written = 0;
    for (let i = 0; i < 400 && s.writableLength < 4 * 1024 * 1024; i++) {
      s.write(chunk);
      written += chunk.length;
      await new Promise((r) => setTimeout(r, 2)); // let ws flush what the kernel takes
    }
    const queued = s.writableLength;
    expect(queued).toBeGreaterThanOrEqual(4 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 200));
    expect(s.writableLength).toBeGreaterThan(queued / 2); // still queued: the client does not read
    const drained = new Promise<void>((resolve) => s.once('drain', () => resolve()));
    a.resume();
    await withTimeout(drained, 10_000, "'drain'");
    await waitFor(() => received === written, `all ${written} bytes (got ${received})`, 10_000);
    a.close();
  });

  it('drops a client that never finishes its request headers (408)', async () => {
    const own = await listenWebSocket(new Collector(), 0, '127.0.0.1', { headersTimeoutMs: 500 });
    try {
      const sock = net.connect(own.address.port, '127.0.0.1');
      let text = '';
      sock.on('data', (d: Buffer) => (text += d.toString()));
      sock.on('error', () => undefined);
      const closed = withTimeout(new Promise((r) => sock.once('close', r)), 5000, 'the server to drop the client');
      sock.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      await closed;
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await own.close();
    }
  });

  it('close() closes its clients (1001) and stops listening, in bounded time', async () => {
    const own = await listenWebSocket(new Collector(), 0, '127.0.0.1');
    const a = await openClient(own.address.port);
    const code = closeCode(a);
    const t0 = Date.now();
    await own.close();
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(await code).toBe(1001);
    await expect(openClient(own.address.port)).rejects.toThrow();
  });
});

// Xvfb can only shrink below its start size: start large and let the browser ask for less.
const WIDTH = 1024;
const HEIGHT = 768;
const SEED = 11;

// The VNC port itself answers browsers: noVNC gets ws://127.0.0.1:<VNC port>/, no --websocket-port.
describe('noVNC in Chromium on the VNC port itself', () => {
  let desk: DesktopServer;
  let browser: NoVncBrowser | undefined;

  beforeAll(async () => {
    desk = await startDesktopServer({ width: WIDTH, height: HEIGHT, seed: SEED, frameRate: 30, config: { dashboard_port: 0 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await desk?.stop();
  });

  it('gives a plain RFB client the version within 150 ms on the same port', async () => {
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const sock = net.connect(desk.port, '127.0.0.1');
      sock.on('error', () => undefined);
      const first = await withTimeout(new Promise<Buffer>((resolve) => sock.once('data', resolve)), 5000, 'the version');
      const ms = performance.now() - t0;
      sock.destroy();
      expect(first.toString('latin1')).toBe('RFB 003.008\n');
      expect(ms).toBeLessThan(150);
    }
  });

  it('connects through the VNC port and shows the desktop pixel-exact', async () => {
    const t0 = Date.now();
    browser = await openNoVnc({ wsPort: desk.port, viewport: { width: 1280, height: 900 } });
    const connectedMs = Date.now() - t0;
    const diff = await browser.waitForCanvas(desk.painter.expected, 15_000);
    expect(diff.count, `${diff.width}x${diff.height}: ${JSON.stringify(diff.first)}; console: ${browser.console.join(' | ')}`).toBe(0);
    expect((await browser.state()).desktopName).toBe(desk.service.server.options.desktopName);
    const session = desk.service.server.clients[0];
    expect(session?.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(session?.transport).toBe('websocket');
    expect(connectedMs).toBeLessThan(20_000);
    // noVNC answers the fence behind each update: the server measures its link by them.
    for (let i = 0; i < 200 && session?.pacing?.rttMs == null; i++) await new Promise((r) => setTimeout(r, 25));
    expect(session?.pacing?.rttMs).toBeGreaterThanOrEqual(0);
    expect(session?.pacing?.bandwidth).toBeGreaterThan(0);
  }, 45_000);

  it("connects through /websockify on the dashboard's HTTP port too, pixel-exact", async () => {
    const dashboard = desk.service.dashboard;
    expect(dashboard).not.toBeNull();
    const second = await openNoVnc({ wsPort: dashboard!.address.port, wsPath: '/websockify', viewport: { width: 1280, height: 900 } });
    try {
      const diff = await second.waitForCanvas(desk.painter.expected, 15_000);
      expect(diff.count, `${JSON.stringify(diff.first)}; console: ${second.console.join(' | ')}`).toBe(0);
      expect(desk.service.server.clients.length).toBe(2);
    } finally {
      await second.close();
    }
  }, 45_000);

  it('follows a change of the screen pixel-exact', async () => {
    expect(browser).toBeDefined();
    await desk.painter.paintRect({ x: 70, y: 40, w: 300, h: 200 }, 21);
    await desk.painter.paintRect({ x: 600, y: 500, w: 333, h: 111 }, 22);
    const diff = await browser!.waitForCanvas(desk.painter.expected, 15_000);
    expect(diff.count, JSON.stringify(diff.first)).toBe(0);
  }, 30_000);

  it("shows the server's Unicode clipboard in noVNC's clipboard event (Extended Clipboard)", async () => {
    expect(browser).toBeDefined();
    const toBrowser = 'emoji 🎉 €';
    desk.service.server.broadcastClipboard(toBrowser);
    await browser!.waitClipboard(toBrowser, 10_000);
    expect(await browser!.lastClipboard()).toBe(toBrowser);
  }, 30_000);

  it('copies Unicode text from the X clipboard (xclip) to noVNC, and from noVNC to both X selections', async () => {
    expect(browser).toBeDefined();
    const env = { ...process.env, DISPLAY: desk.xvfb.display };
    const owner = spawn('xclip', ['-quiet', '-i', '-selection', 'clipboard'], { env, stdio: ['pipe', 'ignore', 'ignore'] });
    owner.stdin.end('from X: ☺ € 🎉');
    try {
      await browser!.waitClipboard('from X: ☺ € 🎉', 10_000);
    } finally {
      owner.kill('SIGTERM');
    }
    await browser!.clipboardPasteFrom('from noVNC: wörld € ☺');
    for (const selection of ['clipboard', 'primary']) {
      const deadline = Date.now() + 5000;
      let text = '';
      while (Date.now() < deadline && text !== 'from noVNC: wörld € ☺') {
        text = await new Promise<string>((resolve) =>
          execFile('xclip', ['-o', '-selection', selection], { env, timeout: 3000 }, (_e, out) => resolve(String(out ?? ''))),
        );
        if (text !== 'from noVNC: wörld € ☺') await new Promise((r) => setTimeout(r, 50));
      }
      expect(text, selection).toBe('from noVNC: wörld € ☺');
    }
  }, 30_000);

  it('resizes the X display when the browser window shrinks (SetDesktopSize)', async () => {
    expect(browser).toBeDefined();
    const server = desk.service.server;
    const original = server.resizer;
    expect(original).not.toBeNull();
    const asked: Array<[number, number, number]> = [];
    server.resizer = async (w, h) => {
      const status = await original!(w, h);
      asked.push([w, h, status]);
      return status;
    };
    try {
      await browser!.resizeSession(800, 600);
      await waitFor(() => asked.length > 0, 'the resizer to be called', 10_000);
      expect(asked[0]).toEqual([800, 600, 0]);
      const info = await xrun(desk.xvfb.display, 'xdpyinfo', []);
      expect(/dimensions:\s+(\d+x\d+) pixels/.exec(info)?.[1]).toBe('800x600');
      await browser!.waitCanvasSize(800, 600, 10_000);
      const expected = await desk.painter.expectBackgroundAt(800, 600);
      const diff = await browser!.waitForCanvas(expected, 15_000);
      expect(diff.count, JSON.stringify(diff.first)).toBe(0);
    } finally {
      server.resizer = original;
    }
  }, 45_000);

  // noVNC deflates a Provide with Z_FULL_FLUSH and never finishes the zlib stream.
  it("hands noVNC's Unicode clipboard paste to the server (Extended Clipboard)", async () => {
    expect(browser).toBeDefined();
    const server = desk.service.server;
    const fromBrowser = '€ ☺ wörld';
    const got = withTimeout(
      new Promise<string>((resolve) => {
        const on = (_s: Session, text: string): void => {
          server.off('clipboard', on);
          resolve(text);
        };
        server.on('clipboard', on);
      }),
      10_000,
      "the server's clipboard event",
    );
    await browser!.clipboardPasteFrom(fromBrowser);
    expect(await got).toBe(fromBrowser);
    expect((await browser!.state()).connected).toBe(true);
  }, 30_000);

  it('types into an xterm from the browser: real key presses, plus keysyms the US layout lacks', async () => {
    expect(browser).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'trayvnc-novnc-type-'));
    try {
      const term = await catTerm(desk.xvfb.display, dir, 'novnc', () => browser!.mouseMove(100, 60));
      await browser!.typeText('Hello, w');
      // page.keyboard cannot produce ö, € or ☺ on a US layout; noVNC's sendKey sends their keysyms.
      await browser!.sendKey(0xf6, null); // ö
      await browser!.typeText('rld! ');
      await browser!.sendKey(0x20ac, null); // €
      await browser!.typeText('5 ~ [x] ');
      await browser!.sendKey(0x100263a, null); // ☺
      await browser!.sendKey(0xff0d, 'Enter');
      await browser!.sendKey(0xffe3, 'ControlLeft', true);
      await browser!.sendKey(0x64, 'KeyD');
      await browser!.sendKey(0xffe3, 'ControlLeft', false);
      expect(await term.result()).toBe('Hello, wörld! €5 ~ [x] ☺\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
