/**
 * The control API's account of the shared desktop: which backend shares it,
 * why, and what its pixels lose against the screen (the system capture's
 * video frames). Plain types only; re-exported from control-contract.ts.
 */

/**
 * Which desktop is shared, and why (chosen at start from the settings, the
 * platform and the session).
 */
export interface DesktopBackendInfo {
  /** 'x11': an X display; 'synthetic': the built-in test pattern; 'system-capture': the system's own screen capture (the tray app). */
  kind: 'x11' | 'synthetic' | 'system-capture';
  /** The X display, for 'x11'. */
  display?: string;
  /** Why, in a few words ("no X display", "X11 session on :0"). */
  reason: string;
  /** Something the user should know about this choice: e.g. no display was found, so the test pattern is shared. */
  warning?: string;
  /**
   * Whether viewers get the screen's pixels exactly as shown: always for X11
   * and the test pattern; for the system capture only when the platform hands
   * over RGB frames at the screen's size without the pointer painted in.
   */
  exact: boolean;
  /** How the system capture delivers its frames, once the first one is in ('system-capture' only). */
  capture?: CaptureFidelityInfo;
}

/** What the system's screen capture gives, as far as it costs fidelity. */
export interface CaptureFidelityInfo {
  /** The frames' pixel format as the platform delivers them: 'I420', 'NV12', 'BGRA', 'RGBA', … */
  pixelFormat: string;
  /** For YUV frames, the conversion back to RGB ("BT.601, limited range"); absent for RGB frames. */
  colorConversion?: string;
  /** Whether the platform paints the pointer into the frames (viewers then see it in the picture, and get no cursor of their own). */
  pointerInFrames: boolean;
  /** Whether the frames are scaled from the screen's own size. */
  scaled: boolean;
  /** The frames' size, and the screen's. */
  frameSize: { width: number; height: number };
  screenSize: { width: number; height: number };
  /** What the user should know, in a sentence ("Shared through the system's screen capture: colours may be slightly off."); absent when exact. */
  note?: string;
}
