import { describe, expect, it } from 'vitest';
import { getLogger } from '../../../../src/main/base/logger.js';
import type { XTestEvents } from '../../../../src/main/desktop/x11/xtest-events.js';
import { XTestPointer } from '../../../../src/main/desktop/x11/xtest-pointer.js';

/** A pointer whose XTEST events are recorded as strings instead of sent. */
function recorded(): { pointer: XTestPointer; sent: string[] } {
  const sent: string[] = [];
  const events = {
    motion: (x: number, y: number) => sent.push(`move ${x},${y}`),
    button: (b: number, down: boolean) => sent.push(`${down ? 'press' : 'release'} ${b}`),
    key: () => sent.push('key'),
  } as unknown as XTestEvents;
  return { pointer: new XTestPointer(events, getLogger('test')), sent };
}

describe('XTestPointer', () => {
  it('moves only when the position changed, or when nothing else did', () => {
    const { pointer, sent } = recorded();
    pointer.followServer(10, 20, 5);
    pointer.event(10, 20, 1); // button only
    pointer.event(10, 20, 1); // nothing changed: a move all the same
    pointer.event(11, 20, 1);
    expect(sent).toEqual(['press 1', 'move 10,20', 'move 11,20']);
  });

  it('presses and releases on mask edges, and leaves out buttons the pointer lacks', () => {
    const { pointer, sent } = recorded();
    pointer.followServer(0, 0, 3);
    pointer.event(0, 0, 0b1_0000_0101); // buttons 1, 3 and 9
    pointer.event(0, 0, 0b1_0000_0001);
    expect(sent).toEqual(['press 1', 'press 3', 'release 3']);
  });

  it('clamps positions to the 16-bit range and rounds them', () => {
    const { pointer, sent } = recorded();
    pointer.event(1e6, -1e6, 0);
    pointer.event(2.6, Number.NaN, 0);
    expect(sent).toEqual(['move 32767,-32768', 'move 3,0']);
  });

  it('releaseAll lets go of what is down, once', () => {
    const { pointer, sent } = recorded();
    pointer.followServer(0, 0, 9);
    pointer.event(0, 0, 0b110);
    sent.length = 0;
    pointer.releaseAll();
    pointer.releaseAll();
    expect(sent).toEqual(['release 2', 'release 3']);
  });
});
