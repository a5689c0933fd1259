import { describe, expect, it } from 'vitest';
import { NO_POINTER, PaintedPointerCursor, type FidelitySource } from '../../../../src/main/electron/capture/painted-pointer.js';
import type { CaptureFidelityInfo } from '../../../../src/shared/control-contract.js';
import type { CursorImage } from '../../../../src/main/framebuffer/cursor-image.js';

function fidelity(pointerInFrames: boolean): CaptureFidelityInfo {
  return { pixelFormat: 'I420', pointerInFrames, scaled: false, frameSize: { width: 8, height: 8 }, screenSize: { width: 8, height: 8 } };
}

class Source implements FidelitySource {
  fidelity: CaptureFidelityInfo | null = null;
  private listeners: Array<(f: CaptureFidelityInfo) => void> = [];
  onFidelity(l: (f: CaptureFidelityInfo) => void): void {
    this.listeners.push(l);
  }
  set(f: CaptureFidelityInfo): void {
    this.fidelity = f;
    for (const l of this.listeners) l(f);
  }
}

describe('PaintedPointerCursor', () => {
  it('gives viewers an empty cursor once the frames are known to carry the pointer', async () => {
    const source = new Source();
    const cursor = new PaintedPointerCursor(source);
    await cursor.start();
    expect(cursor.current()).toBeNull();
    const seen: CursorImage[] = [];
    cursor.onChange((c) => seen.push(c));
    source.set(fidelity(false));
    expect(seen).toEqual([]);
    source.set(fidelity(true));
    expect(seen).toEqual([NO_POINTER]);
    expect(cursor.current()).toEqual({ width: 0, height: 0, hotX: 0, hotY: 0, pixels: new Uint32Array(0), serial: 1 });
    source.set(fidelity(true));
    expect(seen).toHaveLength(1);
    expect(await cursor.position()).toBeNull();
  });

  it('starts hidden when the first frame already said so', async () => {
    const source = new Source();
    source.fidelity = fidelity(true);
    const cursor = new PaintedPointerCursor(source);
    await cursor.start();
    expect(cursor.current()).toBe(NO_POINTER);
  });
});
