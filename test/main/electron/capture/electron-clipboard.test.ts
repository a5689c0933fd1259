import { describe, expect, it } from 'vitest';
import { PolledClipboard } from '../../../../src/main/electron/capture/electron-clipboard.js';

function fakeClipboard(initial = '') {
  const state = { text: initial, failNext: false, writes: [] as string[] };
  return {
    state,
    clipboard: {
      readText: async () => {
        if (state.failNext) {
          state.failNext = false;
          throw new Error('busy');
        }
        return state.text;
      },
      writeText: async (t: string) => {
        state.text = t;
        state.writes.push(t);
      },
    },
  };
}

describe('PolledClipboard', () => {
  it('reports text another program copies, once, and not what was there at start', async () => {
    const { state, clipboard } = fakeClipboard('old');
    const c = new PolledClipboard(clipboard, 60_000);
    const seen: string[] = [];
    c.onChange((t, sel) => seen.push(`${sel}:${t}`));
    await c.start();
    await c.poll();
    expect(seen).toEqual([]);
    state.text = 'copied on the desktop';
    await c.poll();
    await c.poll();
    expect(seen).toEqual(['clipboard:copied on the desktop']);
    await c.stop();
  });

  it('writes a viewer’s text without echoing it back, and ignores the primary selection', async () => {
    const { state, clipboard } = fakeClipboard();
    const c = new PolledClipboard(clipboard, 60_000);
    const seen: string[] = [];
    c.onChange((t) => seen.push(t));
    await c.start();
    await c.write('from a viewer');
    await c.write('selected text', 'primary');
    await c.poll();
    expect(state.writes).toEqual(['from a viewer']);
    expect(seen).toEqual([]);
    await c.stop();
  });

  it('survives a failed read and sees the change on the next poll', async () => {
    const { state, clipboard } = fakeClipboard();
    const c = new PolledClipboard(clipboard, 60_000);
    const seen: string[] = [];
    c.onChange((t) => seen.push(t));
    await c.start();
    state.text = 'later';
    state.failNext = true;
    await c.poll();
    expect(seen).toEqual([]);
    await c.poll();
    expect(seen).toEqual(['later']);
    await c.stop();
  });

  it('polls on its own timer', async () => {
    const { state, clipboard } = fakeClipboard();
    const c = new PolledClipboard(clipboard, 10);
    const seen: string[] = [];
    c.onChange((t) => seen.push(t));
    await c.start();
    state.text = 'timer';
    await new Promise((r) => setTimeout(r, 60));
    await c.stop();
    expect(seen).toEqual(['timer']);
  });
});
