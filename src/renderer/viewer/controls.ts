/// <reference path="../../types/novnc-rfb.d.ts" />
import type RFB from '@novnc/novnc';
import { element } from './dom.js';
import { MENU_KEYS } from './keysyms.js';

export type Scaling = 'fit' | 'native' | 'remote';
const SCALINGS: readonly Scaling[] = ['fit', 'native', 'remote'];
const SCALING_KEY = 'trayvnc.viewer.scaling';

/** The choices on the toolbar that every new connection takes on. */
export interface ViewerSettings {
  scaling: Scaling;
  viewOnly: boolean;
}

/** Put the toolbar's choices on an RFB (a new connection, or a change). */
export function applySettings(rfb: RFB, s: ViewerSettings): void {
  rfb.clipViewport = false;
  rfb.scaleViewport = s.scaling === 'fit';
  rfb.resizeSession = s.scaling === 'remote';
  rfb.viewOnly = s.viewOnly;
}

function savedScaling(): Scaling {
  try {
    const v = localStorage.getItem(SCALING_KEY);
    return SCALINGS.find((s) => s === v) ?? 'fit';
  } catch {
    return 'fit'; // storage refused (private mode, a policy): the default then
  }
}

function saveScaling(s: Scaling): void {
  try {
    localStorage.setItem(SCALING_KEY, s);
  } catch {
    /* not kept: it is only a preference */
  }
}

/**
 * The toolbar and the clipboard panel: scaling, view only, special keys, the
 * clipboard, full screen. `current()` is the live connection's RFB, if any;
 * buttons that send something are disabled while there is none or it is
 * view only.
 */
export class Controls {
  readonly settings: ViewerSettings = { scaling: savedScaling(), viewOnly: false };
  private connected = false;
  private readonly sending: HTMLButtonElement[] = [];

  constructor(private readonly current: () => RFB | null) {
    const scaling = element('scaling', HTMLSelectElement);
    scaling.value = this.settings.scaling;
    scaling.addEventListener('change', () => {
      this.settings.scaling = SCALINGS.find((s) => s === scaling.value) ?? 'fit';
      saveScaling(this.settings.scaling);
      this.apply();
    });

    const viewOnly = element('view-only', HTMLButtonElement);
    viewOnly.addEventListener('click', () => {
      this.settings.viewOnly = !this.settings.viewOnly;
      viewOnly.setAttribute('aria-pressed', String(this.settings.viewOnly));
      this.apply();
    });

    this.setUpKeys();
    this.setUpClipboard();
    this.setUpFullscreen();
    this.refresh();
  }

  /** The connection came up or went away. */
  setConnected(connected: boolean): void {
    this.connected = connected;
    this.refresh();
  }

  /** Text the remote desktop copied. */
  showClipboard(text: string): void {
    element('clipboard-text', HTMLTextAreaElement).value = text;
  }

  private apply(): void {
    const rfb = this.current();
    if (rfb) applySettings(rfb, this.settings);
    this.refresh();
  }

  private refresh(): void {
    const off = !this.connected || this.settings.viewOnly;
    for (const b of this.sending) b.disabled = off;
  }

  /** Ctrl+Alt+Del, Esc, Tab and F1–F12 in the Keys menu; the menu closes and the desktop gets the focus back. */
  private setUpKeys(): void {
    const toggle = element('keys', HTMLButtonElement);
    const panel = element('keys-panel', HTMLDivElement);
    const ctrlAltDel = element('ctrl-alt-del', HTMLButtonElement);
    const show = (open: boolean): void => {
      panel.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
    };
    const done = (): void => {
      show(false);
      this.current()?.focus({ preventScroll: true });
    };
    toggle.addEventListener('click', () => show(panel.hidden));
    ctrlAltDel.addEventListener('click', () => {
      this.current()?.sendCtrlAltDel();
      done();
    });
    this.sending.push(ctrlAltDel);
    for (const key of MENU_KEYS) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'button';
      b.textContent = key.label;
      b.addEventListener('click', () => {
        this.current()?.sendKey(key.keysym, key.code);
        done();
      });
      panel.append(b);
      this.sending.push(b);
    }
    // A click elsewhere, or Escape in the menu, closes it, as menus do.
    document.addEventListener('click', (e) => {
      if (!panel.hidden && e.target instanceof Node && !toggle.contains(e.target) && !panel.contains(e.target)) show(false);
    });
    panel.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      show(false);
      toggle.focus();
    });
  }

  private setUpClipboard(): void {
    const toggle = element('clipboard-toggle', HTMLButtonElement);
    const panel = element('clipboard-panel', HTMLElement);
    const text = element('clipboard-text', HTMLTextAreaElement);
    const send = element('clipboard-send', HTMLButtonElement);
    toggle.addEventListener('click', () => {
      panel.hidden = !panel.hidden;
      toggle.setAttribute('aria-expanded', String(!panel.hidden));
      if (!panel.hidden) text.focus();
    });
    send.addEventListener('click', () => this.current()?.clipboardPasteFrom(text.value));
    this.sending.push(send);
  }

  private setUpFullscreen(): void {
    const button = element('fullscreen', HTMLButtonElement);
    // iPhones offer full screen to videos only.
    if (!document.fullscreenEnabled) {
      button.hidden = true;
      return;
    }
    button.addEventListener('click', () => {
      const done = document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen();
      done.catch(() => undefined); // refused (no user gesture, a policy): the button simply stays as it is
    });
    document.addEventListener('fullscreenchange', () => button.setAttribute('aria-pressed', String(document.fullscreenElement !== null)));
  }
}
