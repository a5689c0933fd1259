import type { ServerState } from '../../shared/control-contract.js';

/**
 * The Settings page's screen source choice: what each choice is called, what
 * tells them apart, and whether the server in front of the page can take the
 * system's screen capture at all (the command line cannot: it would refuse to
 * start with it).
 */

/** The form's values for the `source` setting; '' is Automatic (the setting unset). */
export const SOURCE_VALUES = ['', 'x11', 'system-capture', 'synthetic'] as const;
export type SourceValue = (typeof SOURCE_VALUES)[number];

const LABELS: Record<SourceValue, string> = {
  '': 'Automatic (recommended)',
  x11: 'X11 display',
  'system-capture': 'System screen capture',
  synthetic: 'Test pattern',
};

/** The difference between the choices, beside the control. */
export const SOURCE_HINT =
  'X11 gives exact pixels and is the fastest: Automatic takes it wherever an X11 session is. ' +
  "The system's screen capture works on macOS, Windows and Wayland, but delivers video frames: colours may be slightly off, " +
  'the pointer may be painted into the picture, and it costs more CPU. Only the tray app has it.';

/** The message when the system's screen capture is chosen on a server that cannot start with it. */
export const NO_SYSTEM_CAPTURE = "cannot be the system's screen capture here: only the tray app has it, and this server would not start with it";

/**
 * Whether the server can take the system's screen capture: as its state says;
 * else yes in the tray app's own window or while the capture is shared; null
 * when that is not known (then the choice stays open, with its hint).
 */
export function systemCaptureAvailable(state: ServerState | null, inTrayWindow: boolean): boolean | null {
  if (state?.systemCapture !== undefined) return state.systemCapture;
  if (inTrayWindow || state?.backend?.kind === 'system-capture') return true;
  return null;
}

export interface SourceOption {
  value: SourceValue;
  label: string;
  disabled: boolean;
}

/** The choices, in the order shown; the system's screen capture is offered only where it can work. */
export function sourceOptions(systemCapture: boolean | null): SourceOption[] {
  return SOURCE_VALUES.map((value) => {
    const unavailable = value === 'system-capture' && systemCapture === false;
    return { value, label: unavailable ? `${LABELS[value]} (tray app only)` : LABELS[value], disabled: unavailable };
  });
}

/** The value the form shows for a loaded setting (unset is Automatic; a value the form does not know is kept as it is). */
export function sourceFormValue(source: string | undefined): string {
  return source ?? '';
}

/**
 * A line under the control about the chosen source, where one is needed:
 * what Automatic picks, what the test pattern means, and the system's screen
 * capture where it may not be available.
 */
export function sourceNote(value: string, systemCapture: boolean | null, display: string | undefined): string | null {
  switch (value) {
    case '':
      return display
        ? `Shares X display ${display} (the X display setting).`
        : "Shares the X11 session where there is one; otherwise the system's screen capture in the tray app, or the test pattern from the command line.";
    case 'x11':
      return display ? `Shares X display ${display}.` : 'Shares the X display in $DISPLAY; without one, sharing does not start.';
    case 'system-capture':
      if (systemCapture === false) return `The system's screen capture ${NO_SYSTEM_CAPTURE}.`;
      if (systemCapture === null) return 'Only in the tray app: a server started from the command line does not start with it.';
      return null;
    case 'synthetic':
      return 'Viewers see a moving test pattern, not this desktop: for trying viewers out.';
    default:
      return null;
  }
}
