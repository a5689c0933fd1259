import { once } from 'node:events';
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RfbServer, type RfbServerEvents, type RfbServerOptions } from '../../../src/main/rfb/server.js';
import type { Session } from '../../../src/main/rfb/session.js';
import { createFrame, type Frame } from '../../../src/main/framebuffer/frame.js';
import { bytes } from '../../support/bytes.js';
import { TestViewer } from '../../support/test-viewer.js';
import { WireSocket } from '../../support/wire-socket.js';
import { waitFor } from '../../support/wait.js';

/*
 * RfbServer over real loopback TCP: what a client sees on the wire and what
 * the host sees as events. Every wait is bounded (the viewer's reads and
 * nextEvent time out); afterEach closes every socket and server opened.
 */

const RAW = 0;
const DESKTOP_SIZE = -223;
const DESKTOP_NAME = -307;
const KEYSYM_A = 0x61;
const KEYSYM_B = 0x62;

const servers: RfbServer[] = [];
const clients: Array<{ close(): void } | { destroy(): void }> = [];

afterEach(async () => {
  for (const c of clients.splice(0)) 'close' in c ? c.close() : c.destroy();
  for (const s of servers.splice(0)) await s.close();
});

async function serve(opts: Partial<RfbServerOptions> = {}, frame: Frame = pattern(16, 12, 1)): Promise<{ server: RfbServer; port: number }> {
  const server = new RfbServer({ password: null, handshakeTimeoutMs: 5000, ...opts });
  servers.push(server);
  server.setFrame(frame);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port };
}

async function viewer(port: number, shared = true): Promise<TestViewer> {
  const v = await TestViewer.connect(port, shared);
  clients.push(v);
  return v;
}

async function rawSocket(port: number): Promise<WireSocket> {
  const s = await WireSocket.connect(port);
  clients.push(s);
  return s;
}

/** A frame whose every pixel differs from its neighbours and from other seeds' frames. */
function pattern(w: number, h: number, seed: number): Frame {
  const f = createFrame(w, h);
  for (let i = 0; i < w * h; i++) f.pixels[i] = (Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(seed, 0x85ebca6b)) & 0xffffff;
  return f;
}

/** The server's session for a viewer: its address is the viewer's end of the connection. */
function sessionOf(server: RfbServer, socket: WireSocket): Session {
  const s = server.clients.find((c) => c.address === `127.0.0.1:${socket.socket.localPort}`);
  if (!s) throw new Error(`no session for local port ${socket.socket.localPort}`);
  return s;
}

/**
 * The next `name` event's arguments, or a rejection after `timeoutMs`.
 * Call it before the action that emits the event: some are emitted synchronously.
 */
async function nextEvent<K extends keyof RfbServerEvents>(server: RfbServer, name: K, timeoutMs = 5000): Promise<RfbServerEvents[K]> {
  try {
    // events.once resolves to any[]; the server's event map says what the arguments are.
    return (await once(server, name, { signal: AbortSignal.timeout(timeoutMs) })) as RfbServerEvents[K];
  } catch {
    throw new Error(`no '${name}' event within ${timeoutMs} ms`);
  }
}

/** Raw pixels in the server's own format (32 bpp little-endian 0x00RRGGBB), as the frame holds them. */
function rawPixels(payload: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i < payload.length; i += 4) out.push(payload.readUInt32LE(i));
  return out;
}

/** A full-screen non-incremental round trip: when it returns, the server has handled everything sent before. */
async function roundTrip(v: TestViewer): Promise<void> {
  v.request(false);
  await v.nextUpdate();
}

describe('admission (maxConnections)', () => {
  const REASON = 'too many connections (max_connections is 1)';
  // RFC 6143 §7.1.2: 3.7 and 3.8 refuse with zero security types then a reason string; 3.3 with security type 0 then the reason.
  const refusals: Array<[version: string, expected: Buffer]> = [
    ['RFB 003.008\n', bytes().u8(0).u32(REASON.length).text(REASON).build()], // number-of-security-types 0, reason-length, reason
    ['RFB 003.007\n', bytes().u8(0).u32(REASON.length).text(REASON).build()], // as 3.8
    ['RFB 003.003\n', bytes().u32(0).u32(REASON.length).text(REASON).build()], // security-type 0 (invalid), reason-length, reason
  ];

  it.each(refusals)('refuses a client past the limit speaking %j with the reason on the wire and a refused event', async (version, expected) => {
    const { server, port } = await serve({ maxConnections: 1 });
    const first = await viewer(port);
    const extra = await rawSocket(port);
    const extraAddress = `127.0.0.1:${extra.socket.localPort}`; // read now: a closed socket no longer knows it
    expect((await extra.read(12)).toString('latin1')).toBe('RFB 003.008\n');
    const refused = nextEvent(server, 'refused');
    extra.write(version);
    expect(await extra.read(expected.length)).toEqual(expected);
    expect(await extra.waitClosed()).toHaveLength(0); // nothing after the reason: the server hung up
    // The session it was, and said in the log.
    expect(await refused).toEqual([extraAddress, REASON, expect.objectContaining({ address: extraAddress, initialised: false }), true]);
    // The client already in keeps its place.
    expect(server.clients).toHaveLength(1);
    first.setEncodings([RAW]);
    await roundTrip(first);
  });

  it('does not count a connection still in its handshake against the limit: it cannot lock viewers out', async () => {
    const { server, port } = await serve({ maxConnections: 1 });
    const pending = await rawSocket(port);
    await pending.read(12); // in the handshake: version sent, nothing answered
    const v = await viewer(port);
    expect(v.width).toBe(16);
    expect(server.clients).toHaveLength(1);
    // The place is taken now: the one that waited is refused when it goes on, with the reason.
    pending.write('RFB 003.008\n');
    expect(await pending.read(1 + 4 + REASON.length)).toEqual(bytes().u8(0).u32(REASON.length).text(REASON).build());
  });

  it('frees the place when a client leaves', async () => {
    const { server, port } = await serve({ maxConnections: 1 });
    const refusedAddresses: string[] = [];
    server.on('refused', (address) => refusedAddresses.push(address));
    const first = await viewer(port);
    const gone = nextEvent(server, 'disconnected');
    first.close();
    const [, reason] = await gone;
    expect(reason).toBe('client disconnected');
    const second = await viewer(port); // would be refused if the first still counted
    expect(second.width).toBe(16);
    expect(server.clients).toHaveLength(1);
    expect(refusedAddresses).toEqual([]); // a client that got in and left was not refused
  });

  it('does not report a client that hangs up during the handshake (a port probe) as refused', async () => {
    const { server, port } = await serve();
    const refused: string[] = [];
    server.on('refused', (address) => refused.push(address));
    const probe = await rawSocket(port);
    await probe.read(12);
    const gone = nextEvent(server, 'disconnected');
    probe.destroy();
    expect((await gone)[1]).toBe('client disconnected');
    expect(refused).toEqual([]);
  });
});

describe('shared flag (ClientInit, RFC 6143 §7.3.1)', () => {
  it('a non-shared client disconnects every client already connected', async () => {
    const { server, port } = await serve({ alwaysShared: false });
    const a = await viewer(port, true);
    const b = await viewer(port, true);
    const reasons: string[] = [];
    server.on('disconnected', (_s, reason) => reasons.push(reason));
    const exclusive = await viewer(port, false);
    await a.sock.waitClosed();
    await b.sock.waitClosed();
    expect(reasons).toEqual(['another client connected non-shared', 'another client connected non-shared']);
    expect(server.clients.map((s) => s.address)).toEqual([`127.0.0.1:${exclusive.sock.socket.localPort}`]);
    exclusive.setEncodings([RAW]);
    await roundTrip(exclusive);
  });

  it('a shared client leaves a non-shared one connected', async () => {
    const { server, port } = await serve({ alwaysShared: false });
    const exclusive = await viewer(port, false);
    await viewer(port, true);
    // Any disconnection happens before the newcomer's ServerInit is written, so this count is final.
    expect(server.clients).toHaveLength(2);
    exclusive.setEncodings([RAW]);
    await roundTrip(exclusive);
  });

  it('with alwaysShared a non-shared client leaves the others connected', async () => {
    const { server, port } = await serve({ alwaysShared: true });
    const a = await viewer(port, true);
    await viewer(port, false);
    expect(server.clients).toHaveLength(2);
    a.setEncodings([RAW]);
    await roundTrip(a);
  });
});

describe('disconnect(id) and setViewOnly(id)', () => {
  it('return false for an id that is no client, and change nothing', async () => {
    const { server, port } = await serve();
    await viewer(port);
    const [only] = server.clients;
    expect(server.disconnect('no-such-id')).toBe(false);
    expect(server.setViewOnly('no-such-id', true)).toBe(false);
    expect(server.clients.map((c) => c.id)).toEqual([only!.id]);
    expect(only!.closed).toBe(false);
    expect(only!.viewOnly).toBe(false);
  });

  it('disconnect(id) closes that client with the reason given, and only that one', async () => {
    const { server, port } = await serve();
    const a = await viewer(port);
    const b = await viewer(port);
    const target = sessionOf(server, a.sock);
    const refused: string[] = [];
    server.on('refused', (address) => refused.push(address));
    const gone = nextEvent(server, 'disconnected');
    expect(server.disconnect(target.id, 'kicked by the operator')).toBe(true);
    const [session, reason] = await gone;
    expect(session).toBe(target);
    expect(reason).toBe('kicked by the operator');
    await a.sock.waitClosed();
    expect(server.clients.map((c) => c.id)).toEqual([sessionOf(server, b.sock).id]);
    expect(server.disconnect(target.id)).toBe(false); // gone for good
    expect(refused).toEqual([]); // a client that got in was disconnected, not refused
  });

  it("drops a view-only client's key and pointer events, and passes them once it has control again", async () => {
    const { server, port } = await serve();
    const v = await viewer(port);
    v.setEncodings([RAW]);
    const inputs: unknown[] = [];
    server.on('input', (_s, m) => inputs.push(m));
    const id = sessionOf(server, v.sock).id;

    expect(server.setViewOnly(id, true)).toBe(true);
    expect(sessionOf(server, v.sock).viewOnly).toBe(true);
    v.key(KEYSYM_A, true);
    v.pointer(3, 4, 1);
    await roundTrip(v); // the server has read both events by the time this answer arrives
    expect(inputs).toEqual([]);

    expect(server.setViewOnly(id, false)).toBe(true);
    const input = nextEvent(server, 'input');
    v.key(KEYSYM_B, true);
    const [session, message] = await input;
    expect(session.id).toBe(id);
    expect(message).toEqual({ type: 'key', down: true, keysym: KEYSYM_B });
    expect(inputs).toEqual([{ type: 'key', down: true, keysym: KEYSYM_B }]); // the dropped A never arrived late
  });

  it('starts every client view-only with the viewOnly option', async () => {
    const { server, port } = await serve({ viewOnly: true });
    const v = await viewer(port);
    v.setEncodings([RAW]);
    const inputs: unknown[] = [];
    server.on('input', (_s, m) => inputs.push(m));
    expect(sessionOf(server, v.sock).viewOnly).toBe(true);
    v.key(KEYSYM_A, true);
    await roundTrip(v);
    expect(inputs).toEqual([]);
  });
});

describe('setFrameRate', () => {
  it('clamps to 1–60 and emits frameRate only when the rate changes', () => {
    const server = new RfbServer({ frameRate: 30 });
    const emitted: number[] = [];
    server.on('frameRate', (fps) => emitted.push(fps));
    const steps: Array<[asked: number, rate: number]> = [
      [30, 30], // unchanged: no event
      [0, 1], // below the range
      [-5, 1], // clamped to the same value again: no event
      [1, 1], // unchanged
      [1000, 60], // above the range
      [60, 60], // unchanged
      [24, 24], // inside the range, taken as is
      [Number.NaN, 24], // not a number: ignored (it would switch pacing off)
    ];
    for (const [asked, rate] of steps) {
      server.setFrameRate(asked);
      expect(server.options.frameRate, `after setFrameRate(${asked})`).toBe(rate);
    }
    expect(emitted).toEqual([1, 60, 24]);
  });
});

describe('desktop changes reach clients', () => {
  it('setFrame with a new size sends DesktopSize to a client that announced it, then the new area', async () => {
    const { server, port } = await serve({}, pattern(16, 12, 1));
    const v = await viewer(port);
    v.setEncodings([RAW, DESKTOP_SIZE]);
    await roundTrip(v);
    const bigger = pattern(40, 20, 2);
    server.setFrame(bigger);
    expect(server.currentFrame()).toBe(bigger);
    v.request(true);
    // RFC 6143 §7.8.2: the pseudo-rectangle's width and height are the new size.
    expect((await v.nextUpdate()).map((r) => [r.encoding, r.x, r.y, r.w, r.h])).toEqual([[DESKTOP_SIZE, 0, 0, 40, 20]]);
    v.request(true, { x: 0, y: 0, w: 40, h: 20 });
    const after = await v.nextUpdate();
    expect(after.map((r) => [r.encoding, r.x, r.y, r.w, r.h])).toEqual([[RAW, 0, 0, 40, 20]]);
    expect(rawPixels(after[0]!.payload)).toEqual([...bigger.pixels]);
  });

  it('setFrame with the same size is no resize: the next update carries only the changed pixels', async () => {
    const { server, port } = await serve({}, pattern(16, 12, 1));
    const v = await viewer(port);
    v.setEncodings([RAW, DESKTOP_SIZE]);
    await roundTrip(v);
    const next = pattern(16, 12, 3);
    server.setFrame(next);
    server.markChanged([{ x: 2, y: 3, w: 1, h: 1 }]);
    v.request(true);
    const rects = await v.nextUpdate();
    expect(rects.map((r) => [r.encoding, r.x, r.y, r.w, r.h])).toEqual([[RAW, 2, 3, 1, 1]]);
    expect(rawPixels(rects[0]!.payload)).toEqual([next.pixels[3 * 16 + 2]]);
  });

  it('copies from captures between two requests all reach the client in order; one reading pending pixels goes as pixels', async () => {
    const COPY_RECT = 1;
    const { server, port } = await serve({}, pattern(32, 8, 1));
    const v = await viewer(port);
    v.setEncodings([COPY_RECT, RAW]);
    await roundTrip(v);
    // a window 8 wide dragged right by 4, twice, before the client asks again
    server.applyChanges([{ dst: { x: 4, y: 0, w: 8, h: 8 }, srcX: 0, srcY: 0 }], [{ x: 0, y: 0, w: 4, h: 8 }]);
    server.applyChanges([{ dst: { x: 8, y: 0, w: 8, h: 8 }, srcX: 4, srcY: 0 }], [{ x: 4, y: 0, w: 4, h: 8 }]);
    // a copy from where pixels are still pending: the client's picture there is not the frame's
    server.applyChanges([{ dst: { x: 24, y: 0, w: 4, h: 8 }, srcX: 0, srcY: 0 }], []);
    v.request(true);
    const rects = await v.nextUpdate();
    const copies = rects.filter((r) => r.encoding === COPY_RECT).map((r) => [r.x, r.y, r.w, r.h, r.payload.readUInt16BE(0), r.payload.readUInt16BE(2)]);
    expect(copies).toEqual([
      [4, 0, 8, 8, 0, 0],
      [8, 0, 8, 8, 4, 0],
    ]);
    expect(rects.findIndex((r) => r.encoding === RAW)).toBeGreaterThan(1); // pixels after the copies
    const raw = rects.filter((r) => r.encoding === RAW);
    const covers = (x: number): boolean => raw.some((r) => x >= r.x && x < r.x + r.w);
    for (const x of [0, 3, 4, 7, 24, 27]) expect(covers(x), `column ${x} sent as pixels`).toBe(true);
  });

  it('a scroll reading rows whose pixels are still pending is copied where it can be, the rest sent as pixels', async () => {
    const COPY_RECT = 1;
    const { server, port } = await serve({}, pattern(64, 80, 1));
    const v = await viewer(port);
    v.setEncodings([COPY_RECT, RAW]);
    await roundTrip(v);
    // a terminal printed lines at the bottom, then scrolled up by 10 before the client asked again
    server.applyChanges([], [{ x: 0, y: 60, w: 64, h: 20 }]);
    server.applyChanges([{ dst: { x: 0, y: 0, w: 64, h: 70 }, srcX: 0, srcY: 10 }], [{ x: 0, y: 70, w: 64, h: 10 }]);
    v.request(true);
    const rects = await v.nextUpdate();
    const copies = rects.filter((r) => r.encoding === COPY_RECT).map((r) => [r.x, r.y, r.w, r.h, r.payload.readUInt16BE(0), r.payload.readUInt16BE(2)]);
    // rows 10..60 of the source are what the client shows: copied; rows 60..80 it lacks: their destination goes as pixels
    expect(copies).toEqual([[0, 0, 64, 50, 0, 10]]);
    const raw = rects.filter((r) => r.encoding === RAW);
    const covers = (y: number): boolean => raw.some((r) => y >= r.y && y < r.y + r.h && r.x === 0 && r.w === 64);
    for (const y of [50, 59, 60, 69, 70, 79]) expect(covers(y), `row ${y} sent as pixels`).toBe(true);
    expect(covers(49)).toBe(false);
  });

  it('a cursor painted into the picture that a copy carries along is painted over where it lands', async () => {
    const COPY_RECT = 1;
    const frame = pattern(32, 8, 1);
    const { server, port } = await serve({}, frame);
    // an opaque 2×2 cursor at (2, 2): a client without the Cursor pseudo-encoding gets it painted in
    server.setCursor({ width: 2, height: 2, hotX: 0, hotY: 0, pixels: Uint32Array.from([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]), serial: 1 });
    server.setPointer(2, 2);
    const v = await viewer(port);
    v.setEncodings([COPY_RECT, RAW]);
    await roundTrip(v);
    // the content under the cursor moves right by 16; the cursor stays
    server.applyChanges([{ dst: { x: 16, y: 0, w: 8, h: 8 }, srcX: 0, srcY: 0 }], []);
    v.request(true);
    const rects = await v.nextUpdate();
    expect(rects[0]).toMatchObject({ encoding: COPY_RECT, x: 16, y: 0, w: 8, h: 8 });
    // the copied cursor at (18, 2) is replaced with the frame's pixels
    const raw = rects.filter((r) => r.encoding === RAW);
    const ghost = raw.find((r) => r.x <= 18 && r.y <= 2 && r.x + r.w >= 20 && r.y + r.h >= 4);
    expect(ghost, JSON.stringify(raw.map(({ x, y, w, h }) => ({ x, y, w, h })))).toBeDefined();
    const px = rawPixels(ghost!.payload);
    for (const [x, y] of [
      [18, 2],
      [19, 3],
    ] as const) {
      expect(px[(y - ghost!.y) * ghost!.w + (x - ghost!.x)]).toBe(frame.pixels[y * 32 + x]);
    }
  });

  it('setDesktopName reaches a DesktopName client, not one without it, and later ServerInits', async () => {
    const { server, port } = await serve({ desktopName: 'before' });
    const named = await viewer(port);
    const plain = await viewer(port);
    expect(named.name).toBe('before');
    named.setEncodings([RAW, DESKTOP_NAME]);
    plain.setEncodings([RAW]);
    await roundTrip(named);
    await roundTrip(plain);

    server.setDesktopName('after ☺');
    server.markChanged([{ x: 0, y: 0, w: 1, h: 1 }]); // something for both to receive
    named.request(true);
    plain.request(true);
    const toNamed = await named.nextUpdate();
    const nameRect = toNamed.find((r) => r.encoding === DESKTOP_NAME);
    expect(nameRect?.payload.toString('utf8')).toBe('after ☺'); // UTF-8, as the DesktopName extension specifies
    expect((await plain.nextUpdate()).map((r) => r.encoding)).toEqual([RAW]);

    const late = await viewer(port);
    expect(late.name).toBe('after ☺');
  });
});

describe('frame freshness and demand', () => {
  it('emits demand when a client asks for pixels, and has no demand once it is served', async () => {
    const { server, port } = await serve();
    const v = await viewer(port);
    v.setEncodings([RAW]);
    expect(server.hasDemand).toBe(false);
    const demand = nextEvent(server, 'demand');
    v.request(false);
    expect(await demand).toEqual([]);
    await v.nextUpdate();
    expect(server.hasDemand).toBe(false);
  });

  it('setFrameFresh(false) holds pixels back until setFrameFresh(true); the update then shows the new frame', async () => {
    const stale = pattern(16, 12, 4);
    const { server, port } = await serve({ frameRate: 60 }, stale);
    const v = await viewer(port);
    v.setEncodings([RAW]);
    expect(server.frameFresh).toBe(true);
    server.setFrameFresh(false);
    expect(server.frameFresh).toBe(false);

    const demand = nextEvent(server, 'demand');
    v.request(false);
    await demand; // the request was read and the host asked for a capture
    expect(server.hasDemand).toBe(true);
    // Bounded wait for something that must not happen: no pixels from the stale frame.
    await expect(v.next(300)).rejects.toThrow(/timed out/);

    // The host's capture lands: same size, new pixels, then it says the frame is current.
    const captured = pattern(16, 12, 5);
    server.setFrame(captured);
    server.setFrameFresh(true);
    expect(server.frameFresh).toBe(true);
    const rects = await v.nextUpdate();
    expect(rects.map((r) => [r.x, r.y, r.w, r.h])).toEqual([[0, 0, 16, 12]]);
    expect(rawPixels(rects[0]!.payload)).toEqual([...captured.pixels]);
    expect(server.hasDemand).toBe(false);
  });
});

describe('close()', () => {
  it('ends every session, including one still in its handshake, and stops listening', async () => {
    const { server, port } = await serve();
    const a = await viewer(port);
    const b = await viewer(port);
    const half = await rawSocket(port);
    await half.read(12); // greeted, never answered
    const reasons: string[] = [];
    server.on('disconnected', (_s, reason) => reasons.push(reason));

    await server.close();
    await Promise.all([a.sock.waitClosed(), b.sock.waitClosed(), half.waitClosed()]);
    expect(reasons).toEqual(['server shutting down', 'server shutting down', 'server shutting down']);
    expect(server.clients).toEqual([]);
    await expect(WireSocket.connect(port)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('watchers (the server’s own in-process sessions, such as the recorder)', () => {
  /** A watcher stream: what the session writes is kept; `send` feeds it client messages. */
  function watcherStream() {
    const written: Buffer[] = [];
    const stream = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        written.push(chunk);
        cb();
      },
    });
    return { stream, written, send: (b: Buffer) => stream.push(b) };
  }

  it('start past the handshake, are not viewers, and tell capture when watching starts and stops', async () => {
    const { server, port } = await serve({ maxConnections: 1, alwaysShared: false });
    const watching: boolean[] = [];
    server.on('watching', (w) => watching.push(w));
    const connected: Session[] = [];
    server.on('connected', (s) => connected.push(s));
    const w = watcherStream();
    const updates: number[] = [];
    const session = server.acceptWatcher(w.stream, { onUpdate: (s) => updates.push(s.rects.length) });
    expect(session.ready).toBe(true);
    expect(w.written).toEqual([]); // no greeting, no ServerInit
    expect(server.clients).toEqual([]);
    expect(server.hasClients).toBe(true);
    expect(watching).toEqual([true]);

    // It asks for pixels as a viewer does; its updates go to its hook, not to the viewers' 'update' event.
    let viewerUpdates = 0;
    server.on('update', () => viewerUpdates++);
    w.send(bytes().u8(2).pad(1).u16(1).s32(RAW).build()); // SetEncodings [Raw]
    w.send(bytes().u8(3).u8(0).u16(0).u16(0).u16(16).u16(12).build()); // full request
    await waitFor('its update', () => updates.length === 1);
    expect(w.written.at(-1)![0]).toBe(0); // a FramebufferUpdate, one write
    expect(viewerUpdates).toBe(0);

    // It takes no place from viewers, and a non-shared viewer does not end it.
    const v = await viewer(port, false);
    await roundTrip(v);
    expect(server.clients).toHaveLength(1);
    expect(connected).toHaveLength(1);
    expect(session.closed).toBe(false);
    v.close();
    await waitFor('the viewer to go', () => server.clients.length === 0);
    expect(watching).toEqual([true]); // the watcher still watches

    session.close('done');
    expect(server.hasClients).toBe(false);
    expect(watching).toEqual([true, false]);
  });
});
