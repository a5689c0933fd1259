import type { FixesExt, FixesSelectionNotifyEvent, XEvent } from 'x11';
import { NONE, XFIXES_SET_SELECTION_OWNER } from './selection-protocol.js';
import type { SelectionState } from './selection-state.js';
import type { X11Connection } from './x11-connection.js';

/**
 * How we learn that another client put something on a selection: XFIXES
 * reports every SetSelectionOwner on the selections watched. The core
 * protocol has no such event, so without XFIXES there is no watch (writing
 * still works; changes on the desktop go unseen).
 */
export class SelectionOwnerWatch {
  /** Have owner changes of `selections` reported to `win`; null when the server has no XFIXES. */
  static async start(conn: X11Connection, win: number, selections: readonly number[]): Promise<SelectionOwnerWatch | null> {
    const fixes = await conn.extension('fixes');
    if (!fixes) return null;
    for (const atom of selections) fixes.SelectSelectionInput(win, atom, fixes.SelectionEventMask.SetSelectionOwner);
    return new SelectionOwnerWatch(fixes, win);
  }

  private constructor(
    private readonly fixes: FixesExt,
    private readonly win: number,
  ) {}

  /** Whether `ev` is XFIXES's event: the library calls it 'SelectionNotify' too, so only its type tells. */
  reports(ev: XEvent): ev is FixesSelectionNotifyEvent {
    return ev.type === this.fixes.firstEvent;
  }

  /** Whether `ev` says another client took `sel` after our latest write to it: then there is a text to read. */
  isForeignTake(ev: FixesSelectionNotifyEvent, sel: SelectionState): boolean {
    if (ev.subtype !== XFIXES_SET_SELECTION_OWNER) return false;
    if (ev.owner === this.win || ev.owner === NONE) return false;
    // happened before our own later write: the text is already superseded
    return ev.seq >= sel.takenSeq;
  }
}
