import { describe, expect, it } from 'vitest';
import { CaptureRate, PAUSED_RATE, STILL_RATE } from '../../../src/renderer/capture/capture-rate.js';

describe('CaptureRate', () => {
  function make(frameRate = 60) {
    const applied: number[] = [];
    const rate = new CaptureRate(frameRate, (fps) => applied.push(fps), 0, 2000);
    return { rate, applied };
  }

  it('slows the capture once the screen has been still for a while, and speeds it up at the first change', () => {
    const { rate, applied } = make();
    rate.frame(false, 500);
    rate.frame(true, 1000);
    rate.frame(false, 2900); // still for 1.9 s: not yet
    expect(applied).toEqual([]);
    rate.frame(false, 3000);
    expect(rate.mode).toBe('still');
    expect(applied).toEqual([STILL_RATE]);
    rate.frame(false, 9000);
    expect(applied).toEqual([STILL_RATE]);
    rate.frame(true, 9100);
    expect(rate.mode).toBe('active');
    expect(applied).toEqual([STILL_RATE, 60]);
  });

  it('runs at the paused rate while nobody watches, and at full rate at once on resume', () => {
    const { rate, applied } = make(30);
    rate.pause();
    rate.frame(true, 100); // frames looked at while paused change nothing
    expect(applied).toEqual([PAUSED_RATE]);
    rate.resume(5000);
    expect(applied).toEqual([PAUSED_RATE, 30]);
    rate.frame(false, 6000);
    expect(rate.mode).toBe('active');
  });

  it('takes a new frame rate now when active, and after the next change when still', () => {
    const { rate, applied } = make(60);
    rate.setFrameRate(20);
    expect(applied).toEqual([20]);
    rate.frame(false, 5000);
    expect(applied).toEqual([20, STILL_RATE]);
    rate.setFrameRate(45);
    expect(applied).toEqual([20, STILL_RATE]);
    rate.frame(true, 5100);
    expect(applied).toEqual([20, STILL_RATE, 45]);
  });

  it('never goes above the frame rate asked for, even when still', () => {
    const { rate, applied } = make(5);
    rate.frame(false, 3000);
    expect(applied).toEqual([]);
    expect(rate.current).toBe(5);
  });
});
