/**
 * Where a client's keyboard and pointer go. One implementation per backend
 * (X11 XTEST, nut-js, ...); the app layer tracks what each client holds down
 * and releases it when the client goes, so backends need not.
 */
export interface InputSink {
  readonly name: string;
  start(): Promise<void>;
  /** An RFB KeyEvent: an X11 keysym going down or up. */
  key(keysym: number, down: boolean): Promise<void>;
  /**
   * A QEMU extended key event: the key's XT scancode (as RFB carries it) and
   * keysym. Backends that cannot place physical keys fall back to the keysym.
   */
  scancode?(scancode: number, keysym: number, down: boolean): Promise<void>;
  /**
   * Pointer at (x, y) in desktop coordinates with this button mask: bit 0–2
   * left/middle/right, 3–6 wheel up/down/left/right, 7–8 back/forward
   * (ExtendedMouseButtons). The sink presses and releases what changed.
   */
  pointer(x: number, y: number, buttons: number): Promise<void>;
  stop(): Promise<void>;
}

/** Clipboard selections we mirror (X11 has both; other platforms only the clipboard). */
export type Selection = 'clipboard' | 'primary';

/** The desktop's clipboard: text only, UTF-8 in and out. */
export interface ClipboardBackend {
  readonly name: string;
  start(): Promise<void>;
  /** Called when another program on the desktop takes a selection and its text is known. */
  onChange(listener: (text: string, selection: Selection) => void): void;
  /** Own the selection(s) with this text (both when none is named). */
  write(text: string, selection?: Selection): Promise<void>;
  stop(): Promise<void>;
}

import type { CursorImage } from '../framebuffer/cursor-image.js';

export type { CursorImage };

/** Where the cursor shape (and position, for compositing) comes from. */
export interface CursorSource {
  readonly name: string;
  start(): Promise<void>;
  current(): CursorImage | null;
  onChange(listener: (cursor: CursorImage) => void): void;
  /** Pointer position in desktop coordinates, if known. */
  position(): Promise<{ x: number; y: number } | null>;
  /**
   * True when `onMotion` hears of every move of the pointer, so its position
   * need not be polled while it is still (known once started).
   */
  readonly reportsMotion?: boolean;
  /** Called whenever the pointer may have moved. */
  onMotion?(listener: () => void): void;
  stop(): Promise<void>;
}
