import { describe, expect, it } from 'vitest';
import type { CaptureFidelityInfo, DesktopBackendInfo } from '../../src/shared/control-contract.js';
import { captureFacts, screenSummary } from '../../src/renderer/screen-summary.js';
import { serverState } from '../support/control-fixtures.js';

const withBackend = (backend: DesktopBackendInfo) => serverState({ address: { host: '127.0.0.1', port: 5900 }, backend });

/** What the macOS capture hands over: I420 frames at the screen's size, the pointer painted in. */
const i420: CaptureFidelityInfo = {
  pixelFormat: 'I420',
  colorConversion: 'BT.601, limited range',
  pointerInFrames: true,
  scaled: false,
  frameSize: { width: 1440, height: 900 },
  screenSize: { width: 1440, height: 900 },
  note: "Shared through the system's screen capture: colours may be slightly off.",
};

describe('screenSummary', () => {
  it('names the X display and says its pixels are exact, why in the tooltip', () => {
    expect(screenSummary(withBackend({ kind: 'x11', display: ':0', reason: 'X11 session on :0', exact: true }))).toEqual({
      text: 'X display :0 — exact pixels',
      detail: "Viewers get the screen's pixels exactly as shown. Chosen because: X11 session on :0.",
      tone: 'normal',
    });
  });

  it('says the test pattern is no desktop, as a warning when no display was found', () => {
    const plain = screenSummary(withBackend({ kind: 'synthetic', reason: 'the settings choose the synthetic source', exact: true }));
    expect(plain).toMatchObject({ text: 'The synthetic test pattern — not a desktop', tone: 'normal' });
    expect(plain?.detail).toContain('the settings choose the synthetic source');
    const warning = 'no X display found (no --display, and $DISPLAY is not set): sharing the synthetic test pattern.';
    expect(screenSummary(withBackend({ kind: 'synthetic', reason: 'no X display', warning, exact: true }))).toEqual({
      text: 'The synthetic test pattern — no display found',
      detail: warning,
      tone: 'warning',
    });
  });

  it("says the system's screen capture is not known to be exact until its first frame", () => {
    const s = screenSummary(withBackend({ kind: 'system-capture', reason: 'darwin desktop', exact: false }));
    expect(s?.tone).toBe('pending');
    expect(s?.text).toBe("The system's screen capture — whether its pixels are exact is not known yet");
    expect(s?.facts).toBeUndefined();
    expect(s?.detail).toMatch(/once the first one is in\. Chosen because: darwin desktop\.$/);
  });

  it("warns that the system's capture loses colour, with how its frames arrive in the small print", () => {
    expect(screenSummary(withBackend({ kind: 'system-capture', reason: 'Wayland session', exact: false, capture: i420 }))).toEqual({
      text: "The system's screen capture — colours may be slightly off",
      facts: 'I420, BT.601, limited range; the pointer is painted into the picture',
      detail: "Shared through the system's screen capture: colours may be slightly off. Chosen because: Wayland session.",
      tone: 'warning',
    });
  });

  it('names what is lost first: colour, then scaling, then the pointer', () => {
    const rgb = { ...i420, pixelFormat: 'BGRA', colorConversion: undefined, note: 'lossy' };
    const scaled = { ...rgb, scaled: true, frameSize: { width: 1440, height: 900 }, screenSize: { width: 2880, height: 1800 } };
    expect(screenSummary(withBackend({ kind: 'system-capture', reason: 'r', exact: false, capture: scaled }))?.text).toBe("The system's screen capture — scaled to 1440×900");
    expect(screenSummary(withBackend({ kind: 'system-capture', reason: 'r', exact: false, capture: rgb }))?.text).toBe(
      "The system's screen capture — the pointer is painted into the picture",
    );
    expect(captureFacts(scaled)).toEqual(['BGRA', 'the pointer is painted into the picture', 'scaled from 2880×1800 to 1440×900']);
  });

  it("calls the system's capture exact when its frames are", () => {
    const exact: CaptureFidelityInfo = { pixelFormat: 'BGRA', pointerInFrames: false, scaled: false, frameSize: { width: 800, height: 600 }, screenSize: { width: 800, height: 600 } };
    expect(screenSummary(withBackend({ kind: 'system-capture', reason: 'win32 desktop', exact: true, capture: exact }))).toMatchObject({
      text: "The system's screen capture — exact pixels",
      facts: 'BGRA',
      tone: 'normal',
    });
  });

  it('says nothing while not sharing, or when the server did not say', () => {
    const x11: DesktopBackendInfo = { kind: 'x11', display: ':0', reason: 'r', exact: true };
    expect(screenSummary({ ...withBackend(x11), running: false })).toBeNull();
    expect(screenSummary(serverState())).toBeNull();
    expect(screenSummary(null)).toBeNull();
  });
});
