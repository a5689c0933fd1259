import { describe, expect, it } from 'vitest';
import { NO_SYSTEM_CAPTURE, sourceNote, sourceOptions, systemCaptureAvailable } from '../../src/renderer/settings/source-choice.js';
import { serverState } from '../support/control-fixtures.js';

describe('the screen source choice', () => {
  it('offers Automatic first, and the system capture only where the server can take it', () => {
    expect(sourceOptions(true).map((o) => [o.value, o.label, o.disabled])).toEqual([
      ['', 'Automatic (recommended)', false],
      ['x11', 'X11 display', false],
      ['system-capture', 'System screen capture', false],
      ['synthetic', 'Test pattern', false],
    ]);
    expect(sourceOptions(null).find((o) => o.value === 'system-capture')).toMatchObject({ disabled: false });
    expect(sourceOptions(false).find((o) => o.value === 'system-capture')).toEqual({ value: 'system-capture', label: 'System screen capture (tray app only)', disabled: true });
  });

  it("knows whether the system's capture is there from the state, the tray window, or the capture being shared", () => {
    const x11 = serverState({ backend: { kind: 'x11', display: ':0', reason: 'r', exact: true } });
    expect(systemCaptureAvailable({ ...x11, systemCapture: false }, true)).toBe(false);
    expect(systemCaptureAvailable({ ...x11, systemCapture: true }, false)).toBe(true);
    expect(systemCaptureAvailable(x11, true)).toBe(true);
    expect(systemCaptureAvailable(serverState({ backend: { kind: 'system-capture', reason: 'r', exact: false } }), false)).toBe(true);
    expect(systemCaptureAvailable(x11, false)).toBeNull();
    expect(systemCaptureAvailable(null, false)).toBeNull();
  });

  it('says what the chosen source shares, and warns where the system capture may not start', () => {
    expect(sourceNote('', null, ':1')).toBe('Shares X display :1 (the X display setting).');
    expect(sourceNote('', null, undefined)).toMatch(/^Shares the X11 session where there is one; otherwise the system's screen capture in the tray app/);
    expect(sourceNote('x11', null, undefined)).toBe('Shares the X display in $DISPLAY; without one, sharing does not start.');
    expect(sourceNote('system-capture', true, undefined)).toBeNull();
    expect(sourceNote('system-capture', null, undefined)).toMatch(/^Only in the tray app/);
    expect(sourceNote('system-capture', false, undefined)).toBe(`The system's screen capture ${NO_SYSTEM_CAPTURE}.`);
    expect(sourceNote('synthetic', true, ':0')).toMatch(/test pattern, not this desktop/);
    expect(sourceNote('wayland-portal', true, undefined)).toBeNull();
  });
});
