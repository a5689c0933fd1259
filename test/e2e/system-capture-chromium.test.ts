import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumCapturePage, type ChromiumCapturePage } from '../../bench/capture-page.mjs';
import { parseConfig } from '../../src/main/app/config.js';
import { VncService } from '../../src/main/app/vnc-service.js';
import { CaptureScreen } from '../../src/main/electron/capture/capture-source.js';
import { PaintedPointerCursor } from '../../src/main/electron/capture/painted-pointer.js';
import type { Frame } from '../../src/main/framebuffer/frame.js';
import type { Rect } from '../../src/main/framebuffer/rect.js';
import { CAPTURE_CHANNELS } from '../../src/shared/capture-contract.js';
import { compare, dumpPixels, worstChannelError, xScreenPicture, type Comparison, type Picture } from '../support/capture-compare.js';
import { DesktopPainter } from '../support/desktop-image.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/novnc-browser.js';
import { startRefClient, type RefClient } from '../support/libvncclient.js';
import { photoFrame } from '../support/photo-frame.js';
import { settle } from '../support/desktop-server.js';
import { waitFor } from '../support/wait.js';
import { WireSocket } from '../support/wire-socket.js';
import { startXvfb, xrun, type XvfbHandle } from '../support/xvfb.js';

/**
 * The system capture for real: the tray app's capture page (its built page
 * and preload) in Chromium on Xvfb, capturing the screen with
 * getDisplayMedia, feeding the real server, and libvncclient (an independent
 * decoder) judged against what the X server shows. Chromium hands over I420
 * frames, so the picture is compared by PSNR, by luma under small shifts
 * (geometry) and on flat patches of known colours (the colour conversion).
 */
const ARTIFACTS = resolve('test-artifacts', 'system-capture');
const SHOTS = resolve('test-artifacts', 'screenshots');
const W = 800;
const H = 600;
/** What the I420 round trip keeps of this screen at least (measured: see the figures printed). */
const LUMA_PSNR_MIN = 38;
const RGB_PSNR_MIN = 28;
/** Chromium's own window, kept off the screen so it is not in the picture. */
const BROWSER_WINDOW = { x: W + 200, y: H + 200, w: 400, h: 300 };

/** Flat patches at even positions (I420's chroma is per 2×2 block), sampled 4 pixels in from their edges. */
const PATCHES: Array<{ name: string; colour: number }> = [
  { name: 'red', colour: 0xff0000 },
  { name: 'green', colour: 0x00ff00 },
  { name: 'blue', colour: 0x0000ff },
  { name: 'white', colour: 0xffffff },
  { name: 'black', colour: 0x000000 },
  { name: 'grey 32', colour: 0x202020 },
  { name: 'grey 64', colour: 0x404040 },
  { name: 'grey 128', colour: 0x808080 },
  { name: 'grey 192', colour: 0xc0c0c0 },
  { name: 'grey 224', colour: 0xe0e0e0 },
  { name: 'yellow', colour: 0xffff00 },
  { name: 'cyan', colour: 0x00ffff },
  { name: 'magenta', colour: 0xff00ff },
  { name: 'skin', colour: 0xe0a080 },
];
const PATCH = 40;
const patchRect = (i: number): Rect => ({ x: 16 + (i % 7) * (PATCH + 8), y: 64 + Math.floor(i / 7) * (PATCH + 8), w: PATCH, h: PATCH });

/** A picture as a PNG among the test artifacts, for a person to look at (ImageMagick writes it). */
function savePng(name: string, p: Picture): void {
  const rgb = Buffer.alloc(p.pixels.length * 3);
  for (let i = 0; i < p.pixels.length; i++) {
    const v = p.pixels[i]!;
    rgb[i * 3] = (v >> 16) & 0xff;
    rgb[i * 3 + 1] = (v >> 8) & 0xff;
    rgb[i * 3 + 2] = v & 0xff;
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  execFileSync('convert', ['-size', `${p.width}x${p.height}`, '-depth', '8', 'rgb:-', join(ARTIFACTS, name)], { input: rgb, timeout: 15_000 });
}

/** The photo-like screen with the patches on it. */
function scene(): Frame {
  const f = photoFrame(W, H, 5);
  PATCHES.forEach(({ colour }, i) => {
    const r = patchRect(i);
    for (let y = r.y; y < r.y + r.h; y++) f.pixels.fill(colour, y * f.stride + r.x, y * f.stride + r.x + r.w);
  });
  return f;
}

describe('the system capture in Chromium on Xvfb, through the real server, seen by libvncclient', () => {
  let xvfb: XvfbHandle;
  let painter: DesktopPainter;
  let page: ChromiumCapturePage;
  let source: CaptureScreen;
  let service: VncService;
  let port: number;
  let client: RefClient | null = null;
  let xterm: ChildProcess | null = null;

  beforeAll(async () => {
    xvfb = await startXvfb({ width: W, height: H });
    painter = await DesktopPainter.open(xvfb.display);
    await painter.paintImage(scene());
    page = chromiumCapturePage({ display: xvfb.display, distDir: resolve('dist'), channels: CAPTURE_CHANNELS, window: BROWSER_WINDOW });
    source = new CaptureScreen(page, { method: 'display-media', sourceId: '', frameRate: 30, width: W, height: H }, { firstFrameTimeoutMs: 30_000 });
    // A token of its own for the dashboard, as the command line makes one.
    delete process.env['TRAYVNC_DASHBOARD_TOKEN'];
    // The parts the tray app gives this source (desktop-capture.ts), but input: the pointer painted into the frames.
    const parts = { cursor: new PaintedPointerCursor(source) };
    service = await VncService.create(parseConfig({ port: 0, host: '127.0.0.1', frame_rate: 30, always_shared: true, dashboard_port: 0 }), { source, parts }, {
      backend: 'system-capture',
      reason: 'the settings choose the system capture',
      explicit: true,
    });
    port = (await service.start()).port;
    source.followViewers(service.server);
  }, 90_000);

  afterAll(async () => {
    xterm?.kill();
    await client?.close();
    await service?.stop();
    await page?.whenClosed();
    await painter?.close();
    await xvfb?.stop();
  }, 30_000);

  /** Where the pointer is, and the box its image may cover (X cursors are at most 32×32 around the hot spot). */
  async function pointerBox(): Promise<Rect> {
    const out = await xrun(xvfb.display, 'xdotool', ['getmouselocation', '--shell']);
    const x = Number(/X=(\d+)/.exec(out)?.[1]);
    const y = Number(/Y=(\d+)/.exec(out)?.[1]);
    return { x: Math.max(0, x - 32), y: Math.max(0, y - 32), w: 64, h: 64 };
  }

  async function viewerPicture(): Promise<Picture> {
    const dump = await client!.dump();
    return { width: dump.width, height: dump.height, pixels: dumpPixels(dump.data, dump.width, dump.height) };
  }

  /** The viewer's picture against the X screen, everywhere but under the pointer; both saved for a person to look at. */
  async function judge(name: string): Promise<{ got: Picture; screen: Picture; pointer: Rect; rgb: Comparison; luma: Comparison }> {
    const got = await viewerPicture();
    const screen = await xScreenPicture(xvfb.display, W, H);
    savePng(`${name}-viewer.png`, got);
    savePng(`${name}-x-screen.png`, screen);
    const pointer = await pointerBox();
    const all = { x: 0, y: 0, w: W, h: H };
    const rgb = compare(got, screen, all, [pointer]);
    const luma = compare(got, screen, all, [pointer], 0, 0, 'luma');
    console.log(
      `system capture (${name}), ${W}×${H}, through libvncclient: PSNR ${rgb.psnr.toFixed(1)} dB (luma ${luma.psnr.toFixed(1)} dB), ` +
        `${(rgb.exact * 100).toFixed(1)} % of pixels exact, ${(rgb.farOff * 100).toFixed(2)} % more than 5 % off`,
    );
    return { got, screen, pointer, rgb, luma };
  }

  it('shows the X screen at its own size, unshifted, close in colour, and says the capture is not exact', async () => {
    await xrun(xvfb.display, 'xdotool', ['mousemove', '400', '300']);
    client = await startRefClient({ host: '127.0.0.1', port, format: 'rgb888le', encodings: ['zrle'] });
    const conn = await client.waitConnected();
    expect([conn.width, conn.height], 'the picture is the screen, not scaled').toEqual([W, H]);
    await settle(client, 0);
    const { got, screen, pointer, rgb, luma } = await judge('still');
    // Luma is sent at full resolution: in place it is close, and any one-pixel shift (or a scaled or cropped picture) is far worse.
    expect(luma.psnr).toBeGreaterThan(LUMA_PSNR_MIN);
    for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1], [2, 2]] as const) {
      const shifted = compare(got, screen, { x: 4, y: 4, w: W - 8, h: H - 8 }, [pointer], dx, dy, 'luma');
      expect(shifted.psnr, `shifted by ${dx},${dy}`).toBeLessThan(luma.psnr - 6);
    }
    // 4:2:0 chroma costs colour detail, not the picture.
    expect(rgb.psnr).toBeGreaterThan(RGB_PSNR_MIN);

    const backend = service.control!.getState().backend!;
    expect(backend).toMatchObject({ kind: 'system-capture', exact: false, capture: { pixelFormat: 'I420', colorConversion: 'BT.601, limited range', scaled: false } });
    expect(backend.capture!.note).toMatch(/colours may be slightly off/);
    // Chromium paints the pointer in whatever the track is asked (its `cursor` setting says "always"), and the state says so:
    // the picture differs from the X screen, which has no pointer in it, right where the pointer is.
    expect(backend.capture!.pointerInFrames).toBe(true);
    expect(backend.capture!.note).toMatch(/pointer is painted into the picture/);
    expect(compare(got, screen, pointer).farOff, 'the painted-in pointer').toBeGreaterThan(0.02);
  }, 60_000);

  it('gives flat colours back within 2 steps per channel (the frame’s BT.601 limited-range conversion, undone)', async () => {
    const got = await viewerPicture();
    const misses: string[] = [];
    PATCHES.forEach(({ name, colour }, i) => {
      const r = patchRect(i);
      const inner = { x: r.x + 4, y: r.y + 4, w: r.w - 8, h: r.h - 8 };
      const e = worstChannelError(got, inner, colour);
      if (e.worst > 2) misses.push(`${name} #${colour.toString(16).padStart(6, '0')}: got #${e.got.toString(16).padStart(6, '0')} at ${e.at.x},${e.at.y} (${e.worst} off)`);
    });
    expect(misses).toEqual([]);
  }, 30_000);

  it('follows a change on the X screen', async () => {
    const before = client!.updateCount;
    xterm = spawn('xterm', ['-geometry', '30x6+420+380', '-bg', 'white', '-fg', 'black', '-e', 'sh', '-c', 'echo system capture; sleep 60'], {
      env: { ...process.env, DISPLAY: xvfb.display },
      stdio: 'ignore',
    });
    await xrun(xvfb.display, 'xdotool', ['search', '--sync', '--onlyvisible', '--class', 'xterm']);
    await waitFor('an update after the terminal opened', () => client!.updateCount > before || null, 10_000);
    await settle(client!, client!.updateCount - 1);
    const { luma } = await judge('terminal');
    expect(luma.psnr).toBeGreaterThan(LUMA_PSNR_MIN);
  }, 40_000);

  it("the dashboard says the screen is shared through the system's capture, and what that costs", async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      for (const scheme of ['light', 'dark'] as const) {
        const page = await browser.newPage({ viewport: { width: 1100, height: 760 }, colorScheme: scheme });
        const logs: string[] = [];
        page.on('console', (m) => logs.push(m.text()));
        page.on('pageerror', (e) => logs.push(e.message));
        await page.goto(service.dashboard!.pageUrl!);
        const row = page.locator('.screen-row');
        await row.waitFor({ timeout: 10_000 }).catch(async () => {
          throw new Error(`no Screen row on ${page.url()}: ${(await page.locator('body').innerText()).slice(0, 600)} ${logs.join(' | ')}`);
        });
        await expect.poll(() => row.textContent({ timeout: 1000 }), { timeout: 10_000 }).toContain("The system's screen capture — colours may be slightly off");
        expect(await row.textContent()).toContain('I420, BT.601, limited range; the pointer is painted into the picture');
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: join(SHOTS, `clients-system-capture-${scheme}.png`) });
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }, 40_000);

  it('tells a viewer that draws the cursor itself to draw none: the pointer is in the picture already', async () => {
    const sock = await WireSocket.connect(port);
    try {
      await sock.handshakeNone();
      // SetEncodings: Raw (0) and the Cursor pseudo-encoding (−239), then a full update request.
      const setEncodings = Buffer.alloc(12);
      setEncodings.writeUInt8(2, 0);
      setEncodings.writeUInt16BE(2, 2);
      setEncodings.writeInt32BE(0, 4);
      setEncodings.writeInt32BE(-239, 8);
      sock.write(setEncodings);
      sock.write(Buffer.from([3, 0, 0, 0, 0, 0, W >> 8, W & 0xff, H >> 8, H & 0xff]));
      const cursors: Array<{ w: number; h: number }> = [];
      for (let updates = 0; updates < 3 && cursors.length === 0; updates++) {
        expect(await sock.u8(), 'a FramebufferUpdate').toBe(0);
        await sock.u8();
        const count = await sock.u16();
        for (let i = 0; i < count; i++) {
          const head = await sock.read(12);
          const w = head.readUInt16BE(4);
          const h = head.readUInt16BE(6);
          const enc = head.readInt32BE(8);
          if (enc === 0) await sock.read(w * h * 4, 10_000);
          else if (enc === -239) {
            cursors.push({ w, h });
            await sock.read(w * h * 4 + ((w + 7) >> 3) * h);
          } else throw new Error(`unexpected encoding ${enc}`);
        }
        if (cursors.length === 0) sock.write(Buffer.from([3, 1, 0, 0, 0, 0, W >> 8, W & 0xff, H >> 8, H & 0xff]));
      }
      expect(cursors).toEqual([{ w: 0, h: 0 }]);
    } finally {
      sock.destroy();
    }
  }, 30_000);

  it('sends nothing while the screen is still', async () => {
    await settle(client!, client!.updateCount - 1);
    const before = client!.updateCount;
    await new Promise((r) => setTimeout(r, 1500));
    expect(client!.updateCount - before).toBeLessThanOrEqual(1);
  }, 20_000);
});

