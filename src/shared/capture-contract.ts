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
  /** desktopCapturer source id ("screen:0:0"), for the 'desktop-source' method. */
  sourceId: string;
  /**
   * How the page opens the screen: 'desktop-source' (the default; Electron:
   * getUserMedia with the desktopCapturer id) or 'display-media'
   * (getDisplayMedia, answered by the browser: Electron's display-media
   * handler, or a browser that picks the screen itself).
   */
  method?: 'desktop-source' | 'display-media';
  /** Frames per second at most. */
  frameRate: number;
  /** The screen's size in device pixels (the capture's upper bound; the frames tell the real size). */
  width: number;
  height: number;
}

/**
 * 'pause': nobody is watching, stop sending frames; 'resume': send them again;
 * 'frame-rate': send at most this many frames a second from now on;
 * 'refresh': send the next frame whole (main dropped one, so changed pieces
 * alone would be laid on a picture it does not have).
 */
export type CaptureCommand = { type: 'pause' } | { type: 'resume' } | { type: 'refresh' } | { type: 'frame-rate'; frameRate: number };

/** Where a plane of a YUV frame starts in `data`, and its bytes per row. */
export interface CapturePlane {
  offset: number;
  stride: number;
}

/**
 * A frame as the page sends it, in the format the platform delivered where
 * the server can take it as it is:
 * - 'bgra' / 'rgba': 8-bit rows `stride` bytes apart;
 * - 'i420' / 'nv12': 4:2:0 YUV planes at `planes` (Y, U, V; NV12: Y, UV), made
 *   with the matrix and range `colorSpace` says (WebCodecs' VideoColorSpace).
 */
export interface CaptureFrameMessage {
  width: number;
  height: number;
  format: 'bgra' | 'rgba' | 'i420' | 'nv12';
  /** Bytes per row ('bgra'/'rgba'; for YUV, the Y plane's). */
  stride: number;
  planes?: CapturePlane[];
  colorSpace?: { matrix?: string | null; fullRange?: boolean | null };
  /** What the platform delivered (VideoFrame.format: 'I420', 'NV12', 'BGRA', …; 'canvas' when only a canvas could read it). */
  sourceFormat?: string;
  /** Whether the capture paints the pointer into its frames (the track's `cursor` setting is not 'never'). */
  pointer?: boolean;
  /**
   * A YUV frame's changed area only: `data` and `planes` hold the rectangle
   * `cols` × `rows` at (`left`, `top`) of the width × height frame (the rest
   * is as last sent); `left` and `top` are even.
   */
  top?: number;
  rows?: number;
  left?: number;
  cols?: number;
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
