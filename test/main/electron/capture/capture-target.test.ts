import { describe, expect, it } from 'vitest';
import type { InputSink } from '../../../../src/main/desktop/input.js';
import { devicePixels, pickCaptureTarget } from '../../../../src/main/electron/capture/capture-target.js';
import type { CaptureSourceInfo, DisplayLike } from '../../../../src/main/electron/electron-seam.js';
import { frameToDesktop, MappedInput } from '../../../../src/main/electron/capture/mapped-input.js';

const left: DisplayLike = { id: 11, bounds: { x: 0, y: 0, width: 1440, height: 900 }, scaleFactor: 2 };
const right: DisplayLike = { id: 22, bounds: { x: 1440, y: 0, width: 1920, height: 1080 }, scaleFactor: 1 };
const sources: CaptureSourceInfo[] = [
  { id: 'screen:22:0', name: 'Screen 2', display_id: '22' },
  { id: 'screen:11:0', name: 'Screen 1', display_id: '11' },
];

describe('pickCaptureTarget', () => {
  it('takes the primary display, matched by display id, at its device size', () => {
    expect(pickCaptureTarget(sources, [left, right], left)).toEqual({ sourceId: 'screen:11:0', display: left, width: 2880, height: 1800 });
  });

  it('takes the display the monitor setting names by index', () => {
    expect(pickCaptureTarget(sources, [left, right], left, '1')).toEqual({ sourceId: 'screen:22:0', display: right, width: 1920, height: 1080 });
  });

  it('falls back to the primary display, with a warning, for a monitor it does not know', () => {
    const t = pickCaptureTarget(sources, [left, right], left, 'HDMI-1');
    expect(t.sourceId).toBe('screen:11:0');
    expect(t.display).toBe(left);
    expect(t.warning).toMatch(/monitor "HDMI-1" is not one of the 2 displays/);
    expect(pickCaptureTarget(sources, [left, right], left, '7').warning).toMatch(/not one of/);
  });

  it('falls back to the primary display when the chosen one has no source', () => {
    const t = pickCaptureTarget([sources[1] as CaptureSourceInfo, { id: 'screen:99:0', name: 'X', display_id: '99' }], [left, right], left, '1');
    expect(t.sourceId).toBe('screen:11:0');
    expect(t.display).toBe(left);
    expect(t.warning).toMatch(/no capture source/);
  });

  it('takes the one source offered when sources carry no display id (Wayland portal)', () => {
    const t = pickCaptureTarget([{ id: 'screen:0:0', name: 'Entire screen', display_id: '' }], [left, right], left);
    expect(t).toEqual({ sourceId: 'screen:0:0', display: left, width: 2880, height: 1800 });
  });

  it('refuses when there is nothing to capture, saying where to look on macOS', () => {
    expect(() => pickCaptureTarget([], [left], left)).toThrow(/Screen Recording/);
  });

  it('rounds device sizes', () => {
    expect(devicePixels({ id: 1, bounds: { x: 0, y: 0, width: 1366, height: 768 }, scaleFactor: 1.25 })).toEqual({ width: 1708, height: 960 });
  });
});

describe('frameToDesktop', () => {
  it('gives macOS points: frame pixels divided by the scale, plus the display origin', () => {
    const m = { display: { ...left, bounds: { ...left.bounds, x: -1440 } }, frameSize: () => ({ width: 2880, height: 1800 }), platform: 'darwin' as const };
    expect(frameToDesktop(m, 200, 100)).toEqual({ x: -1340, y: 50 });
  });

  it('gives device pixels elsewhere, offset by the display origin in device pixels', () => {
    const m = { display: right, frameSize: () => ({ width: 1920, height: 1080 }), platform: 'win32' as const };
    expect(frameToDesktop(m, 10, 20)).toEqual({ x: 1450, y: 20 });
  });

  it('scales when the captured frame is smaller than the display', () => {
    const m = { display: left, frameSize: () => ({ width: 1440, height: 900 }), platform: 'linux' as const };
    expect(frameToDesktop(m, 100, 50)).toEqual({ x: 200, y: 100 });
  });
});

describe('MappedInput', () => {
  function recorder(startError?: Error) {
    const calls: string[] = [];
    const sink: InputSink = {
      name: 'fake-input',
      start: async () => {
        if (startError) throw startError;
        calls.push('start');
      },
      key: async (k, d) => void calls.push(`key ${k.toString(16)} ${d}`),
      pointer: async (x, y, b) => void calls.push(`pointer ${x},${y} ${b}`),
      stop: async () => void calls.push('stop'),
    };
    return { calls, sink };
  }

  it('maps pointer positions, passes keys through, and keeps the backend name', async () => {
    const { calls, sink } = recorder();
    const input = new MappedInput(sink, { display: right, frameSize: () => ({ width: 1920, height: 1080 }), platform: 'linux' });
    expect(input.name).toBe('fake-input');
    await input.start();
    await input.pointer(5, 6, 1);
    await input.key(0x61, true);
    await input.stop();
    expect(calls).toEqual(['start', 'pointer 1445,6 1', 'key 61 true', 'stop']);
  });

  it('says why when the backend cannot start, and still fails the start', async () => {
    const reasons: string[] = [];
    const { sink } = recorder(new Error('nut-js input is not available: cannot load @nut-tree-fork/nut-js'));
    const input = new MappedInput(sink, { display: left, frameSize: () => ({ width: 1, height: 1 }), platform: 'darwin' }, (r) => reasons.push(r));
    await expect(input.start()).rejects.toThrow(/not available/);
    expect(reasons).toEqual(['nut-js input is not available: cannot load @nut-tree-fork/nut-js']);
  });
});
