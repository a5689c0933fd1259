import { afterEach, describe, expect, it } from 'vitest';
import pako from 'pako';
import { RfbServer, type RfbServerOptions } from '../../../src/main/rfb/server.js';
import { createFrame } from '../../../src/main/framebuffer/frame.js';
import type { Session, InputMessage } from '../../../src/main/rfb/session.js';
import { TestViewer } from '../../support/test-viewer.js';

const RAW = 0;
const EXTENDED_CLIPBOARD = 0xc0a1e5ce | 0;
// Extended Clipboard flags, from the rfbproto description.
const TEXT = 1;
const CAPS = 1 << 24;
const REQUEST = 1 << 25;
const PEEK = 1 << 26;
const NOTIFY = 1 << 27;
const PROVIDE = 1 << 28;

let server: RfbServer | null = null;

async function serve(opts: Partial<RfbServerOptions> = {}): Promise<number> {
  server = new RfbServer({ password: null, alwaysShared: true, ...opts });
  server.setFrame(createFrame(32, 32));
  return (await server.listen(0, '127.0.0.1')).port;
}

afterEach(async () => {
  await server?.close();
  server = null;
});

function flags(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

/** A Provide payload built the way noVNC builds it: u32 size + UTF-8 text + NUL, CRLF line ends, deflated with pako. */
function provide(text: string): Buffer {
  const body = Buffer.from(text.replace(/\r\n|\r|\n/g, '\r\n') + '\0', 'utf8');
  const size = Buffer.alloc(4);
  size.writeUInt32BE(body.length);
  return Buffer.concat([flags(PROVIDE | TEXT), Buffer.from(pako.deflate(Buffer.concat([size, body])))]);
}

async function extendedViewer(port: number): Promise<TestViewer> {
  const v = await TestViewer.connect(port);
  v.setEncodings([RAW, EXTENDED_CLIPBOARD]);
  const caps = await v.next();
  expect(caps.type).toBe(3);
  expect(caps.extended).toBe(true);
  const f = caps.raw!.readUInt32BE(0);
  expect(f & CAPS).toBeTruthy();
  expect(f & TEXT).toBeTruthy();
  for (const a of [REQUEST, PEEK, NOTIFY, PROVIDE]) expect(f & a).toBeTruthy();
  expect(caps.raw!.readUInt32BE(4)).toBe(256 * 1024); // the text size limit
  v.cutText(Buffer.concat([flags(CAPS | REQUEST | PEEK | NOTIFY | PROVIDE | TEXT), flags(0)]), true);
  return v;
}

function nextClipboard(): Promise<[Session, string]> {
  return new Promise((resolve) => server!.once('clipboard', (s, t) => resolve([s, t])));
}

describe('clipboard', () => {
  it('Extended Clipboard, server to client: Notify, the client Requests, the server Provides UTF-8', async () => {
    const port = await serve();
    const v = await extendedViewer(port);
    await new Promise((r) => setTimeout(r, 50)); // let the caps arrive
    server!.broadcastClipboard('wörld € ☺\nline 2');
    const notify = await v.next();
    expect(notify.raw!.readUInt32BE(0)).toBe((NOTIFY | TEXT) >>> 0);
    v.cutText(flags(REQUEST | TEXT), true);
    const prov = await v.next();
    expect(prov.raw!.readUInt32BE(0)).toBe((PROVIDE | TEXT) >>> 0);
    const data = Buffer.from(pako.inflate(prov.raw!.subarray(4)));
    const size = data.readUInt32BE(0);
    expect(data.subarray(4, 4 + size).toString('utf8')).toBe('wörld € ☺\r\nline 2\0');
    v.close();
  });

  it('Extended Clipboard, client to server: Notify, the server Requests, the client Provides', async () => {
    const port = await serve();
    const v = await extendedViewer(port);
    v.cutText(flags(NOTIFY | TEXT), true);
    const req = await v.next();
    expect(req.raw!.readUInt32BE(0)).toBe((REQUEST | TEXT) >>> 0);
    const got = nextClipboard();
    v.cutText(provide('emoji 🎉 and €\nnext'), true);
    expect((await got)[1]).toBe('emoji 🎉 and €\nnext');
    v.close();
  });

  it('accepts a Provide whose zlib stream is flushed but not finished, as noVNC sends it', async () => {
    const port = await serve();
    const v = await extendedViewer(port);
    const body = Buffer.from('ünfinished\0', 'utf8');
    const size = Buffer.alloc(4);
    size.writeUInt32BE(body.length);
    const d = new pako.Deflate();
    const chunks: Uint8Array[] = [];
    d.onData = (c) => chunks.push(c as Uint8Array);
    d.push(Buffer.concat([size, body]), 2); // Z_SYNC_FLUSH: no end of stream
    const got = nextClipboard();
    v.cutText(Buffer.concat([flags(PROVIDE | TEXT), ...chunks.map((c) => Buffer.from(c))]), true);
    expect((await got)[1]).toBe('ünfinished');
    v.close();
  });

  it('answers Peek with Notify', async () => {
    const port = await serve();
    const v = await extendedViewer(port);
    v.cutText(flags(PEEK), true);
    expect((await v.next()).raw!.readUInt32BE(0)).toBe(NOTIFY >>> 0); // nothing offered yet: no formats
    v.close();
  });

  it('ignores a Provide that inflates past the limit and keeps the client', async () => {
    const port = await serve({ limits: { maxEncodings: 64, maxCutText: 1000 } });
    const v = await TestViewer.connect(port);
    v.setEncodings([RAW, EXTENDED_CLIPBOARD]);
    await v.next();
    let got = false;
    server!.on('clipboard', () => (got = true));
    v.cutText(provide('x'.repeat(1 << 20)), true); // 1 MiB of text, a few KiB compressed
    v.setEncodings([RAW]);
    v.request(false);
    expect(await v.nextUpdate()).toHaveLength(1); // still served
    expect(got).toBe(false);
    v.close();
  });

  it('classic cut text is Latin-1 both ways', async () => {
    const port = await serve();
    const v = await TestViewer.connect(port);
    v.setEncodings([RAW]);
    const got = nextClipboard();
    v.cutText(Buffer.from('café', 'latin1'));
    expect((await got)[1]).toBe('café');
    server!.broadcastClipboard('déjà vu € ☺');
    const m = await v.next();
    expect(m.type).toBe(3);
    expect(m.extended).toBe(false);
    expect(m.raw!.toString('latin1')).toBe('déjà vu ? ?');
    v.close();
  });

  it('skips an oversized classic cut text without losing the connection', async () => {
    const port = await serve({ limits: { maxEncodings: 64, maxCutText: 1024 } });
    const v = await TestViewer.connect(port);
    v.setEncodings([RAW]);
    let got = false;
    server!.on('clipboard', () => (got = true));
    v.cutText(Buffer.alloc(1 << 20, 0x41)); // 1 MiB
    v.request(false);
    expect(await v.nextUpdate()).toHaveLength(1);
    expect(got).toBe(false);
    v.close();
  });
});

describe('view-only', () => {
  it("drops a view-only client's keys, pointer and clipboard, and honours a per-client switch", async () => {
    const port = await serve({ viewOnly: true });
    const inputs: InputMessage[] = [];
    const clips: string[] = [];
    server!.on('input', (_s, m) => inputs.push(m));
    server!.on('clipboard', (_s, t) => clips.push(t));
    const v = await TestViewer.connect(port);
    v.setEncodings([RAW]);
    v.key(0x61, true);
    v.key(0x61, false);
    v.pointer(5, 5, 1);
    v.cutText(Buffer.from('nope'));
    v.request(false);
    await v.nextUpdate(); // everything before was read
    expect(inputs).toEqual([]);
    expect(clips).toEqual([]);

    expect(server!.setViewOnly(server!.clients[0]!.id, false)).toBe(true);
    v.key(0x62, true);
    v.request(false);
    await v.nextUpdate();
    expect(inputs).toEqual([{ type: 'key', down: true, keysym: 0x62 }]);
    v.close();
  });
});
