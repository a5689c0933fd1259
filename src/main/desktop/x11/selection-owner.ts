import type { GetPropertyReply, SelectionClearEvent, SelectionRequestEvent } from 'x11';
import { getLogger } from '../../base/logger.js';
import { encodeLatin1 } from './selection-text.js';
import type { IncrSender } from './selection-incr-send.js';
import { ANY_PROPERTY_TYPE, NONE, PROP_MODE_REPLACE, SELECTION_NOTIFY, u32s, XA_ATOM, XA_INTEGER, XA_STRING } from './selection-protocol.js';
import type { ClipboardLink, Converted, Owned, SelectionState } from './selection-state.js';
import type { X11Connection } from './x11-connection.js';

const log = getLogger('x11-clipboard');

/** Reading MULTIPLE: how many 4-byte units of ATOM_PAIRs we look at. */
const MULTIPLE_MAX_LONGS = 1024;

/**
 * Our side of the selections we own: taking ownership, losing it to another
 * client, and answering SelectionRequest. Served targets: TARGETS,
 * TIMESTAMP, MULTIPLE, UTF8_STRING, text/plain;charset=utf-8, TEXT (as
 * UTF8_STRING) and STRING (Latin-1, one '?' per character outside it); other
 * targets are refused. Texts over the INCR chunk size go through `incr`.
 */
export class SelectionOwner {
  constructor(
    private readonly link: ClipboardLink,
    private readonly incr: IncrSender,
  ) {}

  /**
   * Own each of `targets` with `text` from server time `time`, then ask the
   * server who owns them. Returns those another client holds on to.
   */
  async take(conn: X11Connection, targets: readonly SelectionState[], text: string, time: number): Promise<SelectionState[]> {
    const client = conn.client;
    const owned: Owned = { text, utf8: Buffer.from(text, 'utf8'), latin1: null, time };
    for (const sel of targets) {
      sel.owned = owned;
      sel.writes++;
      const before = client.seq_num;
      client.SetSelectionOwner(this.link.win, sel.atom, owned.time);
      sel.takenSeq = before + 1;
    }
    const owners = await Promise.all(targets.map((sel) => conn.request<number>((cb) => client.GetSelectionOwner(sel.atom, cb))));
    const lost = targets.filter((_, i) => owners[i] !== this.link.win);
    for (const sel of lost) if (sel.owned === owned) sel.owned = null;
    return lost;
  }

  onSelectionClear(ev: SelectionClearEvent): void {
    if (ev.owner !== this.link.win) return;
    const sel = this.link.selection(ev.selection);
    if (!sel?.owned) return;
    // generated before the server saw our latest SetSelectionOwner: that one stands
    if (ev.seq < sel.takenSeq) return;
    sel.owned = null;
    log.debug({ selection: sel.name }, 'another client took the selection');
  }

  onSelectionRequest(ev: SelectionRequestEvent): void {
    const sel = this.link.selection(ev.selection);
    const owned = sel?.owned ?? null;
    const property = ev.property === NONE ? ev.target : ev.property; // obsolete requestors name no property
    if (ev.owner !== this.link.win || !owned) {
      this.answer(ev, NONE);
      return;
    }
    if (ev.target === this.link.atoms.MULTIPLE) {
      if (ev.property === NONE) this.answer(ev, NONE);
      else void this.serveMultiple(ev, owned);
      return;
    }
    const conv = this.convertTo(owned, ev.target);
    if (!conv) {
      this.answer(ev, NONE);
      return;
    }
    const client = this.link.client();
    if (conv.data.length > this.incr.chunkBytes) this.incr.start(client, ev.requestor, property, conv);
    else client.ChangeProperty(PROP_MODE_REPLACE, ev.requestor, property, conv.type, conv.format, conv.data);
    this.answer(ev, property);
  }

  /** Our text (or metadata) as `target`; null when we do not offer it. */
  private convertTo(owned: Owned, target: number): Converted | null {
    const a = this.link.atoms;
    switch (target) {
      case a.UTF8_STRING:
      case a.TEXT_PLAIN_UTF8:
        return { type: target, format: 8, data: owned.utf8 };
      case a.TEXT:
        return { type: a.UTF8_STRING, format: 8, data: owned.utf8 };
      case XA_STRING:
        owned.latin1 ??= encodeLatin1(owned.text);
        return { type: XA_STRING, format: 8, data: owned.latin1 };
      case a.TARGETS:
        return { type: XA_ATOM, format: 32, data: u32s([a.TARGETS, a.TIMESTAMP, a.MULTIPLE, a.UTF8_STRING, a.TEXT_PLAIN_UTF8, XA_STRING, a.TEXT]) };
      case a.TIMESTAMP:
        return { type: XA_INTEGER, format: 32, data: u32s([owned.time]) };
      default:
        return null;
    }
  }

  /** MULTIPLE: convert each (target, property) pair the requestor listed; failed ones get target None. */
  private async serveMultiple(ev: SelectionRequestEvent, owned: Owned): Promise<void> {
    try {
      const conn = this.link.live();
      if (!conn) return;
      const client = conn.client;
      const list = await conn.request<GetPropertyReply>((cb) =>
        client.GetProperty(0, ev.requestor, ev.property, ANY_PROPERTY_TYPE, 0, MULTIPLE_MAX_LONGS, cb),
      );
      if (list.format !== 32 || list.data.length < 8) {
        this.answer(ev, NONE);
        return;
      }
      const pairs = Buffer.from(list.data.subarray(0, list.data.length & ~7));
      for (let i = 0; i < pairs.length; i += 8) {
        const target = pairs.readUInt32LE(i);
        const property = pairs.readUInt32LE(i + 4);
        const conv = target === this.link.atoms.MULTIPLE || property === NONE ? null : this.convertTo(owned, target);
        // no INCR inside MULTIPLE: too large counts as a failed conversion
        if (!conv || conv.data.length > this.incr.chunkBytes) {
          pairs.writeUInt32LE(NONE, i);
          continue;
        }
        client.ChangeProperty(PROP_MODE_REPLACE, ev.requestor, property, conv.type, conv.format, conv.data);
      }
      client.ChangeProperty(PROP_MODE_REPLACE, ev.requestor, ev.property, list.type || this.link.atoms.ATOM_PAIR, 32, pairs);
      this.answer(ev, ev.property);
    } catch (err) {
      log.debug({ err: (err as Error).message, requestor: ev.requestor }, 'MULTIPLE request failed');
      try {
        if (this.link.live()) this.answer(ev, NONE);
      } catch {
        /* closing */
      }
    }
  }

  /** The SelectionNotify that tells the requestor where its answer is (NONE: refused). */
  private answer(ev: SelectionRequestEvent, property: number): void {
    this.link.client().SendEvent(ev.requestor, 0, 0, {
      type: SELECTION_NOTIFY,
      seq: 0,
      time: ev.time,
      requestor: ev.requestor,
      selection: ev.selection,
      target: ev.target,
      property,
    });
  }
}
