import type { Page } from 'playwright-core';

/**
 * Reading the Recordings page's player from a test: the moment its canvas
 * shows, and the canvas's pixels. The page runs these expressions (this
 * project's tests compile without DOM types).
 */

const CANVAS = 'document.querySelector("canvas.player-canvas")';

/** The moment (ms) the player's canvas holds, or null before it shows one. */
export async function shownMs(page: Page): Promise<number | null> {
  const v = (await page.evaluate(`${CANVAS}?.dataset.shownMs ?? null`)) as string | null;
  return v === null ? null : Number(v);
}

export interface CanvasPicture {
  width: number;
  height: number;
  /** R, G, B, A bytes, row by row, as getImageData gives them. */
  rgba: Buffer;
}

/** The player's canvas (or the one `selector` finds, e.g. the seek bar's thumbnail), read back with getImageData. */
export async function canvasPicture(page: Page, selector = 'canvas.player-canvas'): Promise<CanvasPicture> {
  const json = (await page.evaluate(`(() => {
    const c = document.querySelector(${JSON.stringify(selector)});
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let s = '';
    for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
    return JSON.stringify({ width: c.width, height: c.height, data: btoa(s) });
  })()`)) as string;
  const { width, height, data } = JSON.parse(json) as { width: number; height: number; data: string };
  return { width, height, rgba: Buffer.from(data, 'base64') };
}

/**
 * Pixels where `rgba` (a canvas's bytes) differs from `expected` (0x00RRGGBB
 * words, as DesktopPainter keeps the X screen's picture), with the first few.
 */
export function differences(rgba: Buffer, expected: Uint32Array, width: number): { count: number; first: string[] } {
  let count = 0;
  const first: string[] = [];
  const n = Math.max(expected.length, rgba.length / 4);
  for (let i = 0; i < n; i++) {
    const p = expected[i] ?? -1;
    const want = [(p >>> 16) & 255, (p >>> 8) & 255, p & 255, 255];
    const got = [rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2], rgba[i * 4 + 3]];
    if (p < 0 || got.some((v, k) => v !== want[k])) {
      count++;
      if (first.length < 5) first.push(`${i % width},${Math.floor(i / width)}: ${got.join(',')} ≠ ${want.join(',')}`);
    }
  }
  return { count, first };
}

/** 0x00RRGGBB words (DesktopPainter's picture) as R, G, B, A bytes (a canvas's). */
export function wordsToRgba(words: Uint32Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray(words.length * 4);
  words.forEach((p, i) => out.set([(p >>> 16) & 255, (p >>> 8) & 255, p & 255, 255], i * 4));
  return out;
}

/** Pixels where two RGBA pictures of the same size differ by more than `tolerance` in any of R, G, B. */
export function rgbaDifferences(a: ArrayLike<number>, b: ArrayLike<number>, tolerance = 0): number {
  if (a.length !== b.length) return Math.max(a.length, b.length) / 4;
  let count = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (Math.abs(a[i]! - b[i]!) > tolerance || Math.abs(a[i + 1]! - b[i + 1]!) > tolerance || Math.abs(a[i + 2]! - b[i + 2]!) > tolerance) count++;
  }
  return count;
}

/** Drag `name` (holding `bytes`) onto the page as a file, as a person would from a file manager: `drop()` lets go of it. */
export async function dragFile(page: Page, target: string, name: string, bytes: Buffer): Promise<{ drop: () => Promise<void> }> {
  // A DataTransfer holding the file, made in the page (the events carry it as a person's drag would).
  const dataTransfer = await page.evaluateHandle(`(() => {
    const bin = atob(${JSON.stringify(bytes.toString('base64'))});
    const data = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([data], ${JSON.stringify(name)}, { type: 'application/gzip' }));
    return dt;
  })()`);
  await page.dispatchEvent(target, 'dragenter', { dataTransfer });
  await page.dispatchEvent(target, 'dragover', { dataTransfer });
  return {
    drop: async () => {
      await page.dispatchEvent(target, 'drop', { dataTransfer });
      await dataTransfer.dispose();
    },
  };
}

/**
 * Controls on screen without a name: no visible label (a button's text, a
 * <label>) and no aria-label.
 */
export async function labelProblems(page: Page): Promise<string[]> {
  return (await page.evaluate(`[...document.querySelectorAll('input, select, textarea, button')]
    .filter((el) => el.offsetParent !== null)
    .filter((el) => (el.getAttribute('aria-label') ?? '').trim() === '')
    .filter((el) => el.tagName === 'BUTTON'
      ? el.innerText.trim() === ''
      : [...(el.labels ?? [])].map((l) => l.innerText.trim()).join('') === '')
    .map((el) => el.outerHTML.slice(0, 120))`)) as string[];
}
