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

/** The player's canvas, read back with getImageData. */
export async function canvasPicture(page: Page): Promise<CanvasPicture> {
  const json = (await page.evaluate(`(() => {
    const c = ${CANVAS};
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
