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
   * pointer is: ask the desktop up to 20 times a second while it moves, and
   * only while such a client is connected (clients drawing the cursor
   * themselves cost nothing). Once it has been still a while: with a backend
   * that reports moves (X11 with XI2) only every 5 s, as a safety net, and at
   * once when it moves; otherwise 4 times a second, then once a second after
   * some 10 s (each look is an X round trip, the idle server's main cost).
   */
  private pollPointer(cursor: CursorSource): void {
    const fast = 1000 / Math.min(this.config.frame_rate, 20);
    const slow = 250;
    const idle = 1000;
    const watched = 5000;
    let last: { x: number; y: number } | null = null;
    let still = 0;
    /** A move was reported since the last look began. */
    let moved = false;
    const next = (): number => (still <= 10 ? fast : cursor.reportsMotion ? watched : still > 50 ? idle : slow);
    const arm = (ms: number): void => {
      if (this.started.length > 0) this.pointerTimer = setTimeout(() => void tick(), ms);
    };
    const tick = async () => {
      this.pointerTimer = null;
      moved = false;
      // With moves reported, looks are few (on a move, or every 5 s): keep the position fresh for whoever comes.
      if (this.server.needsPointerPosition || cursor.reportsMotion) {
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
      } else {
        still++; // nobody needs it: look less and less often
      }
      // A move heard while this look waited for its answer: look again soon.
      if (moved) still = 0;
      arm(next());
    };
    // A move ends a long wait at once (a look under way sees `moved` when it ends).
    cursor.onMotion?.(() => {
      moved = true;
      if (!this.pointerTimer || still <= 10) return;
      clearTimeout(this.pointerTimer);
      still = 0;
      arm(0);
    });
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
