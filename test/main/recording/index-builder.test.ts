import { describe, expect, it } from 'vitest';
import { IndexBuilder } from '../../../src/main/recording/index-builder.js';
import { EVERY_EVENT } from '../../support/recording-fixtures.js';

describe('IndexBuilder', () => {
  it('counts events by kind, updates, and keeps keyframes in order', () => {
    const b = new IndexBuilder();
    b.keyframe(0, 0);
    b.update();
    b.update();
    for (const e of EVERY_EVENT) b.event(e);
    b.keyframe(10_000, 4096);
    b.event({ kind: 'marker', label: 'again' });
    const index = b.build(12_345);
    expect(index.durationMs).toBe(12_345);
    expect(index.updates).toBe(2);
    expect(index.keyframes).toEqual([
      { t: 0, offset: 0 },
      { t: 10_000, offset: 4096 },
    ]);
    expect(index.events).toEqual({ connect: 2, control: 1, pointer: 1, key: 1, clipboard: 2, resize: 1, marker: 2, error: 1, disconnect: 1 });
    expect(b.events).toBe(EVERY_EVENT.length + 1);
  });

  it("sums each viewer's connects, pointer, keys and the clipboard it sent, in order of appearance", () => {
    const b = new IndexBuilder();
    b.event({ kind: 'pointer', client: 'late', x: 1, y: 1, buttons: 0 });
    for (const e of EVERY_EVENT) b.event(e);
    b.event({ kind: 'connect', client: 'late', address: '192.0.2.1:5000', viewOnly: true });
    b.event({ kind: 'connect', client: 'c1', address: '10.0.0.5:50124', viewOnly: false });
    b.event({ kind: 'key', client: 'c1', keysym: 0x61, down: false });
    expect(b.build(0).viewers).toEqual([
      // Seen first by a pointer event, its address learned from the connect that followed.
      { client: 'late', address: '192.0.2.1:5000', connects: 1, pointer: 1, keys: 0, clipboard: 0 },
      // The first address a viewer is seen with stays.
      { client: 'c1', address: '10.0.0.5:50123', connects: 2, pointer: 1, keys: 2, clipboard: 1 },
      { client: 'c2', address: '[::1]:40000', connects: 1, pointer: 0, keys: 0, clipboard: 0 },
    ]);
  });

  it('hands out copies: building again after more events does not change an index already built', () => {
    const b = new IndexBuilder();
    b.event({ kind: 'connect', client: 'a', address: 'x:1', viewOnly: false });
    const first = b.build(1);
    b.event({ kind: 'pointer', client: 'a', x: 0, y: 0, buttons: 0 });
    b.keyframe(5, 100);
    expect(first.viewers[0]!.pointer).toBe(0);
    expect(first.keyframes).toEqual([]);
    expect(first.events).toEqual({ connect: 1 });
  });
});
