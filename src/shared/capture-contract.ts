/**
 * The tray app's hidden capture page and main: channel names, the request
 * main answers the page's `ready()` with, the commands it sends later, and
 * what the capture preload puts on the page's `window`. Plain data and types
 * only: the page (src/renderer/capture/) and the bundled capture preload both
 * load it.
 */

/** Name of the object the capture preload puts on `window`. */
export const CAPTURE_BRIDGE_NAME = 'trayvncCapture';

export const CAPTURE_CHANNELS = {
  /** invoke: the page is loaded; resolves to the CaptureRequest. */
  ready: 'trayvnc-capture:ready',
  /** invoke: one frame (resolves once main has taken it, which paces the page). */
  frame: 'trayvnc-capture:frame',
  /** invoke: capture failed or stopped (a message). */
  error: 'trayvnc-capture:error',
  /** main → page: a CaptureCommand. */
  command: 'trayvnc-capture:command',
} as const;

/** What to capture and how. */
export interface CaptureRequest {
  /** desktopCapturer source id ("screen:0:0"). */
  sourceId: string;
  /** Frames per second at most. */
  frameRate: number;
  /** The screen's size in device pixels (the capture's upper bound; the frames tell the real size). */
  width: number;
  height: number;
}

/**
 * 'pause': nobody is watching, stop sending frames; 'resume': send them again;
 * 'frame-rate': send at most this many frames a second from now on.
 */
export type CaptureCommand = { type: 'pause' } | { type: 'resume' } | { type: 'frame-rate'; frameRate: number };

/** A frame as the page sends it: 8-bit BGRA or RGBA rows, `stride` bytes apart. */
export interface CaptureFrameMessage {
  width: number;
  height: number;
  format: 'bgra' | 'rgba';
  stride: number;
  data: ArrayBuffer;
}

/** `window.trayvncCapture` as the page sees it. */
export interface CaptureBridge {
  ready(): Promise<CaptureRequest>;
  /** Resolves once main has taken the frame: the page sends the next one only then. */
  sendFrame(frame: CaptureFrameMessage): Promise<void>;
  reportError(message: string): Promise<void>;
  onCommand(listener: (command: CaptureCommand) => void): () => void;
}
