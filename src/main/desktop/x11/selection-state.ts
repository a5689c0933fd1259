import type { SelectionNotifyEvent, XClient } from 'x11';
import type { Selection } from '../input.js';
import type { Atoms } from './selection-protocol.js';
import type { SelectionSignal } from './selection-signal.js';
import type { X11Connection } from './x11-connection.js';

/**
 * What the parts of the X11 clipboard (owning and serving, reading, INCR in
 * either direction) share: per selection, what we serve and what a read has
 * in flight; and, once started, the connection and our window.
 */

/** What we serve while we own a selection. */
export interface Owned {
  text: string;
  utf8: Buffer;
  /** The STRING form, made on first request. */
  latin1: Buffer | null;
  /** Server time we took ownership at (0 if it could not be had). */
  time: number;
}

export interface SelectionState {
  readonly name: Selection;
  readonly atom: number;
  /** Our property that conversions of this selection land in. */
  readonly prop: number;
  owned: Owned | null;
  /** Sequence number of our latest SetSelectionOwner on it (0: none yet). */
  takenSeq: number;
  /** Bumped by every write, so a read that overlaps one is not reported. */
  writes: number;
  reading: boolean;
  /** A newer owner change that came while reading (its time), or null. */
  pendingTime: number | null;
  /** The ConvertSelection we wait on. */
  converting: { target: number; done: (ev: SelectionNotifyEvent | null) => void } | null;
  /** The INCR transfer we receive. */
  incoming: { prop: number; signal: SelectionSignal } | null;
}

export function newSelectionState(name: Selection, atom: number, prop: number): SelectionState {
  return { name, atom, prop, owned: null, takenSeq: 0, writes: 0, reading: false, pendingTime: null, converting: null, incoming: null };
}

/** Drop what we serve and end what a read waits on (stop, or the connection went away). */
export function abandonSelection(sel: SelectionState): void {
  sel.owned = null;
  sel.pendingTime = null;
  const waiting = sel.converting;
  sel.converting = null;
  waiting?.done(null);
  sel.incoming?.signal.close();
}

/** A conversion result ready for ChangeProperty. */
export interface Converted {
  type: number;
  format: 8 | 32;
  data: Buffer;
}

/** The started clipboard, as its parts see it. */
export interface ClipboardLink {
  readonly atoms: Atoms;
  /** Our unmapped window: owner of what we serve, requestor of what we read. */
  readonly win: number;
  /** The connection while it is open and the clipboard not stopped; else null. */
  live(): X11Connection | null;
  /** The live connection's client; throws when there is none. */
  client(): XClient;
  /** The selection whose atom this is (CLIPBOARD or PRIMARY), if it is one of ours. */
  selection(atom: number): SelectionState | undefined;
}
