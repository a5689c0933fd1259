import type { Logger } from 'pino';
import type { InputSink } from '../desktop/input.js';
import type { RfbServer } from '../rfb/server.js';
import type { InputMessage, Session } from '../rfb/session.js';
import { getLogger } from '../base/logger.js';

/** What one client holds down, so it can be let go when the client leaves. */
interface Held {
  keysyms: Set<number>;
  scancodes: Map<number, number>; // scancode → keysym
  buttons: number;
  x: number;
  y: number;
}

/**
 * Routes clients' keyboard and pointer events to the desktop's input sink,
 * offset to the shared area, and releases whatever a client still holds when
 * it disconnects or loses control — so a client that drops mid-chord never
 * leaves Shift or a mouse button pressed.
 */
export class InputRouter {
  private readonly held = new Map<string, Held>();
  private readonly log: Logger;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    server: RfbServer,
    private readonly sink: InputSink,
    /** Top-left of the shared area on the desktop (monitor or clip). */
    private readonly origin: () => { x: number; y: number } = () => ({ x: 0, y: 0 }),
  ) {
    this.log = getLogger('input');
    server.on('input', (session, msg) => this.enqueue(() => this.handle(session, msg)));
    server.on('disconnected', (session) => this.enqueue(() => this.releaseAll(session.id)));
  }

  /** Events go out in order, one at a time; a failing event is logged and skipped. */
  private enqueue(job: () => Promise<void>): void {
    this.queue = this.queue.then(job).catch((e: unknown) => this.log.warn({ err: e }, 'input event failed'));
  }

  private state(id: string): Held {
    let h = this.held.get(id);
    if (!h) {
      h = { keysyms: new Set(), scancodes: new Map(), buttons: 0, x: 0, y: 0 };
      this.held.set(id, h);
    }
    return h;
  }

  private async handle(session: Session, msg: InputMessage): Promise<void> {
    if (session.closed || session.viewOnly) return;
    const h = this.state(session.id);
    switch (msg.type) {
      case 'key':
        if (msg.down) h.keysyms.add(msg.keysym);
        else if (!h.keysyms.delete(msg.keysym)) return; // a release we never pressed (e.g. after view-only)
        await this.sink.key(msg.keysym, msg.down);
        break;
      case 'qemuKey':
        if (msg.down) h.scancodes.set(msg.keycode, msg.keysym);
        else if (!h.scancodes.delete(msg.keycode)) return;
        if (this.sink.scancode) await this.sink.scancode(msg.keycode, msg.keysym, msg.down);
        else await this.sink.key(msg.keysym, msg.down);
        break;
      case 'pointer': {
        const o = this.origin();
        h.buttons = msg.buttons;
        h.x = msg.x + o.x;
        h.y = msg.y + o.y;
        await this.sink.pointer(h.x, h.y, msg.buttons);
        break;
      }
    }
  }

  /** Let go of everything this client holds (it left, or lost control). */
  releaseFor(sessionId: string): void {
    this.enqueue(() => this.releaseAll(sessionId));
  }

  private async releaseAll(id: string): Promise<void> {
    const h = this.held.get(id);
    this.held.delete(id);
    if (!h) return;
    for (const [code, keysym] of h.scancodes) {
      if (this.sink.scancode) await this.sink.scancode(code, keysym, false);
      else await this.sink.key(keysym, false);
    }
    for (const keysym of h.keysyms) await this.sink.key(keysym, false);
    if (h.buttons & 0x187) await this.sink.pointer(h.x, h.y, 0); // buttons 1–3, back, forward
    if (h.keysyms.size + h.scancodes.size > 0 || h.buttons) {
      this.log.info({ session: id.slice(0, 8), keys: h.keysyms.size + h.scancodes.size }, 'released input held by a departed client');
    }
  }

  /** Wait until queued events have gone out (for tests and shutdown). */
  flush(): Promise<void> {
    return this.queue;
  }
}
