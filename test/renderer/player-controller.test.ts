import { describe, expect, it } from 'vitest';
import type { RecordingDetails, RecordingSegment } from '../../src/shared/recording-contract.js';
import { FrameBuffer } from '../../src/renderer/player/frame-buffer.js';
import { PlayerController, type PlayerSource, type Scheduler } from '../../src/renderer/player/player-controller.js';
import type { DecoderTable } from '../../src/renderer/player/update-decoder.js';

/**
 * The player's controller with time in the test's hands: a fake clock and
 * animation frames run one at a time, segments that hold one solid
 * keyframe each (its colour says which moment is shown), and a decoder table
 * that fills the picture with that colour.
 */

function details(over: Partial<RecordingDetails> = {}): RecordingDetails {
  return {
    name: 'r.vnc.gz',
    kind: 'trayvnc',
    bytes: 1,
    startedAt: 0,
    durationMs: 20_000,
    complete: true,
    live: false,
    width: 2,
    height: 1,
    viewers: 1,
    keyframes: [0, 10_000],
    events: {},
    viewerList: [],
    timeline: [],
    activity: [],
    keys: false,
    clipboardText: false,
    truncatedAtMs: null,
    ...over,
  };
}

/** A FramebufferUpdate with one 'solid' rectangle whose payload is one byte, the colour. */
const solid = (colour: number) => Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 99, colour]).toString('base64');

/** Encoding 99: the rectangle filled with the one byte that follows (a stand-in decoder; noVNC's are tested elsewhere). */
const fakeDecoders = (): DecoderTable =>
  new Map([
    [
      99,
      {
        decodeRect: (x: number, y: number, w: number, h: number, sock: NoVnc.ReceiveQueue, display: NoVnc.DecoderDisplay) => {
          const c = sock.rQshift8();
          display.fillRect(x, y, w, h, [c, c, c]);
          return true;
        },
      },
    ],
  ]);

function harness(d: RecordingDetails, more: { details?: () => Promise<RecordingDetails>; segment?: PlayerSource['segment'] } = {}) {
  let now = 0;
  let pending: (() => void) | null = null;
  const scheduler: Scheduler = {
    now: () => now,
    frame: (cb) => {
      pending = cb;
      return () => {
        if (pending === cb) pending = null;
      };
    },
  };
  const drawn: number[] = [];
  const source: PlayerSource = {
    details: more.details ?? (() => Promise.resolve(d)),
    // Segment i: a keyframe of colour i + 1, then updates every second with colour = the second.
    segment: more.segment ?? ((index): Promise<RecordingSegment> => {
      const from = d.keyframes[index]!;
      const records: RecordingSegment['records'] = [{ t: from, type: 'keyframe', width: 2, height: 1, data: solid(index + 1) }];
      for (let t = from + 1000; t < from + 10_000; t += 1000) records.push({ t, type: 'update', data: solid(t / 1000) });
      return Promise.resolve({ name: d.name, index, records, more: false });
    }),
  };
  const c = new PlayerController(d, source, (fb: FrameBuffer, t) => drawn.push(t, fb.data[0]!), scheduler, fakeDecoders);
  return {
    c,
    drawn,
    /** Advance the clock by `ms` and run the waiting animation frame, then let promises settle. */
    async frame(ms: number) {
      now += ms;
      const cb = pending;
      pending = null;
      cb?.();
      for (let i = 0; i < 10; i++) await Promise.resolve();
      await new Promise((r) => setTimeout(r, 0));
    },
    get waiting() {
      return pending !== null;
    },
  };
}

describe('the player controller', () => {
  it('shows the first picture, then plays at the chosen speed', async () => {
    const h = harness(details());
    await h.c.start();
    expect(h.drawn).toEqual([0, 1]);
    h.c.play();
    await h.frame(1500);
    expect(h.c.state.position).toBe(1500);
    expect(h.drawn.slice(-2)).toEqual([1500, 1]); // the update of second 1
    h.c.setSpeed(4);
    await h.frame(1000);
    expect(h.c.state.position).toBe(5500);
    expect(h.drawn.slice(-2)).toEqual([5500, 5]);
    expect(h.c.state.speed).toBe(4);
  });

  it('pauses, seeks and steps, showing each moment', async () => {
    const h = harness(details());
    await h.c.start();
    h.c.seek(12_500);
    await h.frame(0);
    expect(h.drawn.slice(-2)).toEqual([12_500, 12]);
    h.c.seekBy(-5000);
    await h.frame(0);
    expect(h.c.state.position).toBe(7500);
    expect(h.drawn.slice(-2)).toEqual([7500, 7]);
    h.c.play();
    await h.frame(100);
    h.c.pause();
    expect(h.c.state.playing).toBe(false);
    await h.frame(5000);
    expect(h.c.state.position).toBe(7600);
    expect(h.waiting).toBe(false);
  });

  it('stops at the end of a finished recording, and plays again from the start', async () => {
    const h = harness(details());
    await h.c.start();
    h.c.seek(19_000);
    h.c.play();
    await h.frame(5000);
    expect(h.c.state).toMatchObject({ position: 20_000, playing: false, ended: true });
    expect(h.waiting).toBe(false);
    h.c.play();
    await h.frame(1000);
    expect(h.c.state.position).toBe(1000);
  });

  it('passes idle stretches quickly with skip idle on', async () => {
    // Activity in seconds 0 and 15 only: 1–15 s is idle.
    const activity = Array.from({ length: 20 }, (_, s) => (s === 0 || s === 15 ? 3 : 0));
    const h = harness(details({ activity }));
    await h.c.start();
    h.c.setSkipIdle(true);
    h.c.play();
    await h.frame(1000);
    expect(h.c.state.position).toBe(1000);
    await h.frame(1000); // the 14 s of nothing, in a second
    expect(h.c.state.position).toBe(15_000);
    await h.frame(500);
    expect(h.c.state.position).toBe(15_500);
  });

  it('follows a recording being written: re-reads it near its end, holds there, and goes on as it grows', async () => {
    let d = details({ live: true, complete: false, durationMs: 12_000 });
    let reads = 0;
    const h = harness(d, {
      details: () => {
        reads++;
        return Promise.resolve(d);
      },
    });
    await h.c.start();
    h.c.seek(9000);
    h.c.play();
    await h.frame(500); // 9.5 s: not near the end yet
    expect(reads).toBe(0);
    await h.frame(1000); // 10.5 s: within 2 s of the end
    expect(reads).toBe(1);
    await h.frame(3000); // past the end: held there, waiting (and read again: a second has passed)
    expect(h.c.state).toMatchObject({ position: 12_000, playing: true, following: true, ended: false });
    expect(reads).toBe(2);
    d = details({ live: true, complete: false, durationMs: 16_000 });
    await h.frame(1000); // re-read: 16 s now, and the clock goes on from where it waited
    expect(reads).toBe(3);
    expect(h.c.state.position).toBe(12_000);
    await h.frame(1000);
    expect(h.c.state.position).toBe(13_000);
    expect(h.c.state.details.durationMs).toBe(16_000);
    // It finished: played to its end, then stopped.
    d = details({ live: false, complete: true, durationMs: 16_000 });
    await h.frame(1500);
    expect(reads).toBe(4);
    await h.frame(5000);
    expect(h.c.state).toMatchObject({ position: 16_000, playing: false, ended: true, following: false });
  });

  it('says what went wrong when a picture cannot be made', async () => {
    // A segment whose first record is no keyframe.
    const h = harness(details(), {
      segment: (index) => Promise.resolve({ name: 'r', index, records: [{ t: 0, type: 'update', data: solid(1) }], more: false }),
    });
    await h.c.start();
    expect(h.c.state.error).toMatch(/^Could not show the picture at 0:00: segment 0 does not start with a keyframe/);
  });
});
