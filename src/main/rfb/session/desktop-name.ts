import { PseudoEncoding } from '../constants.js';
import { writeDesktopName } from '../server-messages.js';
import type { ByteWriter } from '../wire.js';
import type { SessionContext } from './context.js';

/** The desktop's name, sent again (DesktopName pseudo-encoding) to a client that understands it when it changes. */
export class DesktopName {
  private changedSinceSent = false;

  constructor(private readonly ctx: SessionContext) {}

  /** The desktop was renamed; a client that announced DesktopName hears of it in its next update. */
  changed(): void {
    if (!this.ctx.ready || !this.ctx.params.supports(PseudoEncoding.DesktopName)) return;
    this.changedSinceSent = true;
    this.ctx.wake();
  }

  due(): boolean {
    return this.changedSinceSent;
  }

  /** The new name, when due; returns how many rectangles. */
  write(out: ByteWriter): number {
    if (!this.changedSinceSent) return 0;
    writeDesktopName(out, this.ctx.host.desktopName());
    this.changedSinceSent = false;
    return 1;
  }
}
