import { describe, expect, it } from 'vitest';
import type { CaptureCommand, CaptureRequest } from '../../../../src/shared/capture-contract.js';
import { CaptureScreen, type CapturePage, type CapturePageHandlers } from '../../../../src/main/electron/capture/capture-source.js';
import { createFrame } from '../../../../src/main/framebuffer/frame.js';
import { RfbServer } from '../../../../src/main/rfb/server.js';
import { CaptureLoop } from '../../../../src/main/app/capture-loop.js';
import { Encoding } from '../../../../src/main/rfb/constants.js';
import { NoVncViewer } from '../../../support/novnc-viewer.js';
import { waitFor } from '../../../support/wait.js';

/** A page that does what the test tells it, recording commands. */
class FakePage implements CapturePage {
  handlers: CapturePageHandlers | null = null;
  request: CaptureRequest | null = null;
  readonly commands: CaptureCommand[] = [];
  closed = 0;
  constructor(private readonly onOpen: (page: FakePage) => void = () => undefined) {}

  async open(request: CaptureRequest, handlers: CapturePageHandlers): Promise<void> {
    this.request = request;
    this.handlers = handlers;
    this.onOpen(this);
  }

  send(command: CaptureCommand): void {
    this.commands.push(command);
  }

  close(): void {
    this.closed++;
  }

  /** A BGRA frame filled with `colour`, with an optional square of `mark` at (mx, my). */
  frame(width: number, height: number, colour: number, mark?: { x: number; y: number; size: number; colour: number }): void {
    const data = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inMark = mark && x >= mark.x && x < mark.x + mark.size && y >= mark.y && y < mark.y + mark.size;
        const c = inMark ? mark.colour : colour;
        const o = (y * width + x) * 4;
        data[o] = c & 0xff;
        data[o + 1] = (c >> 8) & 0xff;
        data[o + 2] = (c >> 16) & 0xff;
        data[o + 3] = 255;
      }
    }
    this.handlers?.frame({ width, height, format: 'bgra', stride: width * 4, data });
  }
}

const REQUEST: CaptureRequest = { sourceId: 'screen:0:0', frameRate: 30, width: 256, height: 128 };

async function started(opts: { onError?: (m: string) => void } = {}) {
  const page = new FakePage((p) => queueMicrotask(() => p.frame(256, 128, 0x203040)));
  const source = new CaptureScreen(page, REQUEST, opts);
  await source.start();
  return { page, source };
}

describe('CaptureScreen', () => {
  it('opens the page with the request and learns its size from the first frame', async () => {
    const { page, source } = await started();
    expect(page.request).toEqual(REQUEST);
    expect(source.name).toBe('desktop-capturer');
    expect([source.width, source.height]).toEqual([256, 128]);
    const f = createFrame(256, 128);
    expect(await source.grab(f)).toEqual([{ x: 0, y: 0, w: 256, h: 128 }]);
    expect(f.pixels[0]).toBe(0x203040);
    expect(f.pixels[256 * 128 - 1]).toBe(0x203040);
    // the first frame is the starting picture, not damage
    expect(source.takeDamage()).toEqual([]);
  });

  it('says what its frames lose: BGRA at the screen size loses only the pointer Chromium paints in; nothing when the page says it paints none', async () => {
    const { page, source } = await started();
    expect(source.fidelity).toMatchObject({ pixelFormat: 'BGRA', pointerInFrames: true, scaled: false, frameSize: { width: 256, height: 128 } });
    expect(source.fidelity?.colorConversion).toBeUndefined();
    expect(source.fidelity?.note).toBe("Shared through the system's screen capture: the pointer is painted into the picture.");
    const data = new Uint8Array(256 * 128 * 4);
    page.handlers?.frame({ width: 256, height: 128, format: 'bgra', stride: 1024, data, sourceFormat: 'BGRA', pointer: false });
    expect(source.fidelity?.note).toBeUndefined();
    // A frame smaller than the screen: scaled, and said so.
    page.handlers?.frame({ width: 128, height: 64, format: 'bgra', stride: 512, data, sourceFormat: 'BGRA', pointer: false });
    expect(source.fidelity).toMatchObject({ scaled: true, screenSize: { width: 256, height: 128 } });
    expect(source.fidelity?.note).toMatch(/scaled to 128×64/);
  });

  it('reports changed tiles as damage, waking its listener once per batch', async () => {
    const { page, source } = await started();
    let wakes = 0;
    source.onDamage(() => wakes++);
    page.frame(256, 128, 0x203040, { x: 70, y: 10, size: 4, colour: 0xff0000 });
    page.frame(256, 128, 0x203040, { x: 200, y: 100, size: 4, colour: 0x00ff00 });
    expect(wakes).toBe(1);
    expect(source.takeDamage()).toEqual([
      { x: 64, y: 0, w: 64, h: 64 },
      { x: 192, y: 64, w: 64, h: 64 },
    ]);
    expect(source.takeDamage()).toEqual([]);
    // the first mark went away again in the second frame: its tile changed back, and the grab has it back
    const f = createFrame(256, 128);
    await source.grab(f, [{ x: 64, y: 0, w: 64, h: 64 }]);
    expect(f.pixels[10 * 256 + 70]).toBe(0x203040);
    expect(f.pixels[100 * 256 + 200]).toBe(0); // outside the grabbed area: left alone
  });

  it('grabs only the given areas, clipped to the screen and the frame', async () => {
    const { page, source } = await started();
    page.frame(256, 128, 0x111111);
    const small = createFrame(100, 50);
    const got = await source.grab(small, [
      { x: 90, y: 40, w: 50, h: 50 },
      { x: 300, y: 0, w: 10, h: 10 },
    ]);
    expect(got).toEqual([{ x: 90, y: 40, w: 10, h: 10 }]);
    expect(small.pixels[45 * 100 + 95]).toBe(0x111111);
    expect(small.pixels[0]).toBe(0);
  });

  it('follows a change of size: resize, then damage of everything', async () => {
    const { page, source } = await started();
    const events: string[] = [];
    source.onResize((w, h) => events.push(`resize ${w}x${h}`));
    source.onDamage(() => events.push('damage'));
    page.frame(320, 200, 0x445566);
    expect(events).toEqual(['resize 320x200', 'damage']);
    expect([source.width, source.height]).toEqual([320, 200]);
    expect(source.takeDamage()).toEqual([{ x: 0, y: 0, w: 320, h: 200 }]);
  });

  it('streams only while someone watches the server (a viewer or the recorder)', async () => {
    const { page, source } = await started();
    const server = new RfbServer();
    source.followViewers(server);
    expect(page.commands).toEqual([{ type: 'pause' }]);
    expect(source.isPaused).toBe(true);

    // The server says when watching starts and stops (RfbServer 'watching', tested with the server).
    server.emit('watching', true);
    expect(page.commands).toEqual([{ type: 'pause' }, { type: 'resume' }]);
    server.emit('watching', true);
    expect(page.commands).toHaveLength(2);
    server.emit('watching', false);
    expect(page.commands).toEqual([{ type: 'pause' }, { type: 'resume' }, { type: 'pause' }]);

    // frames while paused still count (the page keeps the newest one for the next viewer)
    page.frame(256, 128, 0x203040, { x: 0, y: 0, size: 2, colour: 0xffffff });
    expect(source.takeDamage()).toEqual([{ x: 0, y: 0, w: 64, h: 64 }]);

    // after stop, the server is no longer followed
    await source.stop();
    server.emit('watching', true);
    expect(page.commands).toHaveLength(3);
    expect(server.listenerCount('watching')).toBe(0);
  });

  it('passes a new frame rate on to the page, until it stops', async () => {
    const { page, source } = await started();
    const server = new RfbServer({ frameRate: 30 });
    Object.defineProperty(server, 'hasClients', { get: () => true });
    source.followViewers(server);
    server.setFrameRate(30); // unchanged: nothing to say
    server.setFrameRate(45);
    server.setFrameRate(99); // the server keeps to 60
    expect(page.commands).toEqual([
      { type: 'frame-rate', frameRate: 45 },
      { type: 'frame-rate', frameRate: 60 },
    ]);
    await source.stop();
    server.setFrameRate(10);
    expect(page.commands).toHaveLength(2);
    expect(server.listenerCount('frameRate')).toBe(0);
  });

  it('starts streaming at once when it follows a server that already has viewers', async () => {
    const { page, source } = await started();
    const server = new RfbServer();
    Object.defineProperty(server, 'hasClients', { get: () => true });
    source.followViewers(server);
    expect(page.commands).toEqual([]);
    expect(source.isPaused).toBe(false);
  });

  it('drops malformed frames and keeps the picture', async () => {
    const { page, source } = await started();
    page.handlers?.frame({ width: 256, height: 128, format: 'bgra', data: new Uint8Array(10) });
    page.handlers?.frame('garbage');
    expect(source.takeDamage()).toEqual([]);
    expect([source.width, source.height]).toEqual([256, 128]);
    // The page is asked for a whole frame (its next pieces would be laid on a picture this lacks), once for both.
    expect(page.commands.filter((c) => c.type === 'refresh')).toHaveLength(1);
  });

  it('fails to start when the page reports an error before any frame, and closes it', async () => {
    const page = new FakePage((p) => queueMicrotask(() => p.handlers?.error('Permission denied')));
    const source = new CaptureScreen(page, REQUEST);
    await expect(source.start()).rejects.toThrow('screen capture failed: Permission denied');
    expect(page.closed).toBe(1);
  });

  it('fails to start when no frame comes in time', async () => {
    const page = new FakePage();
    const source = new CaptureScreen(page, REQUEST, { firstFrameTimeoutMs: 30 });
    await expect(source.start()).rejects.toThrow(/no frame from the screen/);
    expect(page.closed).toBe(1);
  });

  it('fails to start when the page cannot be loaded', async () => {
    const page = new FakePage();
    page.open = async () => {
      throw new Error('cannot load the capture page');
    };
    const source = new CaptureScreen(page, REQUEST, { firstFrameTimeoutMs: 1000 });
    await expect(source.start()).rejects.toThrow('cannot load the capture page');
    expect(page.closed).toBe(1);
  });

  it('reports errors after start through onError, and ignores frames after stop', async () => {
    const errors: string[] = [];
    const { page, source } = await started({ onError: (m) => errors.push(m) });
    page.handlers?.error('the screen capture ended');
    expect(errors).toEqual(['the screen capture ended']);
    await source.stop();
    await source.stop();
    expect(page.closed).toBe(1);
    page.frame(256, 128, 0xffffff, { x: 0, y: 0, size: 8, colour: 0 });
    expect(source.takeDamage()).toEqual([]);
  });

  it('cannot be started twice', async () => {
    const { source } = await started();
    await expect(source.start()).rejects.toThrow(/already started/);
  });
});

describe('CaptureScreen with the capture loop: the first update after a pause', () => {
  it('is the screen as it is when the viewer connects, not the frame kept from before the pause', async () => {
    // While paused the page sends nothing; when resumed it sends what the screen shows now.
    let screenColour = 0x203040;
    const page = new FakePage((p) => queueMicrotask(() => p.frame(256, 128, screenColour)));
    const send = page.send.bind(page);
    page.send = (c) => {
      send(c);
      // A real page takes a moment to deliver its next frame; long enough here that a viewer asks first.
      if (c.type === 'resume') setTimeout(() => page.frame(256, 128, screenColour), 300);
    };
    const source = new CaptureScreen(page, REQUEST);
    await source.start();
    const server = new RfbServer({ password: null, alwaysShared: true, frameRate: 30 });
    const loop = new CaptureLoop(source, server, { regionDetection: true });
    await loop.start();
    source.followViewers(server);
    const port = (await server.listen(0, '127.0.0.1')).port;
    try {
      const first = await NoVncViewer.connect({ port, encodings: [Encoding.Raw] });
      await first.settle(1);
      expect(first.pixels()[0]).toBe(0x203040);
      first.close();
      await waitFor('the page to be paused', () => source.isPaused);
      expect(source.stale).toBe(true);
      // On a still screen the loop's last capture happened while the viewer watched, so the
      // server's frame counts as fresh; only the source knows it paused. Set up that case.
      await new Promise((r) => setTimeout(r, 100));
      server.setFrameFresh(true);

      screenColour = 0x00c000; // changes while nobody watches: the page does not say
      console.log('DEBUG fresh', server.frameFresh, 'stale', source.stale);
      const second = await NoVncViewer.connect({ port, encodings: [Encoding.Raw] });
      second.paused = true; // its first update alone
      await waitFor('the first update', () => second.updates >= 1);
      const px = second.pixels();
      expect(px.every((p) => p === 0x00c000), `first pixel ${px[0]!.toString(16)}`).toBe(true);
      expect(source.stale).toBe(false);
      second.close();
    } finally {
      loop.stop();
      await server.close();
      await source.stop();
    }
  });
});
