import { afterEach, describe, expect, it } from 'vitest';
import { createFrame, type Frame } from '../../../src/main/framebuffer/frame.js';
import type { RecordingEvent } from '../../../src/main/recording/format.js';
import { Recorder, type RecordingSink } from '../../../src/main/recording/recorder.js';
import { Encoding } from '../../../src/main/rfb/constants.js';
import { RfbServer } from '../../../src/main/rfb/server.js';
import { diffFrames, renderPattern } from '../../support/desktop-image.js';
import { NoVncClient } from '../../support/novnc-decoder.js';
import { TestViewer } from '../../support/test-viewer.js';
import { waitFor } from '../../support/wait.js';

/** Everything the recorder hands over, in order. */
class CollectingSink implements RecordingSink {
  readonly items: Array<{ type: 'keyframe'; width: number; height: number; update: Buffer } | { type: 'update'; update: Buffer } | { type: 'event'; event: RecordingEvent }> =
    [];
  failure: Error | null = null;
  private readonly failureListeners: Array<(e: Error) => void> = [];
  keyframe(width: number, height: number, update: Buffer): void {
    this.items.push({ type: 'keyframe', width, height, update: Buffer.from(update) });
  }
  update(update: Buffer): void {
    this.items.push({ type: 'update', update: Buffer.from(update) });
  }
  event(event: RecordingEvent): void {
    this.items.push({ type: 'event', event });
  }
  onFailure(listener: (e: Error) => void): void {
    this.failureListeners.push(listener);
  }
  fail(e: Error): void {
    this.failure = e;
    for (const l of this.failureListeners) l(e);
  }
  get keyframes() {
    return this.items.filter((i) => i.type === 'keyframe');
  }
  get events(): RecordingEvent[] {
    return this.items.flatMap((i) => (i.type === 'event' ? [i.event] : []));
  }
}

/** Replay keyframe and updates from `from` on with noVNC's decoders; the picture as 0x00RRGGBB. */
async function replay(items: CollectingSink['items'], from = 0): Promise<Frame> {
  const start = items.findIndex((i, n) => n >= from && i.type === 'keyframe');
  const kf = items[start] as { width: number; height: number };
  const client = await NoVncClient.create(kf.width, kf.height);
  for (const item of items.slice(start)) {
    if (item.type === 'event') continue;
    const u = item.update;
    expect(u[0]).toBe(0); // a FramebufferUpdate
    client.decodeRects(u.subarray(4), u.readUInt16BE(2));
  }
  const f = createFrame(kf.width, kf.height);
  const p = client.display.rgba;
  for (let i = 0; i < f.pixels.length; i++) f.pixels[i] = (p[i * 4]! << 16) | (p[i * 4 + 1]! << 8) | p[i * 4 + 2]!;
  return f;
}

/** Encodings of the rectangles in a FramebufferUpdate made only of Raw, CopyRect and Hextile (read by noVNC to count). */
async function encodingsOf(update: Buffer, width: number, height: number): Promise<number[]> {
  const client = await NoVncClient.create(width, height);
  client.decodeRects(update.subarray(4), update.readUInt16BE(2));
  return client.seen;
}

let server: RfbServer | null = null;
let recorder: Recorder | null = null;
const viewers: TestViewer[] = [];

afterEach(async () => {
  recorder?.stop();
  for (const v of viewers.splice(0)) v.close();
  await server?.close();
  server = recorder = null;
});

async function recording(frame: Frame, opts: { keys?: boolean; clipboardText?: boolean; keyframeIntervalMs?: number; maxConnections?: number } = {}) {
  server = new RfbServer({ password: null, frameRate: 60, alwaysShared: true, maxConnections: opts.maxConnections ?? 10 });
  server.setFrame(frame);
  const port = (await server.listen(0, '127.0.0.1')).port;
  const sink = new CollectingSink();
  recorder = new Recorder(server, sink, { keys: opts.keys ?? false, clipboardText: opts.clipboardText ?? false, keyframeIntervalMs: opts.keyframeIntervalMs ?? 10_000 });
  recorder.start();
  return { sink, port, server };
}

describe('Recorder', () => {
  it('starts with a keyframe of the whole screen that noVNC decodes to the frame, with no CopyRect in it', async () => {
    const frame = renderPattern(200, 120, 1);
    const { sink } = await recording(frame);
    await waitFor('the first keyframe', () => sink.keyframes.length === 1);
    const kf = sink.keyframes[0]!;
    expect([kf.width, kf.height]).toEqual([200, 120]);
    expect(diffFrames(await replay(sink.items), frame).count).toBe(0);
    expect(await encodingsOf(kf.update, 200, 120)).not.toContain(Encoding.CopyRect);
  });

  it('records changes as updates on top of the keyframe, and works with no viewer connected', async () => {
    const frame = renderPattern(160, 96, 2);
    const { sink, server } = await recording(frame);
    await waitFor('the keyframe', () => sink.keyframes.length === 1);
    expect(server.clients).toEqual([]); // the recorder is not a viewer
    expect(server.hasClients).toBe(true); // but it keeps the desktop watched
    const changed = renderPattern(160, 96, 3);
    frame.pixels.set(changed.pixels.subarray(0, 160 * 40));
    server.markChanged([{ x: 0, y: 0, w: 160, h: 40 }]);
    await waitFor('an update', () => sink.items.some((i) => i.type === 'update'));
    const expected = renderPattern(160, 96, 2);
    expected.pixels.set(changed.pixels.subarray(0, 160 * 40));
    expect(diffFrames(await replay(sink.items), expected).count).toBe(0);
  });

  it('writes a keyframe again while the screen keeps changing, and none while it is still', async () => {
    const frame = renderPattern(64, 64, 4);
    const { sink, server } = await recording(frame, { keyframeIntervalMs: 200 });
    await waitFor('the keyframe', () => sink.keyframes.length === 1);
    await new Promise((r) => setTimeout(r, 600));
    expect(sink.keyframes).toHaveLength(1); // still screen: no updates, no new keyframes
    let n = 0;
    const changer = setInterval(() => {
      frame.pixels.fill(0x010101 * (++n % 200), 0, 64);
      server.markChanged([{ x: 0, y: 0, w: 64, h: 1 }]);
    }, 20);
    try {
      await waitFor('more keyframes', () => sink.keyframes.length >= 3, 5000);
    } finally {
      clearInterval(changer);
    }
    // Once the last change is recorded (nothing new for a while), playback from the last
    // keyframe alone gives the picture as it was when the changes ended.
    let seen = -1;
    await waitFor('the recording to settle', () => {
      const settled = sink.items.length === seen;
      seen = sink.items.length;
      return settled;
    }, 5000, 300);
    const lastKf = sink.items.lastIndexOf(sink.keyframes.at(-1)!);
    expect(diffFrames(await replay(sink.items, lastKf), frame).count).toBe(0);
  });

  it('follows a resize: the new size, a resize event, and a keyframe at the new size', async () => {
    const { sink, server } = await recording(renderPattern(80, 60, 5));
    await waitFor('the keyframe', () => sink.keyframes.length === 1);
    const bigger = renderPattern(120, 90, 6);
    server.setFrame(bigger);
    await waitFor('a keyframe at the new size', () => sink.keyframes.some((k) => k.width === 120 && k.height === 90));
    expect(sink.events).toContainEqual({ kind: 'resize', width: 120, height: 90 });
    expect(diffFrames(await replay(sink.items, sink.items.indexOf(sink.keyframes.at(-1)!)), bigger).count).toBe(0);
  });

  it("records viewers' connects, pointer and clipboard, attributed to each; keys only when asked", async () => {
    const { sink, port, server } = await recording(renderPattern(64, 64, 7), { maxConnections: 1 });
    const v = await TestViewer.connect(port); // max_connections 1: the recorder does not take the place
    viewers.push(v);
    await waitFor('the viewer', () => server.clients.length === 1);
    const id = server.clients[0]!.id.slice(0, 8);
    v.pointer(10, 20, 1);
    v.key(0x61, true);
    v.key(0x61, false);
    v.cutText(Buffer.from('secret text', 'latin1'));
    await waitFor('the clipboard event', () => sink.events.some((e) => e.kind === 'clipboard'));
    v.close();
    await waitFor('the disconnect', () => sink.events.some((e) => e.kind === 'disconnect'));
    const events = sink.events;
    expect(events).toContainEqual(expect.objectContaining({ kind: 'connect', client: id, viewOnly: false }));
    expect(events).toContainEqual({ kind: 'pointer', client: id, x: 10, y: 20, buttons: 1 });
    expect(events).toContainEqual({ kind: 'clipboard', direction: 'from-viewer', client: id, bytes: 11 });
    expect(events.filter((e) => e.kind === 'key')).toEqual([]);
    expect(JSON.stringify(events)).not.toContain('secret');
  });

  it('records key events and clipboard text when the settings allow', async () => {
    const { sink, port, server } = await recording(renderPattern(64, 64, 8), { keys: true, clipboardText: true });
    const v = await TestViewer.connect(port);
    viewers.push(v);
    await waitFor('the viewer', () => server.clients.length === 1);
    v.key(0x62, true);
    v.cutText(Buffer.from('hello', 'latin1'));
    await waitFor('the clipboard event', () => sink.events.some((e) => e.kind === 'clipboard'));
    const id = server.clients[0]!.id.slice(0, 8);
    expect(sink.events).toContainEqual({ kind: 'key', client: id, keysym: 0x62, down: true });
    expect(sink.events).toContainEqual({ kind: 'clipboard', direction: 'from-viewer', client: id, bytes: 5, text: 'hello' });
    server.broadcastClipboard('from the desktop');
    await waitFor('the outgoing clipboard', () => sink.events.some((e) => e.kind === 'clipboard' && e.direction === 'to-viewers'));
    expect(sink.events).toContainEqual({ kind: 'clipboard', direction: 'to-viewers', bytes: 16, text: 'from the desktop' });
  });

  it('stops watching when the sink fails (a full disk), and sharing goes on', async () => {
    const { sink, server } = await recording(renderPattern(64, 64, 9));
    await waitFor('the keyframe', () => sink.keyframes.length === 1);
    sink.fail(new Error('recording stopped: the disk is full'));
    await waitFor('the watcher to go', () => !server.hasClients);
    expect(recorder!.running).toBe(false);
  });
});
