import { describe, expect, it } from 'vitest';
import { clampFrameRate, FRAME_RATE, isFrameRate } from '../../src/shared/frame-rate.js';
import { validateSettings } from '../../src/shared/settings-schema.js';

describe('the frame rate range', () => {
  it('is the one the settings schema enforces', () => {
    expect(validateSettings({ frame_rate: FRAME_RATE.min }).ok).toBe(true);
    expect(validateSettings({ frame_rate: FRAME_RATE.max }).ok).toBe(true);
    expect(validateSettings({ frame_rate: FRAME_RATE.min - 1 }).ok).toBe(false);
    expect(validateSettings({ frame_rate: FRAME_RATE.max + 1 }).ok).toBe(false);
    const defaults = validateSettings({});
    expect(defaults.ok && defaults.settings.frame_rate).toBe(FRAME_RATE.default);
  });

  it('clamps into the range, and anything not a number to the minimum', () => {
    expect([0, 1, 30, 60, 61, 1e9, -5, Number.NaN, Infinity].map(clampFrameRate)).toEqual([1, 1, 30, 60, 60, 60, 1, 1, 1]);
  });

  it('accepts only numbers in the range', () => {
    expect([1, 60, 29.97].every(isFrameRate)).toBe(true);
    expect([0, 61, Number.NaN, '30', null, undefined].some(isFrameRate)).toBe(false);
  });
});
