import type { Logger } from 'pino';

/**
 * nut-js as this backend uses it: the slice of its API called (structurally,
 * so its types are not needed and the app builds and runs without it),
 * loading it with its delays set to 0, and binding the calls.
 */

export const NUTJS_PACKAGE = '@nut-tree-fork/nut-js';

export type ScrollMethod = 'scrollUp' | 'scrollDown' | 'scrollLeft' | 'scrollRight';

interface NutPoint {
  x: number;
  y: number;
}

/** Key calls nut-js's keyboard and its provider both have. */
interface NutKeyPresses {
  pressKey(...keys: number[]): Promise<unknown>;
  releaseKey(...keys: number[]): Promise<unknown>;
}

/** Button and wheel calls nut-js's mouse and its provider both have. */
interface NutButtonsAndWheel extends Record<ScrollMethod, (amount: number) => Promise<unknown>> {
  pressButton(button: number): Promise<unknown>;
  releaseButton(button: number): Promise<unknown>;
}

interface NutKeyboard extends NutKeyPresses {
  config: { autoDelayMs: number };
  type(...input: string[]): Promise<unknown>;
}

interface NutMouse extends NutButtonsAndWheel {
  config: { autoDelayMs: number; mouseSpeed: number };
  setPosition(target: NutPoint): Promise<unknown>;
}

export interface NutApi {
  keyboard: NutKeyboard;
  mouse: NutMouse;
  Key: Record<string, number | string>;
  Button: Record<string, number | string>;
  Point: new (x: number, y: number) => NutPoint;
  providerRegistry?: {
    hasKeyboard?(): boolean;
    hasMouse?(): boolean;
    getKeyboard?(): Partial<NutKeyboardProvider>;
    getMouse?(): Partial<NutMouseProvider>;
  };
}

/** nut-js's provider layer (libnut by default): what keyboard/mouse call after their auto-delay sleep. */
interface NutKeyboardProvider extends NutKeyPresses {
  setKeyboardDelay(ms: number): void;
  type(input: string): Promise<unknown>;
}

interface NutMouseProvider extends NutButtonsAndWheel {
  setMouseDelay(ms: number): void;
  setMousePosition(p: NutPoint): Promise<unknown>;
}

/** The calls this backend makes, bound to the provider layer or to nut-js's keyboard/mouse. */
export interface Driver {
  via: 'provider' | 'nut-js';
  pressKey(key: number): Promise<unknown>;
  releaseKey(key: number): Promise<unknown>;
  type(text: string): Promise<unknown>;
  setPosition(x: number, y: number): Promise<unknown>;
  pressButton(button: number): Promise<unknown>;
  releaseButton(button: number): Promise<unknown>;
  scroll(method: ScrollMethod): Promise<unknown>;
}

function hasMethods<T>(o: unknown, names: ReadonlyArray<keyof T>): o is T {
  return !!o && typeof o === 'object' && names.every((n) => typeof (o as Record<PropertyKey, unknown>)[n] === 'function');
}

const KEYBOARD_PROVIDER_METHODS = ['pressKey', 'releaseKey', 'type'] as const;
const MOUSE_PROVIDER_METHODS = ['setMousePosition', 'pressButton', 'releaseButton', 'scrollUp', 'scrollDown', 'scrollLeft', 'scrollRight'] as const;

/**
 * Bind the calls. nut-js's keyboard and mouse await sleep(autoDelayMs) before
 * each key, button and wheel action: a setTimeout even at 0 ms, about 1 ms
 * per event. Their providers (registered in nut-js's providerRegistry, libnut
 * unless replaced) take the same Key, Button and Point values without it, so
 * they are used when registered; otherwise the keyboard/mouse API is.
 */
export function makeDriver(nut: NutApi): Driver {
  const reg = nut.providerRegistry;
  let kb: unknown = null;
  let ms: unknown = null;
  try {
    if (reg?.hasKeyboard?.() !== false) kb = reg?.getKeyboard?.();
    if (reg?.hasMouse?.() !== false) ms = reg?.getMouse?.();
  } catch {
    /* no provider registered: the keyboard/mouse API it is */
  }
  if (hasMethods<NutKeyboardProvider>(kb, KEYBOARD_PROVIDER_METHODS) && hasMethods<NutMouseProvider>(ms, MOUSE_PROVIDER_METHODS)) {
    const k = kb;
    const m = ms;
    return {
      via: 'provider',
      pressKey: (key) => k.pressKey(key),
      releaseKey: (key) => k.releaseKey(key),
      type: (text) => k.type(text),
      setPosition: (x, y) => m.setMousePosition(new nut.Point(x, y)),
      pressButton: (b) => m.pressButton(b),
      releaseButton: (b) => m.releaseButton(b),
      scroll: (method) => m[method](1),
    };
  }
  const { keyboard, mouse } = nut;
  return {
    via: 'nut-js',
    pressKey: (key) => keyboard.pressKey(key),
    releaseKey: (key) => keyboard.releaseKey(key),
    type: (text) => keyboard.type(text),
    setPosition: (x, y) => mouse.setPosition(new nut.Point(x, y)),
    pressButton: (b) => mouse.pressButton(b),
    releaseButton: (b) => mouse.releaseButton(b),
    scroll: (method) => mouse[method](1),
  };
}

function isNutApi(m: unknown): m is NutApi {
  if (!m || typeof m !== 'object') return false;
  const o = m as Record<string, unknown>;
  const kb = o['keyboard'] as Record<string, unknown> | undefined;
  const mouse = o['mouse'] as Record<string, unknown> | undefined;
  return (
    typeof kb?.['pressKey'] === 'function' &&
    typeof kb['releaseKey'] === 'function' &&
    typeof kb['type'] === 'function' &&
    typeof mouse?.['setPosition'] === 'function' &&
    typeof mouse['pressButton'] === 'function' &&
    typeof o['Key'] === 'object' &&
    typeof o['Button'] === 'object' &&
    typeof o['Point'] === 'function'
  );
}

/**
 * Import `moduleId` and check it has the nut-js keyboard/mouse API. nut-js
 * waits 300 ms (keyboard) / 100 ms (mouse) around every action by default:
 * those delays, and libnut's own, are set to 0 here.
 */
export async function loadNutJs(moduleId: string, log: Logger): Promise<NutApi> {
  let loaded: unknown;
  try {
    loaded = await import(moduleId);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `nut-js input is not available: cannot load ${moduleId} (${why}). ` +
        `Install the optional dependency (npm install ${NUTJS_PACKAGE}); on Linux it also needs libXtst (Debian: libxtst6).`,
      { cause: err },
    );
  }
  // a CommonJS package: named exports, or everything under default
  const mod = isNutApi(loaded) ? loaded : (loaded as { default?: unknown } | null)?.default;
  if (!isNutApi(mod)) throw new Error(`nut-js input is not available: ${moduleId} does not have the nut-js keyboard/mouse API`);
  const { keyboard, mouse, providerRegistry } = mod;
  // nut-js sleeps autoDelayMs before every action (300 ms keyboard, 100 ms mouse by default)
  keyboard.config.autoDelayMs = 0;
  mouse.config.autoDelayMs = 0;
  mouse.config.mouseSpeed = Number.MAX_SAFE_INTEGER; // only animated moves use it; we set positions
  // ...and its keyboard hands libnut its 300 ms as the native delay after every key event
  try {
    if (providerRegistry?.hasKeyboard?.() !== false) providerRegistry?.getKeyboard?.()?.setKeyboardDelay?.(0);
    if (providerRegistry?.hasMouse?.() !== false) providerRegistry?.getMouse?.()?.setMouseDelay?.(0);
  } catch (err) {
    log.debug({ err }, 'could not set the native input delays');
  }
  return mod;
}
