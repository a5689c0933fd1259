import type { PropertyNotifyEvent, SelectionClearEvent, SelectionNotifyEvent, SelectionRequestEvent, XClient, XEvent } from 'x11';
import { getLogger } from '../../base/logger.js';
import type { ClipboardBackend, Selection } from '../input.js';
import type { ReadLimits } from './selection-incr-receive.js';
import { incrChunkBytes, IncrSender } from './selection-incr-send.js';
import { SelectionOwner } from './selection-owner.js';
import { SelectionOwnerWatch } from './selection-owner-watch.js';
import {
  INPUT_ONLY,
  internAtoms,
  PROPERTY_CHANGE_MASK,
  PROPERTY_DELETED,
  PROPERTY_NEW_VALUE,
  PROPERTY_NOTIFY,
  SELECTION_CLEAR,
  SELECTION_NOTIFY,
  SELECTION_REQUEST,
  XA_PRIMARY,
} from './selection-protocol.js';
import { SelectionReader } from './selection-reader.js';
import { abandonSelection, newSelectionState, type ClipboardLink, type SelectionState } from './selection-state.js';
import { ServerTimeProbe } from './server-time.js';
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

const DEFAULT_MAX_BYTES = 256 * 1024;
const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_INCR_TIMEOUT_MS = 5000;
const DEFAULT_INCR_THRESHOLD = 256 * 1024;

/** The parts of a started clipboard, each with one side of the protocol. */
interface Parts {
  owner: SelectionOwner;
  incr: IncrSender;
  reader: SelectionReader;
  clock: ServerTimeProbe;
}

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
 * (SelectionOwner, IncrSender, ServerTimeProbe.)
 *
 * Reading: XFIXES reports every SetSelectionOwner on both selections. When
 * another client takes one, we convert it to UTF8_STRING (STRING when
 * refused) into a property on our window, read it (following INCR), and call
 * the listeners. Changes that pile up during a read are coalesced into one
 * more read. Without XFIXES, writing still works but no changes are seen.
 * (SelectionOwnerWatch, SelectionReader, receiveIncr.)
 *
 * This class opens the connection and the window, and routes the events to
 * those parts. Nothing here throws into the event loop: X errors, timeouts
 * and misbehaving peers are logged and the operation dropped.
 */
export class X11Clipboard implements ClipboardBackend {
  readonly name = 'x11';
  readonly displayName: string;
  private readonly limits: ReadLimits;
  private readonly incrTimeoutMs: number;
  private readonly options: X11ClipboardOptions;
  private conn: X11Connection | null = null;
  private win = 0;
  private watch: SelectionOwnerWatch | null = null;
  private parts: Parts | null = null;
  private sels: SelectionState[] = [];
  private readonly listeners: Array<(text: string, selection: Selection) => void> = [];
  private started = false;
  private stopped = false;

  constructor(options: X11ClipboardOptions = {}) {
    this.options = options;
    this.displayName = options.display ?? process.env['DISPLAY'] ?? ':0';
    this.limits = {
      maxBytes: Math.max(0, Math.floor(options.maxBytes ?? DEFAULT_MAX_BYTES)),
      oversize: options.oversize ?? 'truncate',
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    };
    this.incrTimeoutMs = options.incrTimeoutMs ?? DEFAULT_INCR_TIMEOUT_MS;
  }

  /** Whether an XFIXES change feed is active (false: `onChange` never fires). */
  get watchesChanges(): boolean {
    return this.watch !== null;
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

      const atoms = await internAtoms(conn);
      const incrBytes = incrChunkBytes(conn.maxRequestBytes, this.options.incrThresholdBytes ?? DEFAULT_INCR_THRESHOLD);
      const win = client.AllocID();
      this.win = win;
      const link: ClipboardLink = { atoms, win, live: () => this.live(), client: () => this.client(), selection: (atom) => this.byAtom(atom) };
      const incr = new IncrSender(link, incrBytes, this.incrTimeoutMs);
      this.parts = {
        owner: new SelectionOwner(link, incr),
        incr,
        reader: new SelectionReader(link, this.limits, (text, selection) => this.emit(text, selection)),
        clock: new ServerTimeProbe(win, atoms.PROP_TIME, this.limits.timeoutMs),
      };
      this.sels = [newSelectionState('clipboard', atoms.CLIPBOARD, atoms.PROP_CLIPBOARD), newSelectionState('primary', XA_PRIMARY, atoms.PROP_PRIMARY)];

      client.CreateWindow(win, conn.root, -10, -10, 1, 1, 0, 0, INPUT_ONLY, 0, {
        overrideRedirect: 1,
        eventMask: PROPERTY_CHANGE_MASK,
      });
      client.on('event', this.onEvent);

      this.watch = await SelectionOwnerWatch.start(conn, win, this.sels.map((s) => s.atom));
      if (!this.watch) log.warn({ display: this.displayName }, 'no XFIXES: clipboard changes on the desktop will not be seen');
      await conn.sync(); // the window exists and the selections are watched
      log.debug({ display: this.displayName, window: win, incrBytes }, 'clipboard ready');
    } catch (err) {
      client.removeListener('event', this.onEvent);
      this.conn = null;
      this.watch = null;
      this.parts = null;
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
    const targets = selection ? this.sels.filter((s) => s.name === selection) : this.sels;
    if (targets.length === 0) throw new Error(`unknown selection: ${String(selection)}`);
    const { owner, clock } = this.parts!; // made together with the selections
    const lost = await owner.take(conn, targets, text, await clock.now(conn));
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
      const parts = this.parts;
      if (!parts) return; // not started
      switch (ev.type) {
        case PROPERTY_NOTIFY:
          this.onPropertyNotify(ev as PropertyNotifyEvent, parts);
          break;
        case SELECTION_CLEAR:
          parts.owner.onSelectionClear(ev as SelectionClearEvent);
          break;
        case SELECTION_REQUEST:
          parts.owner.onSelectionRequest(ev as SelectionRequestEvent);
          break;
        case SELECTION_NOTIFY:
          // the core event: the answer to our ConvertSelection
          parts.reader.onConvertAnswer(ev as SelectionNotifyEvent);
          break;
        default:
          // XFIXES: another client may have taken a selection
          if (this.watch?.reports(ev)) {
            const sel = this.byAtom(ev.selection);
            if (sel && this.watch.isForeignTake(ev, sel)) parts.reader.request(sel, ev.timestamp);
          }
      }
    } catch (err) {
      log.error({ err: (err as Error).message, event: ev.name ?? ev.type }, 'clipboard event handling failed');
    }
  };

  private onPropertyNotify(ev: PropertyNotifyEvent, parts: Parts): void {
    if (ev.state === PROPERTY_DELETED) {
      parts.incr.onPropertyDeleted(ev.wid, ev.atom);
      return;
    }
    if (ev.state !== PROPERTY_NEW_VALUE || ev.wid !== this.win) return;
    if (ev.atom === parts.clock.property) {
      parts.clock.deliver(ev.time);
      return;
    }
    // the next INCR chunk we wait for has come
    for (const sel of this.sels) {
      if (sel.incoming && sel.incoming.prop === ev.atom) sel.incoming.signal.notify();
    }
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
    this.parts?.incr.clear();
    this.parts?.clock.cancel();
    for (const sel of this.sels) abandonSelection(sel);
  }
}
