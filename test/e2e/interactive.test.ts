import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { codepointToKeysym } from '../../src/main/desktop/keysym-unicode.js';
import { openX11, type X11Connection } from '../../src/main/desktop/x11/x11-connection.js';
import { startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { TestViewer } from '../support/test-viewer.js';
import { XEventLog } from '../support/x-event-log.js';
import { catTerm, keysDown } from '../support/x-helpers.js';
import { xrun } from '../support/xvfb.js';

/**
 * The interactive desktop end to end: a scripted RFB client talks to our
 * server, and the effects are checked from the X side (an xterm's output,
 * an event-logging window, xdotool, xclip, XFIXES).
 */
const RAW = 0;
const CURSOR = -239;
const EXT_DESKTOP_SIZE = -308;
const XK = { Return: 0xff0d, Shift_L: 0xffe1, Control_L: 0xffe3, d: 0x64 };
const run = promisify(execFile);

async function connect(port: number, encodings: number[] = [RAW]): Promise<TestViewer> {
  const v = await TestViewer.connect(port);
  v.setEncodings(encodings);
  v.request(false);
  await v.nextUpdate();
  return v;
}

/** Type like a viewer: one keysym per character, Return for newline. */
function typeText(v: TestViewer, text: string): void {
  for (const ch of text) {
    const keysym = ch === '\n' ? XK.Return : codepointToKeysym(ch.codePointAt(0)!);
    v.key(keysym, true);
    v.key(keysym, false);
  }
}

async function xclipOut(display: string, selection: string): Promise<string> {
  const { stdout } = await run('xclip', ['-o', '-selection', selection], { env: { ...process.env, DISPLAY: display }, timeout: 5000 });
  return stdout;
}

/** Own a selection with xclip (it stays as owner in the background; killed by PID at the end). */
function xclipIn(display: string, selection: string, text: string): { kill(): void } {
  const child = spawn('xclip', ['-quiet', '-i', '-selection', selection], { env: { ...process.env, DISPLAY: display }, stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin.end(text);
  return { kill: () => child.kill('SIGTERM') };
}

async function until<T>(get: () => Promise<T> | T, ok: (v: T) => boolean, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the interactive desktop through the server', () => {
  let desk: DesktopServer;
  let probe: X11Connection;
  const dir = mkdtempSync(join(tmpdir(), 'trayvnc-interactive-'));

  beforeAll(async () => {
    // SECURITY off: XFIXES may then read cursors set by clients that have exited (xsetroot).
    desk = await startDesktopServer({ width: 800, height: 600, seed: 11, xvfbArgs: ['-extension', 'SECURITY'] });
    probe = await openX11(desk.xvfb.display, { shm: false });
  }, 60_000);

  afterAll(async () => {
    await probe?.close();
    await desk?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('types "Hello, wörld! €5 ~ [x] ☺" into an xterm exactly', async () => {
    const v = await connect(desk.port);
    try {
      const term = await catTerm(desk.xvfb.display, dir, 'hello', async () => {
        v.pointer(100, 60, 0);
        await until(() => xrun(desk.xvfb.display, 'xdotool', ['getmouselocation']), (s) => s.startsWith('x:100 y:60'), 'the pointer');
      });
      typeText(v, 'Hello, wörld! €5 ~ [x] ☺\n');
      v.key(XK.Control_L, true);
      v.key(XK.d, true);
      v.key(XK.d, false);
      v.key(XK.Control_L, false);
      expect(await term.result()).toBe('Hello, wörld! €5 ~ [x] ☺\n');
    } finally {
      v.close();
    }
  }, 30_000);

  it('delivers Shift and Ctrl chords, moves, clicks, drags and the wheel where they were sent', async () => {
    const log = await XEventLog.open(desk.xvfb.display);
    const v = await connect(desk.port);
    try {
      v.key(XK.Shift_L, true);
      v.key(0x41, true); // 'A' with Shift held
      v.key(0x41, false);
      v.key(XK.Shift_L, false);
      v.key(XK.Control_L, true);
      v.key(0x63, true); // Ctrl+c
      v.key(0x63, false);
      v.key(XK.Control_L, false);
      const keys = await log.waitFor((e) => e.type === 'KeyPress', 4);
      expect(keys.some((e) => e.keysym === 0x41 && (e.state & 0x1) !== 0)).toBe(true);
      expect(keys.some((e) => e.keysym === 0x63 && (e.state & 0x4) !== 0)).toBe(true);

      v.pointer(200, 150, 0);
      v.pointer(200, 150, 1); // press left
      v.pointer(260, 190, 1); // drag
      v.pointer(260, 190, 0); // release
      v.pointer(300, 300, 8); // wheel up (button 4)
      v.pointer(300, 300, 0);
      v.pointer(300, 300, 16); // wheel down (button 5)
      v.pointer(300, 300, 0);
      const buttons = await log.waitFor((e) => e.type === 'ButtonRelease', 3);
      const press = log.events.find((e) => e.type === 'ButtonPress' && e.detail === 1)!;
      expect([press.rootX, press.rootY]).toEqual([200, 150]);
      const release = buttons.find((e) => e.detail === 1)!;
      expect([release.rootX, release.rootY]).toEqual([260, 190]);
      expect(log.events.some((e) => e.type === 'MotionNotify' && e.rootX === 260 && (e.state & 0x100) !== 0)).toBe(true); // moved with the button down
      expect(buttons.map((e) => e.detail)).toEqual([1, 4, 5]);
      expect(await xrun(desk.xvfb.display, 'xdotool', ['getmouselocation'])).toMatch(/^x:300 y:300 /);
    } finally {
      v.close();
      await log.close();
    }
  }, 30_000);

  it('leaves no key or button down when a client disconnects mid-chord', async () => {
    const v = await connect(desk.port);
    v.key(XK.Shift_L, true);
    v.key(XK.Control_L, true);
    v.key(0x61, true);
    v.pointer(50, 50, 1);
    await until(() => keysDown(probe), (k) => k.length >= 3, 'the keys to be down');
    v.close(); // gone without releasing anything
    await until(() => keysDown(probe), (k) => k.length === 0, 'every key to be released');
    const pointer = await probe.request<{ keyMask: number }>((cb) => probe.client.QueryPointer(probe.root, cb));
    expect(pointer.keyMask & 0x1f00).toBe(0); // no button held
  }, 20_000);

  it("ignores a view-only client's keys and pointer", async () => {
    const v = await connect(desk.port);
    expect(desk.service.server.setViewOnly(desk.service.server.clients.at(-1)!.id, true)).toBe(true);
    const before = await xrun(desk.xvfb.display, 'xdotool', ['getmouselocation']);
    v.pointer(7, 9, 1);
    v.key(0x61, true);
    v.request(false);
    await v.nextUpdate(); // the server has read the input
    await new Promise((r) => setTimeout(r, 200));
    expect(await xrun(desk.xvfb.display, 'xdotool', ['getmouselocation'])).toBe(before);
    expect(await keysDown(probe)).toEqual([]);
    v.close();
  }, 20_000);

  it('copies classic (Latin-1) cut text both ways, on CLIPBOARD and PRIMARY', async () => {
    const v = await connect(desk.port);
    try {
      v.cutText(Buffer.from('café crème', 'latin1'));
      for (const sel of ['clipboard', 'primary']) {
        expect(await until(() => xclipOut(desk.xvfb.display, sel).catch(() => ''), (t) => t === 'café crème', `${sel} to be set`)).toBe('café crème');
      }
      for (const sel of ['clipboard', 'primary']) {
        const owner = xclipIn(desk.xvfb.display, sel, `plain ASCII and é from ${sel}`);
        try {
          const m = await v.next();
          expect(m.type).toBe(3);
          expect(m.raw!.toString('latin1')).toBe(`plain ASCII and é from ${sel}`);
        } finally {
          owner.kill();
        }
      }
    } finally {
      v.close();
    }
  }, 30_000);

  it('truncates a 1 MiB desktop clipboard to the limit without harm', async () => {
    const v = await connect(desk.port);
    const owner = xclipIn(desk.xvfb.display, 'clipboard', 'x'.repeat(1 << 20));
    try {
      const m = await v.next(10_000);
      expect(m.type).toBe(3);
      expect(m.raw!.length).toBe(256 * 1024);
      v.request(false);
      expect(await v.nextUpdate()).toBeDefined(); // still served
    } finally {
      owner.kill();
      v.close();
    }
  }, 30_000);

  it("sends the cursor shape XFIXES reports, and the new shape when it changes", async () => {
    // A 16×16 cursor drawn here: its image is known without asking the server.
    const bits = Array.from({ length: 32 }, (_, i) => (i % 2 === 0 ? 0xff : 0x0f));
    const xbm = (name: string) =>
      `#define ${name}_width 16\n#define ${name}_height 16\n#define ${name}_x_hot 3\n#define ${name}_y_hot 5\nstatic unsigned char ${name}_bits[] = {\n   ${bits.map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')}};\n`;
    writeFileSync(join(dir, 'c.xbm'), xbm('c'));
    writeFileSync(join(dir, 'm.xbm'), xbm('m'));
    await xrun(desk.xvfb.display, 'xsetroot', ['-fg', '#ff0000', '-bg', '#0000ff', '-cursor', join(dir, 'c.xbm'), join(dir, 'm.xbm')]);
    await new Promise((r) => setTimeout(r, 200));
    const v = await TestViewer.connect(desk.port);
    try {
      v.setEncodings([RAW, CURSOR]);
      v.request(false);
      const rects = await v.nextUpdate();
      const cur = rects.find((r) => r.encoding === CURSOR);
      expect(cur, 'a cursor rectangle').toBeDefined();
      expect([cur!.x, cur!.y, cur!.w, cur!.h]).toEqual([3, 5, 16, 16]);
      // XBM bits are LSB first: bit set = foreground (red) where the mask is set.
      const px = (x: number, y: number) => cur!.payload.readUInt32LE((y * 16 + x) * 4) & 0xffffff;
      for (let y = 0; y < 16; y++) {
        for (let x = 0; x < 16; x++) {
          const byte = bits[y * 2 + (x >> 3)]!;
          const on = (byte >> (x & 7)) & 1;
          if (on) expect(px(x, y), `pixel ${x},${y}`).toBe(0xff0000);
        }
      }
      const mask = cur!.payload.subarray(16 * 16 * 4);
      expect(mask[0]).toBe(0xff); // row 0, first 8 pixels opaque (mask byte 0xff)

      await xrun(desk.xvfb.display, 'xsetroot', ['-cursor_name', 'watch']);
      v.request(true);
      const next = await until(
        async () => (await v.nextUpdate()).find((r) => r.encoding === CURSOR),
        (r) => r !== undefined,
        'a new cursor shape',
      );
      expect([next!.w, next!.h]).not.toEqual([16, 16]);
    } finally {
      v.close();
    }
  }, 30_000);

  it("resizes the X screen when a client sends SetDesktopSize, and reports the result", async () => {
    const v = await TestViewer.connect(desk.port);
    try {
      v.setEncodings([RAW, EXT_DESKTOP_SIZE]);
      v.request(false);
      await v.nextUpdate();
      const b = Buffer.alloc(24);
      b[0] = 251;
      b.writeUInt16BE(640, 2);
      b.writeUInt16BE(480, 4);
      b[6] = 1; // one screen
      b.writeUInt32BE(1, 8);
      b.writeUInt16BE(640, 16);
      b.writeUInt16BE(480, 18);
      v.sock.write(b);
      const reply = await until(
        async () => {
          v.request(true);
          return (await v.nextUpdate()).find((r) => r.encoding === EXT_DESKTOP_SIZE);
        },
        (r) => r !== undefined,
        'the ExtendedDesktopSize answer',
        10_000,
      );
      expect([reply!.x, reply!.y, reply!.w, reply!.h]).toEqual([1, 0, 640, 480]); // our request, status 0, new size
      expect(await xrun(desk.xvfb.display, 'xdpyinfo', [])).toMatch(/dimensions:\s+640x480 pixels/);
    } finally {
      v.close();
    }
  }, 30_000);

  it('delivers AltGr chords on a layout that has them (German)', async () => {
    await xrun(desk.xvfb.display, 'setxkbmap', ['-layout', 'de']);
    const v = await connect(desk.port);
    try {
      const term = await catTerm(desk.xvfb.display, dir, 'altgr', async () => {
        v.pointer(100, 60, 0);
        await until(() => xrun(desk.xvfb.display, 'xdotool', ['getmouselocation']), (s) => s.startsWith('x:100 y:60'), 'the pointer');
      });
      const ISO_Level3_Shift = 0xfe03;
      for (const key of [0x40, 0x20ac]) {
        // AltGr+q and AltGr+e on a German keyboard: viewers send AltGr, then the keysym produced (@, €).
        v.key(ISO_Level3_Shift, true);
        v.key(key, true);
        v.key(key, false);
        v.key(ISO_Level3_Shift, false);
      }
      v.key(XK.Return, true);
      v.key(XK.Return, false);
      v.key(XK.Control_L, true);
      v.key(XK.d, true);
      v.key(XK.d, false);
      v.key(XK.Control_L, false);
      expect(await term.result()).toBe('@€\n');
    } finally {
      v.close();
      await xrun(desk.xvfb.display, 'setxkbmap', ['-layout', 'us']);
    }
  }, 30_000);
});
