import type { Logger } from 'pino';
import type { ClipboardBackend, CursorSource, InputSink } from '../desktop/input.js';
import type { RfbServer } from '../rfb/server.js';
import { getLogger } from '../base/logger.js';
import type { Config } from './config.js';
import { InputRouter } from './input-router.js';

/** The desktop's interactive parts; any may be missing (view-only platforms, no XFIXES...). */
export interface DesktopParts {
  input: InputSink | null;
  clipboard: ClipboardBackend | null;
  cursor: CursorSource | null;
}

/**
 * Connects the interactive parts of a desktop to the RFB server: input
 * (through an InputRouter), the clipboard in the directions the settings
 * allow, and the cursor shape and position. A part that fails to start is
 * logged and left out; sharing the screen goes on without it.
 */
export class DesktopFeatures {
  private readonly log: Logger;
  private router: InputRouter | null = null;
  private pointerTimer: NodeJS.Timeout | null = null;
  private started: Array<{ stop(): Promise<void> }> = [];

  constructor(
    private readonly server: RfbServer,
    private readonly parts: DesktopParts,
    private readonly config: Config,
    /** Top-left of the shared area on the desktop. */
    private readonly origin: () => { x: number; y: number },
  ) {
    this.log = getLogger('desktop');
  }

  async start(): Promise<void> {
    const { input, clipboard, cursor } = this.parts;
    if (input && (await this.tryStart('input', input))) {
      this.router = new InputRouter(this.server, input, this.origin);
      // The pointer position clients set is where the cursor is painted for those that cannot draw it.
      this.server.on('input', (_s, m) => {
        if (m.type === 'pointer') this.server.setPointer(m.x, m.y);
      });
    }
    if (clipboard && (await this.tryStart('clipboard', clipboard))) {
      const mode = this.config.clipboard;
      if (mode === 'both' || mode === 'from-clients') {
        this.server.on('clipboard', (_s, text) => {
          clipboard.write(text).catch((e: unknown) => this.log.warn({ err: e }, 'could not set the desktop clipboard'));
        });
      }
      if (mode === 'both' || mode === 'to-clients') {
        clipboard.onChange((text) => this.server.broadcastClipboard(text));
      }
    }
    if (cursor && (await this.tryStart('cursor', cursor))) {
      this.server.setCursor(cursor.current());
      cursor.onChange((c) => this.server.setCursor(c));
      this.pollPointer(cursor);
    }
  }

  /**
   * Clients that cannot draw the cursor need to know where the desktop's own
   * pointer is: ask the desktop up to 20 times a second while it moves, 4 times
   * a second while it is still, once a second once it has been still some 10 s,
   * and only while such a client is connected
   * (clients drawing the cursor themselves cost nothing).
   */
  private pollPointer(cursor: CursorSource): void {
    const fast = 1000 / Math.min(this.config.frame_rate, 20);
    const slow = 250; // a still pointer is checked 4 times a second: an idle desktop stays (almost) free
    const idle = 1000; // still for some 10 s: once a second (each look is an X round trip, the idle server's main cost)
    let last: { x: number; y: number } | null = null;
    let still = 0;
    const tick = async () => {
      this.pointerTimer = null;
      if (this.server.needsPointerPosition) {
        try {
          const p = await cursor.position();
          const o = this.origin();
          if (p) {
            still = last && last.x === p.x && last.y === p.y ? still + 1 : 0;
            last = p;
            this.server.setPointer(p.x - o.x, p.y - o.y);
          } else {
            still++; // nothing to follow (a backend that does not know): look less and less often
          }
        } catch (e) {
          this.log.debug({ err: e }, 'pointer position unavailable');
        }
      }
      if (this.started.length > 0) this.pointerTimer = setTimeout(() => void tick(), still > 50 ? idle : still > 10 ? slow : fast);
    };
    this.pointerTimer = setTimeout(() => void tick(), 100);
  }

  private async tryStart(what: string, part: { start(): Promise<void>; stop(): Promise<void>; name: string }): Promise<boolean> {
    try {
      await part.start();
      this.started.push(part);
      this.log.info({ backend: part.name }, `${what} backend ready`);
      return true;
    } catch (e) {
      this.log.warn({ err: e }, `${what} is not available: ${(e as Error).message}`);
      return false;
    }
  }

  async stop(): Promise<void> {
    if (this.pointerTimer) clearTimeout(this.pointerTimer);
    this.pointerTimer = null;
    const parts = this.started;
    this.started = [];
    await this.router?.flush();
    for (const p of parts) await p.stop().catch(() => undefined);
  }
}
