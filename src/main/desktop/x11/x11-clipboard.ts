import type {
  FixesExt,
  FixesSelectionNotifyEvent,
  GetPropertyReply,
  PropertyNotifyEvent,
  SelectionClearEvent,
  SelectionNotifyEvent,
  SelectionRequestEvent,
  XClient,
  XEvent,
} from 'x11';
import { getLogger } from '../../base/logger.js';
import type { ClipboardBackend, Selection } from '../input.js';
import { SelectionSignal } from './selection-signal.js';
import { decodeSelectionText, encodeLatin1, truncateUtf8 } from './selection-text.js';
import { openX11, X11Error, type X11Connection } from './x11-connection.js';

export interface X11ClipboardOptions {
  /** X display, e.g. ":99" (default: $DISPLAY, else ":0"). */
  display?: string;
  /**
   * Largest text taken from another program, in bytes as it travels
   * (UTF-8, or Latin-1 for STRING). Default 256 KiB. Bytes past it are never
   * buffered: a longer INCR transfer is drained without being read.
   */
  maxBytes?: number;
  /**
   * What happens to a text longer than `maxBytes`: 'truncate' (default) hands
   * listeners its first `maxBytes` bytes, cut at a character boundary;
   * 'drop' ignores that change altogether. Either way it is logged.
   */
  oversize?: 'truncate' | 'drop';
  /**
   * Reading: give up on a conversion when the owner has not answered (or not
   * sent the next INCR chunk) after this long. Default 2000 ms.
   */
  timeoutMs?: number;
  /**
   * Serving: drop an INCR transfer when the requestor has not asked for the
   * next chunk after this long. Default 5000 ms.
   */
  incrTimeoutMs?: number;
  /**
   * Serving: texts larger than this go with the INCR protocol, in chunks of
   * this size. Default 256 KiB, never more than one core request can carry.
   */
  incrThresholdBytes?: number;
  /** Bound on connecting (default 5000 ms). */
  connectTimeoutMs?: number;
}

const log = getLogger('x11-clipboard');

const NONE = 0;
const CURRENT_TIME = 0;
const ANY_PROPERTY_TYPE = 0;
const PROP_MODE_REPLACE = 0;
const PROP_MODE_APPEND = 2;
const PROPERTY_NEW_VALUE = 0;
const PROPERTY_DELETED = 1;
const PROPERTY_CHANGE_MASK = 0x00400000;
const INPUT_ONLY = 2;
const XFIXES_SET_SELECTION_OWNER = 0;

// core event types
const PROPERTY_NOTIFY = 28;
const SELECTION_CLEAR = 29;
const SELECTION_REQUEST = 30;
const SELECTION_NOTIFY = 31;

// predefined atoms
const XA_PRIMARY = 1;
const XA_ATOM = 4;
const XA_INTEGER = 19;
const XA_STRING = 31;

/**
 * ChangeProperty is packed with the 16-bit length field only (the library has
 * no BIG-REQUESTS form for it), so one property write carries at most this.
 */
const MAX_CORE_REQUEST_BYTES = 0xffff * 4;
const CHANGE_PROPERTY_HEADER_BYTES = 24;
/** Reading: an INCR transfer is abandoned after this long in total, however steadily chunks come. */
const INCR_RECEIVE_DEADLINE_MS = 30_000;
/** Reading MULTIPLE: how many 4-byte units of ATOM_PAIRs we look at. */
const MULTIPLE_MAX_LONGS = 1024;

const DEFAULT_MAX_BYTES = 256 * 1024;
const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_INCR_TIMEOUT_MS = 5000;
const DEFAULT_INCR_THRESHOLD = 256 * 1024;

interface Atoms {
  CLIPBOARD: number;
  TARGETS: number;
  MULTIPLE: number;
  TIMESTAMP: number;
  UTF8_STRING: number;
  TEXT: number;
  TEXT_PLAIN_UTF8: number;
  INCR: number;
  ATOM_PAIR: number;
  /** Properties on our window that conversions land in, one per selection. */
  PROP_CLIPBOARD: number;
  PROP_PRIMARY: number;
  /** Zero-length appends to this one fetch a server timestamp. */
  PROP_TIME: number;
}

const ATOM_NAMES: Record<keyof Atoms, string> = {
  CLIPBOARD: 'CLIPBOARD',
  TARGETS: 'TARGETS',
  MULTIPLE: 'MULTIPLE',
  TIMESTAMP: 'TIMESTAMP',
  UTF8_STRING: 'UTF8_STRING',
  TEXT: 'TEXT',
  TEXT_PLAIN_UTF8: 'text/plain;charset=utf-8',
  INCR: 'INCR',
  ATOM_PAIR: 'ATOM_PAIR',
  PROP_CLIPBOARD: '_TRAYVNC_SEL_CLIPBOARD',
  PROP_PRIMARY: '_TRAYVNC_SEL_PRIMARY',
  PROP_TIME: '_TRAYVNC_TIMESTAMP',
};

/** What we serve while we own a selection. */
interface Owned {
  text: string;
  utf8: Buffer;
  /** The STRING form, made on first request. */
  latin1: Buffer | null;
  /** Server time we took ownership at (0 if it could not be had). */
  time: number;
}

interface SelectionState {
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

/** A conversion result ready for ChangeProperty. */
interface Converted {
  type: number;
  format: 8 | 32;
  data: Buffer;
}

/** An INCR transfer we send. */
interface Outgoing {
  key: string;
  requestor: number;
  property: number;
  type: number;
  data: Buffer;
  offset: number;
  timer: NodeJS.Timeout;
}

const REFUSED = Symbol('refused');

/**
 * CLIPBOARD and PRIMARY of an X display, over the pure-JS `x11` client on a
 * connection of its own, with an unmapped InputOnly window as owner and
 * requestor.
 *
 * Writing takes ownership (at a server timestamp, then checks it holds) and
 * answers SelectionRequest for TARGETS, TIMESTAMP, MULTIPLE, UTF8_STRING,
 * text/plain;charset=utf-8, TEXT (as UTF8_STRING) and STRING (Latin-1, one
 * '?' per character outside it); other targets are refused. Texts over the
 * INCR threshold go in chunks, each after the requestor deletes the last;
 * several requestors can be served at once. SelectionClear drops the text.
 *
 * Reading: XFIXES reports every SetSelectionOwner on both selections. When
 * another client takes one, we convert it to UTF8_STRING (STRING when
 * refused) into a property on our window, read it (following INCR), and call
 * the listeners. Changes that pile up during a read are coalesced into one
 * more read. Without XFIXES, writing still works but no changes are seen.
 *
 * Nothing here throws into the event loop: X errors, timeouts and
 * misbehaving peers are logged and the operation dropped.
 */
export class X11Clipboard implements ClipboardBackend {
  readonly name = 'x11';
  readonly displayName: string;
  private readonly maxBytes: number;
  private readonly oversize: 'truncate' | 'drop';
  private readonly timeoutMs: number;
  private readonly incrTimeoutMs: number;
  private readonly options: X11ClipboardOptions;
  private conn: X11Connection | null = null;
  private atoms: Atoms | null = null;
  private win = 0;
  private fixes: FixesExt | null = null;
  /** Serving: chunk size, and the size from which INCR is used. */
  private incrBytes = DEFAULT_INCR_THRESHOLD;
  private sels: SelectionState[] = [];
  private readonly outgoing = new Map<string, Outgoing>();
  /** Foreign windows we listen to PropertyNotify on (for INCR), with use counts. */
  private readonly watched = new Map<number, number>();
  private readonly timeWaiters = new Set<(time: number) => void>();
  private readonly listeners: Array<(text: string, selection: Selection) => void> = [];
  private started = false;
  private stopped = false;

  constructor(options: X11ClipboardOptions = {}) {
    this.options = options;
    this.displayName = options.display ?? process.env['DISPLAY'] ?? ':0';
    this.maxBytes = Math.max(0, Math.floor(options.maxBytes ?? DEFAULT_MAX_BYTES));
    this.oversize = options.oversize ?? 'truncate';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.incrTimeoutMs = options.incrTimeoutMs ?? DEFAULT_INCR_TIMEOUT_MS;
  }

  /** Whether an XFIXES change feed is active (false: `onChange` never fires). */
  get watchesChanges(): boolean {
    return this.fixes !== null;
  }

  /** Whether we hold `selection` right now (as far as the events we have seen tell). */
  owns(selection: Selection): boolean {
    return this.sels.find((s) => s.name === selection)?.owned != null;
  }

  async start(): Promise<void> {
    if (this.started || this.stopped) throw new Error(this.stopped ? 'X11Clipboard was stopped' : 'X11Clipboard already started');
    this.started = true;
    let conn: X11Connection;
    try {
      conn = await openX11(this.displayName, {
        shm: false,
        ...(this.options.connectTimeoutMs !== undefined ? { timeoutMs: this.options.connectTimeoutMs } : {}),
      });
    } catch (err) {
      this.started = false; // may be tried again
      throw err;
    }
    this.conn = conn;
    const client = conn.client;
    try {
      conn.onError((err) => log.debug({ err: err.message }, 'X error ignored'));
      conn.onClose(() => {
        if (this.conn !== conn) return; // a failed start
        if (!this.stopped) log.warn({ display: this.displayName }, 'X connection closed; clipboard inactive');
        this.teardown();
      });

      const names = Object.keys(ATOM_NAMES) as Array<keyof Atoms>;
      const ids = await Promise.all(names.map((k) => conn.request<number>((cb) => client.InternAtom(false, ATOM_NAMES[k], cb))));
      const atoms = {} as Atoms;
      names.forEach((k, i) => (atoms[k] = ids[i] ?? NONE));
      this.atoms = atoms;

      const largest = Math.min(conn.maxRequestBytes, MAX_CORE_REQUEST_BYTES) - CHANGE_PROPERTY_HEADER_BYTES;
      const threshold = this.options.incrThresholdBytes ?? DEFAULT_INCR_THRESHOLD;
      this.incrBytes = Math.max(4, Math.min(Math.floor(threshold), largest) & ~3);

      this.sels = [this.newState('clipboard', atoms.CLIPBOARD, atoms.PROP_CLIPBOARD), this.newState('primary', XA_PRIMARY, atoms.PROP_PRIMARY)];

      this.win = client.AllocID();
      client.CreateWindow(this.win, conn.root, -10, -10, 1, 1, 0, 0, INPUT_ONLY, 0, {
        overrideRedirect: 1,
        eventMask: PROPERTY_CHANGE_MASK,
      });
      client.on('event', this.onEvent);

      const fixes = await conn.extension('fixes');
      if (fixes) {
        for (const sel of this.sels) fixes.SelectSelectionInput(this.win, sel.atom, fixes.SelectionEventMask.SetSelectionOwner);
        this.fixes = fixes;
      } else {
        log.warn({ display: this.displayName }, 'no XFIXES: clipboard changes on the desktop will not be seen');
      }
      await conn.sync(); // the window exists and the selections are watched
      log.debug({ display: this.displayName, window: this.win, incrBytes: this.incrBytes }, 'clipboard ready');
    } catch (err) {
      client.removeListener('event', this.onEvent);
      this.conn = null;
      this.fixes = null;
      this.sels = [];
      await conn.close();
      this.started = false; // may be tried again
      throw err;
    }
  }

  onChange(listener: (text: string, selection: Selection) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Own `selection` (both when none is named) with `text`. Resolves once the
   * server confirms we are the owner; rejects when not started, when the
   * connection is gone, or when another client holds on to it.
   */
  async write(text: string, selection?: Selection): Promise<void> {
    const conn = this.live();
    if (!conn) throw new X11Error(`X11Clipboard on ${this.displayName} is not running`);
    const client = conn.client;
    const targets = selection ? this.sels.filter((s) => s.name === selection) : this.sels;
    if (targets.length === 0) throw new Error(`unknown selection: ${String(selection)}`);
    const owned: Owned = { text, utf8: Buffer.from(text, 'utf8'), latin1: null, time: CURRENT_TIME };
    owned.time = await this.serverTime(conn);
    for (const sel of targets) {
      sel.owned = owned;
      sel.writes++;
      const before = client.seq_num;
      client.SetSelectionOwner(this.win, sel.atom, owned.time);
      sel.takenSeq = before + 1;
    }
    const owners = await Promise.all(targets.map((sel) => conn.request<number>((cb) => client.GetSelectionOwner(sel.atom, cb))));
    const lost = targets.filter((_, i) => owners[i] !== this.win);
    for (const sel of lost) if (sel.owned === owned) sel.owned = null;
    if (lost.length > 0) {
      throw new X11Error(`could not take the ${lost.map((s) => s.name).join(' and ')} selection on ${this.displayName}`);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const conn = this.conn;
    this.teardown();
    if (!conn) return;
    conn.client.removeListener('event', this.onEvent);
    if (!conn.closed) {
      try {
        conn.client.DestroyWindow(this.win); // the server drops our ownerships with it
      } catch {
        /* closing already */
      }
    }
    await conn.close();
  }

  // ---- events ----

  private readonly onEvent = (ev: XEvent): void => {
    try {
      switch (ev.type) {
        case PROPERTY_NOTIFY:
          this.onPropertyNotify(ev as PropertyNotifyEvent);
          break;
        case SELECTION_CLEAR:
          this.onSelectionClear(ev as SelectionClearEvent);
          break;
        case SELECTION_REQUEST:
          this.onSelectionRequest(ev as SelectionRequestEvent);
          break;
        case SELECTION_NOTIFY:
          // the core event: the answer to our ConvertSelection
          this.onConvertAnswer(ev as SelectionNotifyEvent);
          break;
        default:
          // XFIXES calls its event 'SelectionNotify' too; only its type tells
          if (this.fixes && ev.type === this.fixes.firstEvent) this.onOwnerChange(ev as FixesSelectionNotifyEvent);
      }
    } catch (err) {
      log.error({ err: (err as Error).message, event: ev.name ?? ev.type }, 'clipboard event handling failed');
    }
  };

  private onPropertyNotify(ev: PropertyNotifyEvent): void {
    if (ev.state === PROPERTY_DELETED) {
      // a requestor took the last INCR chunk (or the INCR header): send the next
      const t = this.outgoing.get(outgoingKey(ev.wid, ev.atom));
      if (t) this.sendNextChunk(t);
      return;
    }
    if (ev.state !== PROPERTY_NEW_VALUE || ev.wid !== this.win || !this.atoms) return;
    if (ev.atom === this.atoms.PROP_TIME) {
      const waiters = [...this.timeWaiters];
      this.timeWaiters.clear();
      for (const w of waiters) w(ev.time);
      return;
    }
    for (const sel of this.sels) {
      if (sel.incoming && sel.incoming.prop === ev.atom) sel.incoming.signal.notify();
    }
  }

  private onSelectionClear(ev: SelectionClearEvent): void {
    if (ev.owner !== this.win) return;
    const sel = this.byAtom(ev.selection);
    if (!sel?.owned) return;
    // generated before the server saw our latest SetSelectionOwner: that one stands
    if (ev.seq < sel.takenSeq) return;
    sel.owned = null;
    log.debug({ selection: sel.name }, 'another client took the selection');
  }

  private onOwnerChange(ev: FixesSelectionNotifyEvent): void {
    if (ev.subtype !== XFIXES_SET_SELECTION_OWNER) return;
    const sel = this.byAtom(ev.selection);
    if (!sel || ev.owner === this.win || ev.owner === NONE) return;
    // happened before our own later write: the text is already superseded
    if (ev.seq < sel.takenSeq) return;
    this.requestRead(sel, ev.timestamp);
  }

  private onConvertAnswer(ev: SelectionNotifyEvent): void {
    if (ev.requestor !== this.win) return;
    const sel = this.byAtom(ev.selection);
    const waiting = sel?.converting;
    if (!sel || !waiting || waiting.target !== ev.target) return;
    sel.converting = null;
    waiting.done(ev);
  }

  // ---- serving our text ----

  private onSelectionRequest(ev: SelectionRequestEvent): void {
    const sel = this.byAtom(ev.selection);
    const owned = sel?.owned ?? null;
    const property = ev.property === NONE ? ev.target : ev.property; // obsolete requestors name no property
    if (!this.atoms || ev.owner !== this.win || !owned) {
      this.answer(ev, NONE);
      return;
    }
    if (ev.target === this.atoms.MULTIPLE) {
      if (ev.property === NONE) this.answer(ev, NONE);
      else void this.serveMultiple(ev, owned);
      return;
    }
    const conv = this.convertTo(owned, ev.target);
    if (!conv) {
      this.answer(ev, NONE);
      return;
    }
    const client = this.client();
    if (conv.data.length > this.incrBytes) this.startIncr(client, ev.requestor, property, conv);
    else client.ChangeProperty(PROP_MODE_REPLACE, ev.requestor, property, conv.type, conv.format, conv.data);
    this.answer(ev, property);
  }

  /** Our text (or metadata) as `target`; null when we do not offer it. */
  private convertTo(owned: Owned, target: number): Converted | null {
    const a = this.atoms;
    if (!a) return null;
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
      const conn = this.live();
      if (!conn || !this.atoms) return;
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
        const conv = target === this.atoms.MULTIPLE || property === NONE ? null : this.convertTo(owned, target);
        // no INCR inside MULTIPLE: too large counts as a failed conversion
        if (!conv || conv.data.length > this.incrBytes) {
          pairs.writeUInt32LE(NONE, i);
          continue;
        }
        client.ChangeProperty(PROP_MODE_REPLACE, ev.requestor, property, conv.type, conv.format, conv.data);
      }
      client.ChangeProperty(PROP_MODE_REPLACE, ev.requestor, ev.property, list.type || this.atoms.ATOM_PAIR, 32, pairs);
      this.answer(ev, ev.property);
    } catch (err) {
      log.debug({ err: (err as Error).message, requestor: ev.requestor }, 'MULTIPLE request failed');
      try {
        if (this.live()) this.answer(ev, NONE);
      } catch {
        /* closing */
      }
    }
  }

  /** The SelectionNotify that tells the requestor where its answer is (NONE: refused). */
  private answer(ev: SelectionRequestEvent, property: number): void {
    this.client().SendEvent(ev.requestor, 0, 0, {
      type: SELECTION_NOTIFY,
      seq: 0,
      time: ev.time,
      requestor: ev.requestor,
      selection: ev.selection,
      target: ev.target,
      property,
    });
  }

  private startIncr(client: XClient, requestor: number, property: number, conv: Converted): void {
    const key = outgoingKey(requestor, property);
    const previous = this.outgoing.get(key);
    if (previous) this.endIncr(previous); // a new request on the same property replaces it
    // listen before the header goes out, or its deletion could pass unseen
    this.watchWindow(client, requestor);
    client.ChangeProperty(PROP_MODE_REPLACE, requestor, property, this.atoms?.INCR ?? NONE, 32, u32s([conv.data.length]));
    const t: Outgoing = {
      key,
      requestor,
      property,
      type: conv.type,
      data: conv.data,
      offset: 0,
      timer: setTimeout(() => {
        log.warn({ requestor, sent: t.offset, size: t.data.length }, 'INCR requestor stopped asking for chunks; transfer dropped');
        this.endIncr(t);
      }, this.incrTimeoutMs),
    };
    this.outgoing.set(key, t);
    log.debug({ requestor, size: conv.data.length, chunk: this.incrBytes }, 'INCR transfer started');
  }

  private sendNextChunk(t: Outgoing): void {
    const chunk = t.data.subarray(t.offset, t.offset + this.incrBytes);
    this.client().ChangeProperty(PROP_MODE_REPLACE, t.requestor, t.property, t.type, 8, chunk);
    t.offset += chunk.length;
    if (chunk.length === 0) {
      // the zero-length chunk marks the end
      log.debug({ requestor: t.requestor, size: t.data.length }, 'INCR transfer done');
      this.endIncr(t);
    } else {
      t.timer.refresh();
    }
  }

  private endIncr(t: Outgoing): void {
    clearTimeout(t.timer);
    if (this.outgoing.get(t.key) !== t) return;
    this.outgoing.delete(t.key);
    const conn = this.live();
    if (conn) {
      try {
        this.unwatchWindow(conn.client, t.requestor);
      } catch (err) {
        log.debug({ err: (err as Error).message }, 'could not stop watching a requestor');
      }
    }
  }

  private watchWindow(client: XClient, window: number): void {
    if (window === this.win) return; // ours already reports property changes
    const n = this.watched.get(window) ?? 0;
    if (n === 0) client.ChangeWindowAttributes(window, { eventMask: PROPERTY_CHANGE_MASK });
    this.watched.set(window, n + 1);
  }

  private unwatchWindow(client: XClient, window: number): void {
    if (window === this.win) return;
    const n = this.watched.get(window) ?? 0;
    if (n > 1) {
      this.watched.set(window, n - 1);
      return;
    }
    this.watched.delete(window);
    client.ChangeWindowAttributes(window, { eventMask: 0 }); // BadWindow if it is gone: logged, harmless
  }

  // ---- reading others' text ----

  private requestRead(sel: SelectionState, time: number): void {
    if (sel.reading) {
      sel.pendingTime = time; // read again once the current one ends
      return;
    }
    sel.reading = true;
    void this.readLoop(sel, time);
  }

  private async readLoop(sel: SelectionState, firstTime: number): Promise<void> {
    let time: number | null = firstTime;
    try {
      while (time !== null && this.live()) {
        sel.pendingTime = null;
        const writes = sel.writes;
        const started = performance.now();
        let text: string | null = null;
        try {
          text = await this.fetch(sel, time);
        } catch (err) {
          log.warn({ err: (err as Error).message, selection: sel.name }, 'reading the selection failed');
        }
        // superseded by a newer owner or by our own write meanwhile: not worth reporting
        if (text !== null && sel.pendingTime === null && sel.writes === writes && this.live()) {
          log.debug({ selection: sel.name, chars: text.length, ms: +(performance.now() - started).toFixed(2) }, 'selection read');
          this.emit(text, sel.name);
        }
        time = sel.pendingTime;
      }
    } catch (err) {
      log.error({ err: (err as Error).message }, 'selection read loop failed');
    } finally {
      sel.reading = false;
    }
  }

  /** The owner's text: UTF8_STRING, else STRING; null when there is none to report. */
  private async fetch(sel: SelectionState, time: number): Promise<string | null> {
    if (!this.atoms) return null;
    for (const target of [this.atoms.UTF8_STRING, XA_STRING]) {
      const got = await this.convert(sel, target, time);
      if (got !== REFUSED) return got;
    }
    log.debug({ selection: sel.name }, 'owner offers no text');
    return null;
  }

  private async convert(sel: SelectionState, target: number, time: number): Promise<string | null | typeof REFUSED> {
    const conn = this.live();
    if (!conn) return null;
    const client = conn.client;
    client.DeleteProperty(this.win, sel.prop); // nothing stale in the way
    const answered = new Promise<SelectionNotifyEvent | null>((resolve) => {
      const timer = setTimeout(() => {
        if (sel.converting === waiting) sel.converting = null;
        resolve(null);
      }, this.timeoutMs);
      const waiting = {
        target,
        done: (ev: SelectionNotifyEvent | null): void => {
          clearTimeout(timer);
          resolve(ev);
        },
      };
      sel.converting = waiting;
    });
    client.ConvertSelection(this.win, sel.atom, target, sel.prop, time);
    const ev = await answered;
    if (!ev) {
      if (this.live()) log.warn({ selection: sel.name, timeoutMs: this.timeoutMs }, 'selection owner did not answer; gave up');
      return null;
    }
    if (ev.property === NONE) return REFUSED;
    const prop = ev.property;
    const cap = this.maxBytes + 4; // a few bytes past the limit show where the last whole character ends
    const reply = await conn.request<GetPropertyReply>((cb) => client.GetProperty(0, this.win, prop, ANY_PROPERTY_TYPE, 0, Math.ceil(cap / 4), cb));
    if (this.atoms && reply.type === this.atoms.INCR) return this.receiveIncr(conn, sel, prop, reply);
    client.DeleteProperty(this.win, prop);
    if (reply.type === NONE) {
      log.debug({ selection: sel.name }, 'owner answered but set no property');
      return null;
    }
    if (reply.format !== 8) return REFUSED;
    const size = reply.data.length + reply.bytesAfter;
    return this.finishText(sel, [Buffer.from(reply.data.subarray(0, cap))], size > this.maxBytes, reply.type, size);
  }

  private async receiveIncr(conn: X11Connection, sel: SelectionState, prop: number, header: GetPropertyReply): Promise<string | null> {
    const client = conn.client;
    const signal = new SelectionSignal();
    sel.incoming = { prop, signal };
    const announced = header.format === 32 && header.data.length >= 4 ? header.data.readUInt32LE(0) : 0;
    const cap = this.maxBytes + 4;
    // with 'drop', a transfer announced as too large is only drained
    let collect = !(this.oversize === 'drop' && announced > this.maxBytes);
    let truncated = !collect;
    const chunks: Buffer[] = [];
    let total = 0;
    let seen = 0;
    let type = NONE;
    const deadline = performance.now() + INCR_RECEIVE_DEADLINE_MS;
    log.debug({ selection: sel.name, announced, collect }, 'INCR transfer incoming');
    try {
      client.DeleteProperty(this.win, prop); // the go-ahead for the first chunk
      for (;;) {
        if (!(await signal.wait(this.timeoutMs))) {
          if (this.live()) log.warn({ selection: sel.name, received: seen }, 'INCR owner stopped sending; gave up');
          return null;
        }
        const room = collect ? cap - total : 0;
        const chunk = await conn.request<GetPropertyReply>((cb) => client.GetProperty(0, this.win, prop, ANY_PROPERTY_TYPE, 0, Math.ceil(room / 4), cb));
        client.DeleteProperty(this.win, prop); // asks for the next one
        const size = chunk.data.length + chunk.bytesAfter;
        if (size === 0) break; // the zero-length chunk: done
        seen += size;
        if (type === NONE) type = chunk.type;
        if (collect) {
          const take = Math.min(chunk.data.length, room);
          if (take > 0) chunks.push(Buffer.from(chunk.data.subarray(0, take)));
          total += take;
          if (total > this.maxBytes || size > take) {
            truncated = true;
            collect = false; // drain the rest unread
          }
        }
        if (performance.now() > deadline) {
          log.warn({ selection: sel.name, received: seen }, 'INCR transfer took too long; abandoned');
          return null;
        }
      }
      return this.finishText(sel, chunks, truncated, type, Math.max(seen, announced));
    } finally {
      sel.incoming = null;
      signal.close();
    }
  }

  private finishText(sel: SelectionState, chunks: Buffer[], truncated: boolean, type: number, size: number): string | null {
    const latin1 = type === XA_STRING;
    let bytes: Uint8Array = Buffer.concat(chunks);
    if (truncated) {
      if (this.oversize === 'drop') {
        log.warn({ selection: sel.name, size, maxBytes: this.maxBytes }, 'selection text over the size limit: ignored');
        return null;
      }
      bytes = latin1 ? bytes.subarray(0, this.maxBytes) : truncateUtf8(bytes, this.maxBytes);
      log.info({ selection: sel.name, size, kept: bytes.length }, 'selection text over the size limit: truncated');
    }
    return decodeSelectionText(bytes, latin1);
  }

  private emit(text: string, selection: Selection): void {
    for (const l of this.listeners) {
      try {
        l(text, selection);
      } catch (err) {
        log.error({ err: (err as Error).message }, 'clipboard listener failed');
      }
    }
  }

  // ---- plumbing ----

  /** A current server timestamp: a zero-length append to our window reports one. CurrentTime if none comes. */
  private serverTime(conn: X11Connection): Promise<number> {
    return new Promise<number>((resolve) => {
      const done = (time: number): void => {
        clearTimeout(timer);
        resolve(time);
      };
      const timer = setTimeout(() => {
        this.timeWaiters.delete(done);
        resolve(CURRENT_TIME);
      }, this.timeoutMs);
      this.timeWaiters.add(done);
      conn.client.ChangeProperty(PROP_MODE_APPEND, this.win, this.atoms?.PROP_TIME ?? NONE, XA_STRING, 8, Buffer.alloc(0));
    });
  }

  private newState(name: Selection, atom: number, prop: number): SelectionState {
    return { name, atom, prop, owned: null, takenSeq: 0, writes: 0, reading: false, pendingTime: null, converting: null, incoming: null };
  }

  private byAtom(atom: number): SelectionState | undefined {
    return this.sels.find((s) => s.atom === atom);
  }

  private live(): X11Connection | null {
    const conn = this.conn;
    return conn && !conn.closed && !this.stopped ? conn : null;
  }

  private client(): XClient {
    const conn = this.live();
    if (!conn) throw new X11Error(`X11Clipboard on ${this.displayName} is not running`);
    return conn.client;
  }

  /** Drop everything in flight (stop, or the connection went away). */
  private teardown(): void {
    for (const t of this.outgoing.values()) clearTimeout(t.timer);
    this.outgoing.clear();
    this.watched.clear();
    for (const w of [...this.timeWaiters]) w(CURRENT_TIME);
    this.timeWaiters.clear();
    for (const sel of this.sels) {
      sel.owned = null;
      sel.pendingTime = null;
      const waiting = sel.converting;
      sel.converting = null;
      waiting?.done(null);
      sel.incoming?.signal.close();
    }
  }
}

function outgoingKey(window: number, property: number): string {
  return `${window}:${property}`;
}

function u32s(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32LE(v >>> 0, i * 4));
  return b;
}
