import type { RecordingTimelineEvent } from '../../shared/recording-contract.js';
import { keysymToCodepoint } from '../desktop/keysym-unicode.js';
import type { RecordingEvent } from '../recording/format.js';

/** Keys typed within this long of each other by one viewer go on one timeline line. */
const TYPING_GAP_MS = 2000;

/** Key names shown in angle brackets, as guaclog does ("<Enter>"); others by their character. */
const KEY_NAMES = new Map<number, string>([
  [0xff0d, 'Enter'],
  [0xff08, 'BackSpace'],
  [0xff09, 'Tab'],
  [0xff1b, 'Esc'],
  [0xffff, 'Delete'],
  [0xff51, 'Left'],
  [0xff52, 'Up'],
  [0xff53, 'Right'],
  [0xff54, 'Down'],
  [0xffe3, 'Ctrl'],
  [0xffe4, 'Ctrl'],
  [0xffe9, 'Alt'],
  [0xffea, 'Alt'],
  [0xffeb, 'Super'],
  [0xffec, 'Super'],
]);
/** Shift keys: what they do shows in the characters typed. */
const SILENT_KEYS = new Set([0xffe1, 0xffe2]);

/**
 * What a recording's events look like on the player's timeline and seek bar:
 * the moments worth a line (viewers coming and going, control, clipboard,
 * resizes, typed text grouped into lines), and activity per second (changes
 * and input) for the heat-map.
 */
export class TimelineBuilder {
  readonly timeline: RecordingTimelineEvent[] = [];
  readonly activity: number[] = [];
  private readonly addresses = new Map<string, string>();
  private typing: { client: string; text: string; t: number; last: number } | null = null;

  /** An update at `t` ms (counts as activity). */
  update(t: number): void {
    this.count(t);
  }

  event(t: number, e: RecordingEvent): void {
    if (e.kind === 'key') {
      this.count(t);
      if (e.down) this.key(t, e.client, e.keysym);
      return;
    }
    if (e.kind === 'pointer') {
      this.count(t);
      return;
    }
    const who = (client?: string) => (client ? (this.addresses.get(client) ?? client) : 'the desktop');
    switch (e.kind) {
      case 'connect':
        this.addresses.set(e.client, e.address);
        this.add(t, 'connect', `${e.address} joined${e.viewOnly ? ' (view only)' : ''}`, e.client);
        break;
      case 'disconnect':
        this.add(t, 'disconnect', `${e.address} left: ${e.reason}`, e.client);
        break;
      case 'control':
        this.add(t, 'control', `${e.address} ${e.viewOnly ? 'lost' : 'got'} control`, e.client);
        break;
      case 'clipboard': {
        const from = e.direction === 'from-viewer' ? `from ${who(e.client)}` : 'to the viewers';
        const text = e.text !== undefined ? `: ${JSON.stringify(e.text.length > 60 ? `${e.text.slice(0, 60)}…` : e.text)}` : '';
        this.add(t, 'clipboard', `clipboard ${from}, ${e.bytes} bytes${text}`, e.client);
        break;
      }
      case 'resize':
        this.add(t, 'resize', `desktop resized to ${e.width}×${e.height}`);
        break;
      case 'marker':
        this.add(t, 'marker', e.label);
        break;
      case 'error':
        this.add(t, 'error', `recording stopped: ${e.message}`);
        break;
    }
  }

  /** The timeline, with typing still being gathered written out. */
  finish(): { timeline: RecordingTimelineEvent[]; activity: number[] } {
    this.flushTyping();
    this.timeline.sort((a, b) => a.t - b.t);
    return { timeline: this.timeline, activity: this.activity };
  }

  private key(t: number, client: string, keysym: number): void {
    if (SILENT_KEYS.has(keysym)) return;
    const name = KEY_NAMES.get(keysym);
    const cp = name ? null : keysymToCodepoint(keysym);
    const piece = name ? `<${name}>` : cp !== null ? String.fromCodePoint(cp) : `<0x${keysym.toString(16)}>`;
    if (this.typing && (this.typing.client !== client || t - this.typing.last > TYPING_GAP_MS)) this.flushTyping();
    if (!this.typing) this.typing = { client, text: '', t, last: t };
    this.typing.text += piece;
    this.typing.last = t;
  }

  private flushTyping(): void {
    const k = this.typing;
    if (!k) return;
    this.typing = null;
    this.add(k.t, 'keys', `${this.addresses.get(k.client) ?? k.client} typed: ${k.text}`, k.client);
  }

  private add(t: number, kind: RecordingTimelineEvent['kind'], label: string, client?: string): void {
    this.timeline.push({ t, kind, label, ...(client !== undefined ? { client } : {}) });
  }

  private count(t: number): void {
    const s = Math.floor(t / 1000);
    while (this.activity.length <= s) this.activity.push(0);
    this.activity[s]!++;
  }
}
