// Types for bench/capture-page.mjs, for the tests that run the capture page.
import type { CapturePage } from '../src/main/electron/capture/capture-source.js';

export interface ChromiumCapturePage extends CapturePage {
  /** The browser's process id (its renderer, GPU and utility processes are its children); null before open(). */
  readonly pid: number | null;
  /** Resolves once the browser has exited (after close()). */
  whenClosed(): Promise<void>;
}

export function chromiumCapturePage(options: {
  display: string;
  /** The project's built dist/ folder. */
  distDir: string;
  /** CAPTURE_CHANNELS. */
  channels: { ready: string; frame: string; error: string; command: string };
  /** Where Chromium's window goes (keep it out of the area compared). */
  window?: { x: number; y: number; w: number; h: number };
  chromiumPath?: string;
  log?: (line: string) => void;
}): ChromiumCapturePage;
