import { describe, expect, it } from 'vitest';
import { createCaptureBridge } from '../../../../src/main/electron/preload/capture-bridge.js';
import type { IpcRendererLike } from '../../../../src/main/electron/preload/control-bridge.js';
import { desktopConstraints } from '../../../../src/renderer/capture/capture-api.js';
import { FramePacer, LatestFrameSender } from '../../../../src/renderer/capture/frame-pacer.js';
import { CAPTURE_CHANNELS, type CaptureFrameMessage } from '../../../../src/shared/capture-contract.js';

class FakeIpcRenderer implements IpcRendererLike {
  readonly invoked: Array<{ channel: string; args: unknown[] }> = [];
  readonly listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  reply: unknown = undefined;

  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args: structuredClone(args) });
    return this.reply;
  }

  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
    return this;
  }

  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }

  deliver(channel: string, message: unknown): void {
    for (const l of this.listeners.get(channel) ?? []) l({ sender: 'internal' }, message);
  }
}

describe('the capture bridge', () => {
  it('asks main for the request on ready()', async () => {
    const ipc = new FakeIpcRenderer();
    ipc.reply = { sourceId: 'screen:1:0', frameRate: 20, width: 100, height: 50 };
    const bridge = createCaptureBridge(ipc);
    expect(await bridge.ready()).toEqual(ipc.reply);
    expect(ipc.invoked).toEqual([{ channel: CAPTURE_CHANNELS.ready, args: [] }]);
  });

  it('sends only the frame fields on the frame channel', async () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createCaptureBridge(ipc);
    const data = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer;
    await bridge.sendFrame({ width: 2, height: 1, format: 'bgra', stride: 8, data, extra: 'dropped' } as CaptureFrameMessage);
    expect(ipc.invoked).toHaveLength(1);
    expect(ipc.invoked[0]?.channel).toBe(CAPTURE_CHANNELS.frame);
    const sent = ipc.invoked[0]?.args[0] as Record<string, unknown>;
    expect(Object.keys(sent).sort()).toEqual(['data', 'format', 'height', 'stride', 'width']);
    expect(Array.from(new Uint8Array(sent['data'] as ArrayBuffer))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("passes a YUV frame's planes, colour space, source format and pointer flag on", async () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createCaptureBridge(ipc);
    const frame: CaptureFrameMessage = {
      width: 2,
      height: 2,
      format: 'i420',
      stride: 2,
      planes: [{ offset: 0, stride: 2 }, { offset: 4, stride: 1 }, { offset: 5, stride: 1 }],
      colorSpace: { matrix: 'smpte170m', fullRange: false },
      sourceFormat: 'I420',
      pointer: true,
      data: new ArrayBuffer(6),
    };
    await bridge.sendFrame({ ...frame, extra: 1 } as CaptureFrameMessage);
    expect(ipc.invoked[0]?.args[0]).toEqual(frame);
  });

  it('reports errors as bounded text', async () => {
    const ipc = new FakeIpcRenderer();
    await createCaptureBridge(ipc).reportError('x'.repeat(5000));
    expect(ipc.invoked[0]?.channel).toBe(CAPTURE_CHANNELS.error);
    expect((ipc.invoked[0]?.args[0] as string).length).toBe(2000);
  });

  it('passes on commands (and nothing else) until unsubscribed, without the IPC event', () => {
    const ipc = new FakeIpcRenderer();
    const seen: unknown[] = [];
    const off = createCaptureBridge(ipc).onCommand((c) => seen.push(c));
    ipc.deliver(CAPTURE_CHANNELS.command, { type: 'pause', sneaky: true });
    ipc.deliver(CAPTURE_CHANNELS.command, { type: 'explode' });
    ipc.deliver(CAPTURE_CHANNELS.command, null);
    ipc.deliver(CAPTURE_CHANNELS.command, { type: 'resume' });
    ipc.deliver(CAPTURE_CHANNELS.command, { type: 'frame-rate', frameRate: 12, extra: 1 });
    ipc.deliver(CAPTURE_CHANNELS.command, { type: 'refresh', whole: 'please' });
    for (const frameRate of [0, 61, Number.NaN, '12', undefined]) ipc.deliver(CAPTURE_CHANNELS.command, { type: 'frame-rate', frameRate });
    off();
    ipc.deliver(CAPTURE_CHANNELS.command, { type: 'pause' });
    expect(seen).toEqual([{ type: 'pause' }, { type: 'resume' }, { type: 'frame-rate', frameRate: 12 }, { type: 'refresh' }]);
  });

  it('is frozen', () => {
    const bridge = createCaptureBridge(new FakeIpcRenderer());
    expect(Object.isFrozen(bridge)).toBe(true);
  });
});

describe('desktopConstraints', () => {
  it('asks Chromium for the desktop source, at most the screen size and frame rate', () => {
    expect(desktopConstraints({ sourceId: 'screen:2:0', frameRate: 15, width: 2880, height: 1800 })).toEqual({
      audio: false,
      video: { mandatory: { chromeMediaSource: 'desktop', chromeMediaSourceId: 'screen:2:0', maxWidth: 2880, maxHeight: 1800, maxFrameRate: 15 } },
    });
  });
});

describe('FramePacer', () => {
  it('lets frames go at most at the frame rate', () => {
    const p = new FramePacer(10); // every 100 ms
    expect(p.wait(0)).toBe(0);
    p.sent(0);
    expect(p.wait(50)).toBe(49);
    expect(p.wait(99.5)).toBe(0); // a millisecond of slack for frames timed at the rate
    p.sent(100);
    expect(p.wait(150)).toBe(49);
  });

  it('holds everything while paused, and lets the first frame go at once after resuming', () => {
    const p = new FramePacer(1);
    p.sent(0);
    p.pause();
    expect(p.isPaused).toBe(true);
    expect(p.wait(5000)).toBe(Number.POSITIVE_INFINITY);
    p.resume();
    expect(p.wait(5001)).toBe(0);
  });

  it('follows a new rate at once, up or down', () => {
    const p = new FramePacer(5); // every 200 ms
    p.sent(0);
    expect(p.wait(100)).toBe(99);
    p.setRate(20); // every 50 ms
    expect(p.intervalMs).toBe(50);
    expect(p.wait(100)).toBe(0);
    p.sent(100);
    p.setRate(2);
    expect(p.wait(200)).toBe(399);
  });

  it('keeps the rate within 1–60', () => {
    const fast = new FramePacer(1000);
    fast.sent(0);
    expect(fast.wait(10)).toBeGreaterThan(0);
    expect(fast.wait(16)).toBe(0);
  });
});

/** A clock the test moves by hand, with timers that fire as it passes them. */
class ManualClock {
  t = 0;
  private timers: Array<{ at: number; fn: () => void }> = [];
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    this.timers.push({ at: this.t + ms, fn });
  };
  async advance(ms: number): Promise<void> {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const x of due) x.fn();
    await settle();
  }
  get pending(): number {
    return this.timers.length;
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function senderHarness(frameRate = 10) {
  const clock = new ManualClock();
  const pacer = new FramePacer(frameRate);
  const sent: string[] = [];
  const dropped: string[] = [];
  const errors: unknown[] = [];
  let gate: (() => void) | null = null;
  const sender = new LatestFrameSender<string>(
    pacer,
    async (f) => {
      if (f === 'slow') await new Promise<void>((r) => (gate = r));
      if (f === 'bad') throw new Error('cannot send');
      sent.push(f);
    },
    (f) => dropped.push(f),
    clock,
    (e) => errors.push(e),
  );
  return { clock, pacer, sender, sent, dropped, errors, release: () => gate?.() };
}

describe('LatestFrameSender', () => {
  it('sends a frame at once when the rate allows', async () => {
    const h = senderHarness();
    h.sender.offer('a');
    await settle();
    expect(h.sent).toEqual(['a']);
  });

  it('keeps only the newest of a burst, and sends it when the interval is up', async () => {
    const h = senderHarness(); // 100 ms
    h.sender.offer('a');
    await settle();
    await h.clock.advance(10);
    h.sender.offer('b');
    h.sender.offer('c');
    h.sender.offer('d');
    await settle();
    expect(h.sent).toEqual(['a']);
    expect(h.dropped).toEqual(['b', 'c']);
    expect(h.clock.pending).toBe(1); // one timer, however many frames came
    await h.clock.advance(100);
    expect(h.sent).toEqual(['a', 'd']); // the last picture of the burst went out
  });

  it('holds frames while paused and sends the newest on a kick after resuming', async () => {
    const h = senderHarness();
    h.pacer.pause();
    h.sender.offer('a');
    h.sender.offer('b');
    await h.clock.advance(1000);
    expect(h.sent).toEqual([]);
    expect(h.clock.pending).toBe(0);
    h.pacer.resume();
    h.sender.kick();
    await settle();
    expect(h.sent).toEqual(['b']);
    expect(h.dropped).toEqual(['a']);
  });

  it('sends one at a time, then the newest that came meanwhile', async () => {
    const h = senderHarness(60);
    h.sender.offer('slow');
    await settle();
    await h.clock.advance(50);
    h.sender.offer('x');
    h.sender.offer('y');
    await settle();
    expect(h.sent).toEqual([]);
    h.release();
    await settle();
    expect(h.sent).toEqual(['slow', 'y']);
    expect(h.dropped).toEqual(['x']);
  });

  it('reports a failed send and goes on with the next frame', async () => {
    const h = senderHarness();
    h.sender.offer('bad');
    await settle();
    expect(h.errors).toHaveLength(1);
    await h.clock.advance(200);
    h.sender.offer('good');
    await settle();
    expect(h.sent).toEqual(['good']);
  });
});
