import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/main/app/config.js';
import {
  chooseDesktopBackend,
  isWaylandSession,
  NO_DISPLAY_WARNING,
  type BackendChoice,
  type BackendChoiceInput,
} from '../../../src/main/desktop/backend-choice.js';
import { screenSourceFor } from '../../../src/main/desktop/index.js';

const none = parseConfig({});
const synthetic = parseConfig({ source: 'synthetic' });
const x11 = parseConfig({ source: 'x11' });
const display5 = parseConfig({ display: ':5' });

/** The tray app's view (it has the system's screen capture). */
const tray = (settings: BackendChoiceInput['settings'], platform: NodeJS.Platform, env: NodeJS.ProcessEnv) =>
  chooseDesktopBackend({ settings, platform, env, systemCapture: true });

describe('chooseDesktopBackend in the tray app', () => {
  it('uses X11 on an X11 Linux session', () => {
    expect(tray(none, 'linux', { DISPLAY: ':0', XDG_SESSION_TYPE: 'x11' })).toEqual({ backend: 'x11', display: ':0', reason: 'X11 session on :0', explicit: false });
    expect(tray(none, 'linux', { DISPLAY: ':1' }).backend).toBe('x11');
  });

  it('never takes a Wayland session for X11, even with XWayland on $DISPLAY', () => {
    expect(tray(none, 'linux', { DISPLAY: ':0', XDG_SESSION_TYPE: 'wayland' })).toEqual({ backend: 'system-capture', reason: 'Wayland session', explicit: false });
    expect(tray(none, 'linux', { DISPLAY: ':0', WAYLAND_DISPLAY: 'wayland-0' }).backend).toBe('system-capture');
    expect(isWaylandSession({ WAYLAND_DISPLAY: 'wayland-0' })).toBe(true);
    expect(isWaylandSession({ XDG_SESSION_TYPE: 'x11' })).toBe(false);
  });

  it("uses the system's screen capture with no display, and on macOS and Windows", () => {
    expect(tray(none, 'linux', {})).toEqual({ backend: 'system-capture', reason: 'no X display', explicit: false });
    expect(tray(none, 'darwin', { DISPLAY: ':0' })).toEqual({ backend: 'system-capture', reason: 'darwin desktop', explicit: false });
    expect(tray(none, 'win32', {}).backend).toBe('system-capture');
  });

  it('follows the settings when they name a source or a display', () => {
    expect(tray(synthetic, 'darwin', {})).toEqual({ backend: 'synthetic', reason: 'the settings choose the synthetic source', explicit: true });
    expect(tray(display5, 'linux', { WAYLAND_DISPLAY: 'w' })).toEqual({ backend: 'x11', display: ':5', reason: 'the settings choose X display :5', explicit: true });
  });

  it('takes the system capture when the settings name it, even in an X11 session', () => {
    const system = parseConfig({ source: 'system-capture' });
    const chosen = { backend: 'system-capture', reason: "the settings choose the system's screen capture", explicit: true };
    expect(tray(system, 'linux', { DISPLAY: ':0', XDG_SESSION_TYPE: 'x11' })).toEqual(chosen);
    // The command line has no system capture: it gets the same choice, and screenSourceFor refuses it saying why.
    expect(chooseDesktopBackend({ settings: system, platform: 'linux', env: { DISPLAY: ':0' }, systemCapture: false })).toEqual(chosen);
    expect(() => screenSourceFor(chooseDesktopBackend({ settings: system, platform: 'linux', env: {}, systemCapture: false }), {})).toThrow(/only in the tray app/);
  });
});

describe('chooseDesktopBackend: platform × environment × settings', () => {
  const cases: Array<{ row: string; input: BackendChoiceInput; choice: BackendChoice }> = [
    // The command line: no system capture.
    {
      row: 'cli, linux, $DISPLAY',
      input: { settings: none, platform: 'linux', env: { DISPLAY: ':0' }, systemCapture: false },
      choice: { backend: 'x11', display: ':0', reason: 'X display :0 from $DISPLAY', explicit: false },
    },
    {
      row: 'cli, linux, Wayland with XWayland on $DISPLAY (kept, as the command line always has)',
      input: { settings: none, platform: 'linux', env: { DISPLAY: ':0', WAYLAND_DISPLAY: 'wayland-0' }, systemCapture: false },
      choice: { backend: 'x11', display: ':0', reason: 'X display :0 from $DISPLAY', explicit: false },
    },
    {
      row: 'cli, linux, no display: the test pattern, loudly',
      input: { settings: none, platform: 'linux', env: {}, systemCapture: false },
      choice: { backend: 'synthetic', reason: 'no X display', explicit: false, warning: NO_DISPLAY_WARNING },
    },
    {
      row: 'cli, linux, an empty $DISPLAY counts as none',
      input: { settings: none, platform: 'linux', env: { DISPLAY: '' }, systemCapture: false },
      choice: { backend: 'synthetic', reason: 'no X display', explicit: false, warning: NO_DISPLAY_WARNING },
    },
    {
      row: 'cli, macOS, no display',
      input: { settings: none, platform: 'darwin', env: {}, systemCapture: false },
      choice: { backend: 'synthetic', reason: 'no X display, and the darwin desktop can be shared only from the tray app', explicit: false, warning: NO_DISPLAY_WARNING },
    },
    {
      row: 'cli, macOS, XQuartz on $DISPLAY',
      input: { settings: none, platform: 'darwin', env: { DISPLAY: ':0' }, systemCapture: false },
      choice: { backend: 'x11', display: ':0', reason: 'X display :0 from $DISPLAY', explicit: false },
    },
    {
      row: 'cli, --source synthetic: chosen on purpose, no warning',
      input: { settings: synthetic, platform: 'linux', env: {}, systemCapture: false },
      choice: { backend: 'synthetic', reason: 'the settings choose the synthetic source', explicit: true },
    },
    {
      row: 'cli, --source synthetic beats $DISPLAY and --display',
      input: { settings: parseConfig({ source: 'synthetic', display: ':3' }), platform: 'linux', env: { DISPLAY: ':0' }, systemCapture: false },
      choice: { backend: 'synthetic', reason: 'the settings choose the synthetic source', explicit: true },
    },
    {
      row: 'cli, --display beats $DISPLAY',
      input: { settings: display5, platform: 'linux', env: { DISPLAY: ':0' }, systemCapture: false },
      choice: { backend: 'x11', display: ':5', reason: 'the settings choose X display :5', explicit: true },
    },
    {
      row: 'cli, --source x11 takes $DISPLAY',
      input: { settings: x11, platform: 'linux', env: { DISPLAY: ':2' }, systemCapture: false },
      choice: { backend: 'x11', display: ':2', reason: 'the settings choose the x11 source, on $DISPLAY :2', explicit: true },
    },
    {
      row: 'cli, --source x11 with no display: x11 all the same (building it says what is missing)',
      input: { settings: x11, platform: 'linux', env: {}, systemCapture: false },
      choice: { backend: 'x11', reason: 'the settings choose the x11 source, but no display is given', explicit: true },
    },
    // The tray app: the system's screen capture where X11 does not show the desktop.
    {
      row: 'tray, FreeBSD X11 session',
      input: { settings: none, platform: 'freebsd', env: { DISPLAY: ':0' }, systemCapture: true },
      choice: { backend: 'x11', display: ':0', reason: 'X11 session on :0', explicit: false },
    },
    {
      row: 'tray, Wayland by XDG_SESSION_TYPE',
      input: { settings: none, platform: 'linux', env: { DISPLAY: ':0', XDG_SESSION_TYPE: 'wayland' }, systemCapture: true },
      choice: { backend: 'system-capture', reason: 'Wayland session', explicit: false },
    },
    {
      row: 'tray, Windows',
      input: { settings: none, platform: 'win32', env: {}, systemCapture: true },
      choice: { backend: 'system-capture', reason: 'win32 desktop', explicit: false },
    },
    {
      row: 'tray, --source x11 on Wayland is followed, not second-guessed',
      input: { settings: x11, platform: 'linux', env: { DISPLAY: ':0', WAYLAND_DISPLAY: 'w' }, systemCapture: true },
      choice: { backend: 'x11', display: ':0', reason: 'the settings choose the x11 source, on $DISPLAY :0', explicit: true },
    },
    {
      row: 'tray, a display setting on macOS',
      input: { settings: display5, platform: 'darwin', env: {}, systemCapture: true },
      choice: { backend: 'x11', display: ':5', reason: 'the settings choose X display :5', explicit: true },
    },
  ];

  it.each(cases)('$row', ({ input, choice }) => {
    expect(chooseDesktopBackend(input)).toEqual(choice);
  });

  it('warns only when it falls back to the test pattern, and the warning says how to choose', () => {
    const warned = cases.filter((c) => c.choice.warning !== undefined);
    expect(warned.map((c) => c.choice.backend)).toEqual(warned.map(() => 'synthetic'));
    expect(warned.every((c) => !c.input.systemCapture && !c.choice.explicit)).toBe(true);
    expect(NO_DISPLAY_WARNING).toContain('synthetic test pattern');
    expect(NO_DISPLAY_WARNING).toContain('--display :N');
    expect(NO_DISPLAY_WARNING).toContain('--source synthetic');
  });
});

describe('screenSourceFor', () => {
  it('builds the source a choice names, and refuses what only the tray app has', () => {
    expect(screenSourceFor({ backend: 'synthetic', reason: 'test', explicit: true }, { width: 64, height: 48 }).width).toBe(64);
    expect(screenSourceFor({ backend: 'x11', display: ':9', reason: 'test', explicit: true }).name).toBe('x11');
    expect(() => screenSourceFor({ backend: 'x11', reason: 'test', explicit: true })).toThrow('the x11 screen source needs a display');
    expect(() => screenSourceFor({ backend: 'system-capture', reason: 'Wayland session', explicit: false })).toThrow(/only in the tray app/);
  });
});
