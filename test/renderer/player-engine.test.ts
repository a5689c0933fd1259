import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingLibrary } from '../../src/main/app/recording-library.js';
import type { RecordingDetails, RecordingSegment } from '../../src/shared/recording-contract.js';
import { PlaybackEngine, type SegmentSource } from '../../src/renderer/player/playback-engine.js';
import { recordScript, script, tempDir, type ScriptStep } from '../support/recording-fixtures.js';

(globalThis as { window?: unknown }).window ??= globalThis;
const { createNoVncDecoders } = await import('../../src/renderer/player/novnc-decoders.js');

/**
 * The player's engine on a real recording file: written by the recording
 * writer from a script, its segments served by the control API's library,
 * its pictures made by noVNC's decoders — and each compared with the
 * script's own pictures, worked out here from the Raw updates it wrote.
 */

const W = 64;
const H = 48;
const steps = script({ durationMs: 25_000, stepMs: 250, keyframeEveryMs: 5000, seed: 7, w: W, h: H });

/** The picture at `t` by the script: every keyframe and update at or before t, in order, as 32-bit words. */
function expectedAt(t: number): Uint32Array {
  const px = new Uint32Array(W * H);
  for (const s of steps) {
    if (s.at > t || s.op === 'event') continue;
    const u = s.update;
    const x = u.readUInt16BE(4);
    const y = u.readUInt16BE(6);
    const w = u.readUInt16BE(8);
    const h = u.readUInt16BE(10);
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) px[(y + j) * W + x + i] = u.readUInt32LE(16 + (j * w + i) * 4);
  }
  return px;
}

/** Pixels of the engine's picture that differ from the script's (bytes R, G, B as written; alpha opaque). */
function differences(engine: PlaybackEngine, t: number): string[] {
  const want = expectedAt(t);
  const fb = engine.fb;
  const bad: string[] = [];
  expect([fb.width, fb.height]).toEqual([W, H]);
  for (let i = 0; i < W * H && bad.length < 3; i++) {
    const p = want[i]!;
    const got = [...fb.data.subarray(i * 4, i * 4 + 4)];
    const exp = [p & 255, (p >>> 8) & 255, (p >>> 16) & 255, 255];
    if (got.some((v, k) => v !== exp[k])) bad.push(`t=${t} pixel ${i % W},${Math.floor(i / W)}: ${got} ≠ ${exp}`);
  }
  return bad;
}

describe('the playback engine on a recorded file', () => {
  const tmp = tempDir('trayvnc-player-');
  const name = 'engine-test.vnc.gz';
  let library: RecordingLibrary;
  let details: RecordingDetails;
  const asked: number[] = [];
  const source: SegmentSource = {
    segment: (index) => {
      asked.push(index);
      return library.segment(name, index);
    },
  };

  beforeAll(async () => {
    await recordScript(tmp.path(name), steps);
    library = new RecordingLibrary(() => tmp.dir, () => null);
    details = await library.details(name);
  });
  afterAll(() => tmp.remove());

  it('shows any moment exactly, seeking forwards and backwards across segments', async () => {
    expect(details.keyframes).toEqual([0, 5000, 10_000, 15_000, 20_000, 25_000]);
    const engine = new PlaybackEngine(source, createNoVncDecoders, details);
    for (const t of [0, 1234, 4999, 5000, 12_345, 24_990, 25_000, 3000, 17_777, 250]) {
      await engine.show(t);
      expect(engine.shown).toBe(t);
      expect(differences(engine, t)).toEqual([]);
    }
  });

  it('plays forward in small steps within and across segments', async () => {
    const engine = new PlaybackEngine(source, createNoVncDecoders, details);
    for (let t = 3900; t <= 11_100; t += 130) {
      await engine.show(t);
      expect(differences(engine, t)).toEqual([]);
    }
  });

  it('fetches the segment for a moment and the next one ahead, and keeps only those near', async () => {
    asked.length = 0;
    const engine = new PlaybackEngine(source, createNoVncDecoders, details);
    await engine.show(12_000);
    expect(asked).toEqual([2, 3]); // the segment shown, and the next fetched ahead
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.ready(16_000)).toBe(true);
    await engine.show(16_000);
    expect(asked).toEqual([2, 3, 4]);
    await engine.show(13_000); // segment 2 is kept beside 3
    expect(asked).toEqual([2, 3, 4]);
    await engine.show(1000);
    expect(asked).toEqual([2, 3, 4, 0, 1]);
    expect(engine.ready(16_000)).toBe(false); // too far away now: dropped
  });

  it('draws only the newest of several moments asked for at once', async () => {
    const engine = new PlaybackEngine(source, createNoVncDecoders, details);
    const all = [engine.show(1000), engine.show(7000), engine.show(21_000)];
    await Promise.all(all);
    expect(engine.shown).toBe(21_000);
    expect(differences(engine, 21_000)).toEqual([]);
  });

  it('tries a segment again after a failed fetch', async () => {
    let failures = 1;
    const flaky: SegmentSource = {
      segment: (index) => (failures-- > 0 ? Promise.reject(new Error('connection lost')) : library.segment(name, index)),
    };
    const engine = new PlaybackEngine(flaky, createNoVncDecoders, details);
    await expect(engine.show(6000)).rejects.toThrow('connection lost');
    await engine.show(6000);
    expect(differences(engine, 6000)).toEqual([]);
  });
});

describe('the playback engine on a recording still being written', () => {
  /** Segments of a growing recording: `upTo` is how far it has been written. */
  function growing(all: ScriptStep[]): { source: SegmentSource; upTo: number; asked: number[]; keyframes: () => number[] } {
    const state = {
      upTo: 0,
      asked: [] as number[],
      keyframes: () => all.filter((s) => s.op === 'keyframe' && s.at <= state.upTo).map((s) => s.at),
      source: {
        segment: async (index: number): Promise<RecordingSegment> => {
          state.asked.push(index);
          const ks = state.keyframes();
          const from = ks[index]!;
          const to = ks[index + 1] ?? Infinity;
          const records = all
            .filter((s) => s.op !== 'event' && s.at >= from && s.at < to && s.at <= state.upTo)
            .map((s) =>
              s.op === 'keyframe'
                ? { t: s.at, type: 'keyframe' as const, width: s.width, height: s.height, data: s.update.toString('base64') }
                : { t: s.at, type: 'update' as const, data: s.op === 'update' ? s.update.toString('base64') : '' },
            );
          return { name: 'live', index, records, more: true };
        },
      },
    };
    return state;
  }

  it('fetches the last segment again once the recording has grown, and carries on from where it was', async () => {
    const g = growing(steps);
    g.upTo = 7000;
    const engine = new PlaybackEngine(g.source, createNoVncDecoders, { keyframes: g.keyframes(), live: true, width: W, height: H });
    await engine.show(7000);
    expect(differences(engine, 7000)).toEqual([]);
    expect(g.asked).toEqual([1]);

    // More was written: the same segment has more updates, and a new one began.
    g.upTo = 12_000;
    engine.setLayout(g.keyframes(), true);
    await engine.show(9000);
    expect(g.asked).toEqual([1, 1, 2]);
    expect(differences(engine, 9000)).toEqual([]);
    await engine.show(12_000);
    expect(differences(engine, 12_000)).toEqual([]);
  });
});
