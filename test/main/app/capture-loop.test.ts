import { afterEach, describe, expect, it } from 'vitest';
import { CaptureLoop } from '../../../src/main/app/capture-loop.js';
import type { ScreenSource } from '../../../src/main/desktop/screen.js';
import { createFrame, type Frame } from '../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../src/main/framebuffer/rect.js';
import { Encoding } from '../../../src/main/rfb/constants.js';
import { RfbServer } from '../../../src/main/rfb/server.js';
import { diffFrames, renderPattern } from '../../support/desktop-image.js';
import { NoVncViewer } from '../../support/novnc-viewer.js';
import { waitFor } from '../../support/wait.js';

const W = 160;
const H = 96;

/** A screen that cannot report damage (so the loop polls), showing whatever `image` holds now. */
class PollingScreen implements ScreenSource {
  readonly name = 'polling';
  readonly width = W;
  readonly height = H;
  image: Frame = renderPattern(W, H, 1);
  grabs = 0;
  async start(): Promise<void> {}
  async grab(frame: Frame, areas?: Rect[]): Promise<Rect[]> {
    this.grabs++;
    frame.pixels.set(this.image.pixels);
    return areas ?? [{ x: 0, y: 0, w: W, h: H }];
  }
  takeDamage(): Rect[] | null {
    return null;
  }
  onDamage(): void {}
  onResize(): void {}
  async stop(): Promise<void> {}
}

function decoded(v: NoVncViewer): Frame {
  const f = createFrame(W, H);
  f.pixels.set(v.pixels());
  return f;
}

let server: RfbServer | null = null;
let loop: CaptureLoop | null = null;

afterEach(async () => {
  loop?.stop();
  await server?.close();
  server = loop = null;
});

describe('CaptureLoop', () => {
  it('makes a viewer that asks after a pause wait for a fresh grab (a screen without damage reports)', async () => {
    const screen = new PollingScreen();
    server = new RfbServer({ password: null, frameRate: 30, alwaysShared: true });
    loop = new CaptureLoop(screen, server, { regionDetection: true });
    await loop.start();
    const port = (await server.listen(0, '127.0.0.1')).port;

    const first = await NoVncViewer.connect({ port, encodings: [Encoding.Raw] });
    await first.settle(1);
    expect(diffFrames(decoded(first), screen.image).count).toBe(0);
    first.close();
    await waitFor('the viewer to be gone', () => !server!.hasClients);
    // Nobody asks: the loop stops polling and says the frame may be old.
    await waitFor('capturing to pause', () => !server!.frameFresh);

    screen.image = renderPattern(W, H, 2);
    const grabsBefore = screen.grabs;
    const second = await NoVncViewer.connect({ port, encodings: [Encoding.Raw] });
    second.paused = true;
    try {
      await waitFor('the first update', () => second.updates >= 1);
      expect(screen.grabs).toBeGreaterThan(grabsBefore);
      const diff = diffFrames(decoded(second), screen.image);
      expect(diff.count, JSON.stringify(diff.first)).toBe(0);
    } finally {
      second.close();
    }
  });

  it('waits a bounded time for a stale source that never delivers, then sends what it has', async () => {
    // A source that says its image is out of date and never brings a fresh one (a broken capture page).
    const screen = new PollingScreen();
    const stale = Object.assign(screen, { stale: true, takeDamage: () => [] as Rect[] });
    server = new RfbServer({ password: null, frameRate: 30, alwaysShared: true });
    loop = new CaptureLoop(stale, server, { regionDetection: true });
    await loop.start();
    const port = (await server.listen(0, '127.0.0.1')).port;
    const started = Date.now();
    const v = await NoVncViewer.connect({ port, encodings: [Encoding.Raw] });
    try {
      await waitFor('the update', () => v.updates >= 1, 6000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      expect(diffFrames(decoded(v), screen.image).count).toBe(0);
    } finally {
      v.close();
    }
  });

  it('leaves a server without a capture loop sending at once (the frame counts as fresh)', async () => {
    server = new RfbServer({ password: null, alwaysShared: true });
    const frame = renderPattern(W, H, 3);
    server.setFrame(frame);
    expect(server.frameFresh).toBe(true);
    const port = (await server.listen(0, '127.0.0.1')).port;
    const v = await NoVncViewer.connect({ port, encodings: [Encoding.Raw] });
    try {
      await v.settle(1);
      expect(diffFrames(decoded(v), frame).count).toBe(0);
    } finally {
      v.close();
    }
  });
});
