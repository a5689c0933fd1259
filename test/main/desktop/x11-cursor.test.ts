import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FixesCursorImageReply, FixesExt, RenderExt } from 'x11';
import type { CursorImage } from '../../../src/main/desktop/input.js';
import { openX11, type X11Connection } from '../../../src/main/desktop/x11/x11-connection.js';
import { unpremultiply, X11Cursor } from '../../../src/main/desktop/x11/x11-cursor.js';
import { startXvfb, type XvfbHandle } from '../../support/xvfb.js';
import { waitFor } from '../../support/wait.js';

const execFileAsync = promisify(execFile);

const W = 320;
const H = 240;
const ZPIXMAP = 2;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Straight alpha as the test computes it: round(c · 255 / a), capped at 255; alpha 0 → 0. */
function straight(premultiplied: number): number {
  const a = premultiplied >>> 24;
  if (a === 0) return 0;
  let v = a * 2 ** 24;
  for (const shift of [16, 8, 0]) v += Math.min(255, Math.round((((premultiplied >>> shift) & 0xff) * 255) / a)) * 2 ** shift;
  return v;
}

function hex(px: Iterable<number>): string[] {
  return [...px].map((v) => v.toString(16).padStart(8, '0'));
}

/**
 * A cursor drawn in text: '#' foreground, 'o' background, '.' transparent.
 * Asymmetric on purpose, so a flip or an off-by-one shows.
 */
const ART = [
  '##...........',
  '#o#..........',
  '#oo#.........',
  '#ooo#........',
  '#oooo#.......',
  '#ooooo#####..',
  '#oo#oo#......',
  '#o#.#oo#.....',
  '##...#oo#...#',
  '......###..##',
];
const ART_W = ART[0]!.length;
const ART_H = ART.length;
const ART_HOT = { x: 3, y: 5 };

/** An XBM file: rows padded to whole bytes, least significant bit first. */
function xbm(name: string, on: (c: string) => boolean, hot: { x: number; y: number }): string {
  const bytes: string[] = [];
  for (const row of ART) {
    for (let b = 0; b < Math.ceil(ART_W / 8); b++) {
      let v = 0;
      for (let bit = 0; bit < 8; bit++) {
        const x = b * 8 + bit;
        if (x < ART_W && on(row[x]!)) v |= 1 << bit;
      }
      bytes.push(`0x${v.toString(16).padStart(2, '0')}`);
    }
  }
  return (
    `#define ${name}_width ${ART_W}\n#define ${name}_height ${ART_H}\n` +
    `#define ${name}_x_hot ${hot.x}\n#define ${name}_y_hot ${hot.y}\n` +
    `static unsigned char ${name}_bits[] = {\n   ${bytes.join(', ')}};\n`
  );
}

describe('X11Cursor on Xvfb', () => {
  let xvfb: XvfbHandle;
  let dir: string;
  let cursor: X11Cursor;
  /** A second, independent connection: the "other X client" of the tests. */
  let other: X11Connection;
  let fixes: FixesExt;
  let render: RenderExt;
  const changes: CursorImage[] = [];
  const errors: Error[] = [];

  /** Run xsetroot; `coreOnly` hides the cursor themes so -cursor_name gives the core font cursor. */
  async function xsetroot(args: string[], coreOnly = true): Promise<void> {
    const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: xvfb.display };
    if (coreOnly) env['XCURSOR_PATH'] = join(dir, 'no-themes');
    else delete env['XCURSOR_PATH'];
    await execFileAsync('xsetroot', args, { env, timeout: 10_000 });
  }

  /** What XFIXES reports right now, converted by the test's own formula. */
  async function serverImage(): Promise<Omit<CursorImage, 'serial'>> {
    const r = await other.request<FixesCursorImageReply>((cb) => fixes.GetCursorImage(cb));
    const px = new Uint32Array(r.width * r.height);
    for (let i = 0; i < px.length; i++) px[i] = straight(r.cursorImage.readUInt32LE(i * 4));
    return { width: r.width, height: r.height, hotX: r.xhot, hotY: r.yhot, pixels: px };
  }

  function expectShape(actual: CursorImage | null, expected: Omit<CursorImage, 'serial'>): void {
    expect(actual).not.toBeNull();
    const { width, height, hotX, hotY } = actual!;
    expect({ width, height, hotX, hotY }).toEqual({ width: expected.width, height: expected.height, hotX: expected.hotX, hotY: expected.hotY });
    expect(hex(actual!.pixels)).toEqual(hex(expected.pixels));
  }

  /** The next shape delivered through onChange with a serial above `after`. */
  function nextChange(after: number, what: string): Promise<CursorImage> {
    return waitFor(what, () => changes.find((c) => c.serial > after));
  }

  /** An ARGB cursor made with RENDER from premultiplied pixels, as toolkits do for themed cursors. */
  async function argbCursor(w: number, h: number, premultiplied: number[], hotX: number, hotY: number): Promise<number> {
    const c = other.client;
    const pixmap = c.AllocID();
    c.CreatePixmap(pixmap, other.root, 32, w, h);
    const gc = c.AllocID();
    c.CreateGC(gc, pixmap, {});
    const data = Buffer.alloc(w * h * 4);
    for (let i = 0; i < premultiplied.length; i++) {
      if (other.display.image_byte_order === 0) data.writeUInt32LE(premultiplied[i]!, i * 4);
      else data.writeUInt32BE(premultiplied[i]!, i * 4);
    }
    c.PutImage(ZPIXMAP, pixmap, gc, w, h, 0, 0, 0, 32, data);
    const picture = c.AllocID();
    render.CreatePicture(picture, pixmap, render.rgba32);
    const id = c.AllocID();
    render.CreateCursor(id, picture, hotX, hotY);
    render.FreePicture(picture);
    c.FreeGC(gc);
    c.FreePixmap(pixmap);
    await other.sync();
    return id;
  }

  beforeAll(async () => {
    xvfb = await startXvfb({ width: W, height: H, args: ['-extension', 'SECURITY'] });
    dir = await mkdtemp(join(tmpdir(), 'trayvnc-cursor-'));
    other = await openX11(xvfb.display, { shm: false });
    fixes = (await other.extension('fixes'))!;
    render = (await other.extension('render'))!;
    expect(fixes).toBeTruthy();
    expect(render).toBeTruthy();
    cursor = new X11Cursor({ display: xvfb.display });
    cursor.onChange((c) => changes.push(c));
    cursor.onError((e) => errors.push(e));
    await cursor.start();
  });

  afterAll(async () => {
    await cursor?.stop();
    await other?.close();
    await xvfb?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts with the cursor the server shows (the root window default)', async () => {
    const first = cursor.current();
    expect(first).not.toBeNull();
    expect(first!.serial).toBeGreaterThan(0);
    expectShape(first, await serverImage());
    // the core "X" cursor of a bare server: black and white, opaque or transparent
    expect(first!.width).toBeGreaterThan(0);
    for (const p of first!.pixels) expect([0, 0xff000000, 0xffffffff]).toContain(p);
    expect(errors).toEqual([]);
  });

  it('knows where the pointer is', async () => {
    other.client.WarpPointer(0, other.root, 0, 0, 0, 0, 37, 91);
    await other.sync();
    expect(await cursor.position()).toEqual({ x: 37, y: 91 });
    other.client.WarpPointer(0, other.root, 0, 0, 0, 0, W / 2, H / 2);
    await other.sync();
    expect(await cursor.position()).toEqual({ x: W / 2, y: H / 2 });
  });

  it('hears the pointer move through XI2 (a warp, and device motion through XTest), and nothing while it is still', async () => {
    expect(cursor.reportsMotion).toBe(true);
    let moves = 0;
    cursor.onMotion(() => moves++);
    await sleep(300);
    expect(moves).toBe(0);
    // A warp by another client: XI2 Motion on the root.
    other.client.WarpPointer(0, other.root, 0, 0, 0, 0, 50, 60);
    await other.sync();
    await waitFor('a move event for the warp', () => (moves > 0 ? moves : undefined));
    // Device motion, as a real mouse's (xdotool's XTest relative move): RawMotion too.
    const afterWarp = moves;
    await execFileAsync('xdotool', ['mousemove_relative', '--', '7', '5'], { env: { ...process.env, DISPLAY: xvfb.display }, timeout: 10_000 });
    await waitFor('a move event for the device motion', () => (moves > afterWarp ? moves : undefined));
    expect(await cursor.position()).toEqual({ x: 57, y: 65 });
    const settled = moves;
    await sleep(300);
    expect(moves).toBe(settled);
  });

  it('follows xsetroot -cursor with an XBM pair: size, hotspot and every pixel', async () => {
    await writeFile(join(dir, 'shape.xbm'), xbm('shape', (c) => c === '#', ART_HOT));
    await writeFile(join(dir, 'mask.xbm'), xbm('mask', (c) => c !== '.', { x: -1, y: -1 }));
    const before = cursor.current()!.serial;
    await xsetroot(['-fg', '#ff0000', '-bg', '#0000ff', '-cursor', join(dir, 'shape.xbm'), join(dir, 'mask.xbm')]);
    const got = await nextChange(before, 'the XBM cursor');
    const expected = new Uint32Array(ART_W * ART_H);
    ART.forEach((row, y) => {
      for (let x = 0; x < ART_W; x++) {
        const c = row[x]!;
        expected[y * ART_W + x] = c === '#' ? 0xffff0000 : c === 'o' ? 0xff0000ff : 0;
      }
    });
    expectShape(got, { width: ART_W, height: ART_H, hotX: ART_HOT.x, hotY: ART_HOT.y, pixels: expected });
    expect(cursor.current()).toBe(got);
  });

  it('does not move the serial when a new cursor has the same shape', async () => {
    const before = cursor.current()!;
    const seen = changes.length;
    const s0 = cursor.stats;
    // same files again: a new cursor object, so the server notifies, but the pixels are the same
    await xsetroot(['-fg', '#ff0000', '-bg', '#0000ff', '-cursor', join(dir, 'shape.xbm'), join(dir, 'mask.xbm')]);
    await waitFor('the CursorNotify', () => cursor.stats.events > s0.events);
    await waitFor('the fetch it causes', () => cursor.stats.fetches > s0.fetches);
    await cursor.refresh(); // past that fetch, and one more for good measure
    expect(cursor.current()).toBe(before);
    expect(changes.length).toBe(seen);
    expect(cursor.stats.changes).toBe(s0.changes);
  });

  it('delivers a new shape with a new serial when another client changes the cursor (core font)', async () => {
    const before = cursor.current()!.serial;
    await xsetroot(['-cursor_name', 'watch']);
    const got = await nextChange(before, 'the core watch cursor');
    expect(got.serial).toBeGreaterThan(before);
    expectShape(got, await serverImage());
    // a font cursor: black on white, no partial alpha
    for (const p of got.pixels) expect([0, 0xff000000, 0xffffffff]).toContain(p);
    expect(got.pixels.some((p) => p === 0xff000000)).toBe(true);
    expect(got.pixels.some((p) => p === 0)).toBe(true);
  });

  it('reads an ARGB cursor and un-premultiplies it (rounding, alpha 0 → 0)', async () => {
    // the premultiplied values the server stores, and what they mean straight
    const premultiplied = [
      0xff102030, 0x80404040, 0x80002040, 0x00000000,
      0x7f7f0000, 0x01010000, 0x40200000, 0xc0604020,
      0x33112233, 0x00000000, 0x807f7f7f, 0x02010101,
    ];
    const wanted = [
      0xff102030, 0x80808080, 0x80004080, 0x00000000, // 64·255/128 = 127.5 → 128; 32·255/128 = 63.75 → 64
      0x7fff0000, 0x01ff0000, 0x40800000, 0xc080552b, // 96·255/192 = 127.5 → 128, 64·255/192 = 85, 32·255/192 = 42.5 → 43
      0x3355aaff, 0x00000000, 0x80fdfdfd, 0x02808080, // 17·255/51 = 85, 34 → 170, 51 → 255; 127·255/128 = 253.0; 1·255/2 → 128
    ];
    expect(hex(premultiplied.map(straight))).toEqual(hex(wanted)); // the test's formula agrees with the hand-worked values
    const before = cursor.current()!.serial;
    const id = await argbCursor(4, 3, premultiplied, 1, 2);
    other.client.ChangeWindowAttributes(other.root, { cursor: id });
    await other.sync();
    const got = await nextChange(before, 'the ARGB cursor');
    expectShape(got, { width: 4, height: 3, hotX: 1, hotY: 2, pixels: Uint32Array.from(wanted) });
    expectShape(got, await serverImage());
    other.client.FreeCursor(id); // the root keeps its reference
  });

  it('coalesces a burst of changes into a few fetches and ends on the last shape', async () => {
    const a = await argbCursor(2, 2, [0xff0000ff, 0x80000080, 0x00000000, 0xff00ff00], 0, 0);
    const b = await argbCursor(3, 1, [0xffff0000, 0xff00ff00, 0x800000ff], 2, 0);
    const s0 = cursor.stats;
    const flips = 200;
    for (let i = 0; i < flips; i++) other.client.ChangeWindowAttributes(other.root, { cursor: i % 2 === 0 ? a : b }); // ends on b
    await other.sync();
    const expectedB = { width: 3, height: 1, hotX: 2, hotY: 0, pixels: Uint32Array.of(0xffff0000, 0xff00ff00, 0x800000ff) };
    await waitFor('the last shape of the burst', () => {
      const c = cursor.current();
      return c && c.width === 3 && c.height === 1 && c.pixels[2] === 0x800000ff;
    });
    await waitFor('all notifications', () => cursor.stats.events - s0.events >= flips);
    await cursor.refresh();
    const s1 = cursor.stats;
    const events = s1.events - s0.events;
    const fetches = s1.fetches - s0.fetches;
    console.log(`burst of ${flips} cursor changes: ${events} CursorNotify, ${fetches} GetCursorImage (1 of them by refresh()), ${s1.changes - s0.changes} shape changes`);
    expect(events).toBe(flips);
    expect(fetches).toBeLessThanOrEqual(10);
    expectShape(cursor.current(), expectedB);
    other.client.FreeCursor(a);
    other.client.FreeCursor(b);
    await other.sync();
  });

  it('answers a cursor seen before from memory, with a new serial', async () => {
    const a = await argbCursor(2, 1, [0xff112233, 0x80404040], 0, 0);
    const b = await argbCursor(1, 2, [0xff445566, 0x40101010], 0, 1);
    const shapeA = { width: 2, height: 1, hotX: 0, hotY: 0, pixels: Uint32Array.of(0xff112233, 0x80808080) };
    const shapeB = { width: 1, height: 2, hotX: 0, hotY: 1, pixels: Uint32Array.of(0xff445566, 0x40404040) };
    const show = async (id: number, shape: typeof shapeA): Promise<CursorImage> => {
      const before = cursor.current()!.serial;
      other.client.ChangeWindowAttributes(other.root, { cursor: id });
      await other.sync();
      const got = await nextChange(before, 'the next shape');
      expectShape(got, shape);
      return got;
    };
    await show(a, shapeA);
    await show(b, shapeB);
    const s0 = cursor.stats;
    let last = 0;
    for (let i = 0; i < 6; i++) {
      const got = await show(i % 2 === 0 ? a : b, i % 2 === 0 ? shapeA : shapeB);
      expect(got.serial).toBeGreaterThan(last);
      last = got.serial;
    }
    const s1 = cursor.stats;
    expect(s1.fetches - s0.fetches).toBe(0);
    expect(s1.cached - s0.cached).toBe(6);
    other.client.FreeCursor(a);
    other.client.FreeCursor(b);
    await other.sync();
  });

  it.skipIf(!existsSync('/usr/share/icons/Adwaita/cursors/watch'))(
    'follows themed cursors, animated ones frame by frame',
    async () => {
      // a themed (ARGB, antialiased) cursor
      let before = cursor.current()!.serial;
      await xsetroot(['-cursor_name', 'left_ptr'], false);
      const arrow = await nextChange(before, 'the themed left_ptr');
      expectShape(arrow, await serverImage());
      expect(arrow.pixels.some((p) => p >>> 24 > 0 && p >>> 24 < 255)).toBe(true);

      // an animated one: every frame is a cursor of its own
      before = arrow.serial;
      const s0 = cursor.stats;
      const seen = changes.length;
      await xsetroot(['-cursor_name', 'watch'], false);
      await waitFor('animation frames', () => cursor.stats.events - s0.events > 30);
      await sleep(1500); // past the first loop (about 60 frames a second, a loop of about one second)
      const s1 = cursor.stats;
      await sleep(1000);
      const s2 = cursor.stats;
      const line = (a: typeof s0, b: typeof s0): string =>
        `${b.events - a.events} events, ${b.fetches - a.fetches} fetches, ${b.cached - a.cached} from memory, ${b.changes - a.changes} changes`;
      const sizes = new Set(changes.slice(seen).map((c) => `${c.width}x${c.height}`));
      console.log(`animated watch: first ${line(s0, s1)}; next 1 s: ${line(s1, s2)}; sizes ${[...sizes].join(' ')}`);
      expect(s2.events - s1.events).toBeGreaterThan(20); // animating
      expect(s2.changes - s1.changes).toBeGreaterThan(20); // and followed
      expect(s2.fetches - s1.fetches).toBeLessThanOrEqual(3); // later loops come from memory
      expect(s2.fetches - s0.fetches).toBeLessThanOrEqual(s2.events - s0.events); // never more than one per event
      expect(errors).toEqual([]);

      // back to a still cursor
      await xsetroot(['-cursor_name', 'left_ptr'], false);
      await sleep(100); // let the last frame notifications drain
      await cursor.refresh();
      expectShape(cursor.current(), arrow);
    },
  );

  it('un-premultiplies every (alpha, colour) pair like round(c · 255 / a)', () => {
    for (let a = 0; a < 256; a++) {
      for (let c = 0; c < 256; c++) {
        const p = ((a << 24) | (c << 16) | ((c >> 1) << 8) | (255 - c)) >>> 0;
        const got = unpremultiply(p);
        if (got !== straight(p)) expect(got.toString(16), `premultiplied ${p.toString(16)}`).toBe(straight(p).toString(16));
      }
    }
  });
});

/**
 * A stock Xvfb has the SECURITY extension, which refuses GetCursorImage (BadAccess)
 * once the client that created the cursor on screen has disconnected.
 */
describe('X11Cursor on Xvfb with the SECURITY extension', () => {
  let xvfb: XvfbHandle;
  let dir: string;
  let cursor: X11Cursor;
  let other: X11Connection;
  let fixes: FixesExt;
  let xterm: ChildProcess | null = null;
  const changes: CursorImage[] = [];
  const errors: Error[] = [];

  async function serverImage(): Promise<Omit<CursorImage, 'serial'>> {
    const r = await other.request<FixesCursorImageReply>((cb) => fixes.GetCursorImage(cb));
    const px = new Uint32Array(r.width * r.height);
    for (let i = 0; i < px.length; i++) px[i] = straight(r.cursorImage.readUInt32LE(i * 4));
    return { width: r.width, height: r.height, hotX: r.xhot, hotY: r.yhot, pixels: px };
  }

  function sameShape(a: Omit<CursorImage, 'serial'> | null, b: Omit<CursorImage, 'serial'>): boolean {
    return !!a && a.width === b.width && a.height === b.height && a.hotX === b.hotX && a.hotY === b.hotY && a.pixels.every((p, i) => p === b.pixels[i]);
  }

  async function warp(x: number, y: number): Promise<void> {
    other.client.WarpPointer(0, other.root, 0, 0, 0, 0, x, y);
    await other.sync();
  }

  beforeAll(async () => {
    xvfb = await startXvfb({ width: W, height: H });
    dir = await mkdtemp(join(tmpdir(), 'trayvnc-cursor-'));
    other = await openX11(xvfb.display, { shm: false });
    fixes = (await other.extension('fixes'))!;
    cursor = new X11Cursor({ display: xvfb.display });
    cursor.onChange((c) => changes.push(c));
    cursor.onError((e) => errors.push(e));
    await cursor.start();
  });

  afterAll(async () => {
    if (xterm && xterm.exitCode === null && xterm.signalCode === null) {
      const gone = new Promise((r) => xterm!.once('exit', r));
      xterm.kill('SIGTERM');
      await Promise.race([gone, sleep(3000)]);
      if (xterm.exitCode === null && xterm.signalCode === null) xterm.kill('SIGKILL');
    }
    await cursor?.stop();
    await other?.close();
    await xvfb?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads the cursors of live clients, keeps the last shape for one whose client has gone', async () => {
    const rootDefault = cursor.current()!;
    expectShapeOf(rootDefault, await serverImage()); // the server's own cursor is readable

    // a live client's window: the pointer inside xterm shows xterm's cursor
    xterm = spawn('xterm', ['-geometry', '20x5+0+0', '-e', 'cat'], {
      env: { ...process.env, DISPLAY: xvfb.display, XCURSOR_PATH: join(dir, 'no-themes') },
      stdio: 'ignore',
    });
    await warp(10, 10);
    const ibeam = await waitFor('the xterm cursor', () => changes.find((c) => c.serial > rootDefault.serial), 10_000);
    expectShapeOf(ibeam, await serverImage());
    expect(sameShape(ibeam, rootDefault)).toBe(false);

    // out to the root again: the default cursor, a new serial
    await warp(W - 10, H - 10);
    const back = await waitFor('the root cursor again', () => changes.find((c) => c.serial > ibeam.serial));
    expect(sameShape(back, rootDefault)).toBe(true);

    // a root cursor set by xsetroot while the pointer is in xterm; xsetroot exits
    // before the cursor shows, so reading it is refused (deterministically)
    await warp(10, 10);
    const ibeamAgain = await waitFor('the xterm cursor again', () => changes.find((c) => c.serial > back.serial));
    expect(sameShape(ibeamAgain, ibeam)).toBe(true);
    await execFileAsync('xsetroot', ['-cursor_name', 'watch'], {
      env: { ...process.env, DISPLAY: xvfb.display, XCURSOR_PATH: join(dir, 'no-themes') },
      timeout: 10_000,
    });
    let s0 = cursor.stats;
    await warp(W - 10, H - 10);
    await waitFor('the notification', () => cursor.stats.events > s0.events);
    await waitFor('the refusal', () => cursor.stats.unreadable > s0.unreadable);
    await expect(other.request<FixesCursorImageReply>((cb) => fixes.GetCursorImage(cb))).rejects.toMatchObject({ error: 10 }); // BadAccess, for anyone
    expect(cursor.current()).toBe(ibeamAgain); // the last readable shape stays

    // into xterm (known: no round trip) and out again: the refused root cursor is not asked for again
    s0 = cursor.stats;
    await warp(10, 10);
    await waitFor('the notification', () => cursor.stats.events > s0.events);
    await warp(W - 10, H - 10);
    await waitFor('the notification', () => cursor.stats.events > s0.events + 1);
    await sleep(50);
    const s1 = cursor.stats;
    console.log(`SECURITY: xterm → root with an unreadable cursor: ${s1.events - s0.events} events, ${s1.fetches - s0.fetches} fetches`);
    expect(s1.fetches).toBe(s0.fetches);
    expect(sameShape(cursor.current(), ibeam)).toBe(true);
    expect(errors).toEqual([]);
  });
});

function expectShapeOf(actual: CursorImage | null, expected: Omit<CursorImage, 'serial'>): void {
  expect(actual).not.toBeNull();
  const { width, height, hotX, hotY } = actual!;
  expect({ width, height, hotX, hotY }).toEqual({ width: expected.width, height: expected.height, hotX: expected.hotX, hotY: expected.hotY });
  expect(hex(actual!.pixels)).toEqual(hex(expected.pixels));
}
