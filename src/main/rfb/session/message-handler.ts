import type { ClientMessage } from '../client-messages.js';
import { PseudoEncoding } from '../constants.js';
import { ProtocolError } from '../errors.js';
import { bgr233Palette, pixelFormatError } from '../pixel-format.js';
import { endOfContinuousUpdates, fence, FENCE_REQUEST, setColourMapEntries } from '../server-messages.js';
import type { Clipboard } from './clipboard.js';
import type { SessionContext } from './context.js';
import type { DesktopSize } from './desktop-size.js';
import type { UpdateScheduler } from './update-scheduler.js';

/**
 * What each client message does, once the handshake is over (after
 * TigerVNC's SMsgHandler): one case per message, each handing the work to
 * the part of the session it concerns. Malformed requests throw
 * ProtocolError; the session turns that into closing the connection.
 */
export class MessageHandler {
  constructor(
    private readonly ctx: SessionContext,
    private readonly updates: UpdateScheduler,
    private readonly clipboard: Clipboard,
    private readonly size: DesktopSize,
  ) {}

  handle(m: ClientMessage): void {
    const { ctx } = this;
    switch (m.type) {
      case 'setPixelFormat': {
        const err = pixelFormatError(m.format);
        if (err) throw new ProtocolError(`invalid pixel format: ${err}`);
        ctx.params.pixelFormat = m.format;
        this.updates.pixelFormatChanged();
        if (!m.format.trueColour) ctx.write(setColourMapEntries(0, bgr233Palette()));
        break;
      }
      case 'setEncodings':
        this.setEncodings(m.encodings);
        break;
      case 'updateRequest':
        this.updates.requested({ x: m.x, y: m.y, w: m.w, h: m.h }, m.incremental);
        break;
      case 'cutTextTooLong':
        // The session skips its bytes; here it is only reported.
        ctx.log.warn({ length: m.length }, `client cut text of ${m.length} bytes exceeds the limit; ignored`);
        break;
      case 'enableContinuousUpdates':
        if (!ctx.params.supports(PseudoEncoding.ContinuousUpdates)) {
          throw new ProtocolError('EnableContinuousUpdates without announcing the ContinuousUpdates encoding');
        }
        this.updates.continuousUpdates(m.enable, m);
        break;
      case 'fence':
        // A request is answered; a reply may be to one of the pings that measure the link.
        if (m.flags & FENCE_REQUEST) this.updates.fenceRequested(m.flags, m.payload);
        else this.updates.fenceReplied(m.payload);
        break;
      case 'setDesktopSize':
        void this.size.requested(m.width, m.height, m.screens.length);
        break;
      case 'cutText':
        this.clipboard.fromClient(m.text, m.extended);
        break;
      case 'key':
      case 'pointer':
      case 'qemuKey':
        if (!ctx.params.viewOnly) ctx.host.onInput(ctx.session, m);
        break;
      default: {
        const never: never = m;
        throw new ProtocolError(`unhandled client message ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * SetEncodings. Some pseudo-encodings are answered as soon as the client
   * first lists them: an EndOfContinuousUpdates says we support continuous
   * updates and a fence request that we support fences (noVNC waits for both
   * signals, rfbproto), the Extended Clipboard gets our capabilities, and
   * ExtendedDesktopSize the screen layout.
   */
  private setEncodings(list: number[]): void {
    const { params } = this.ctx;
    const had = (e: number) => params.supports(e);
    const hadExtendedSize = had(PseudoEncoding.ExtendedDesktopSize);
    const hadExtendedClipboard = had(PseudoEncoding.ExtendedClipboard);
    const hadContinuous = had(PseudoEncoding.ContinuousUpdates);
    const hadFence = had(PseudoEncoding.Fence);
    params.encodings = list;
    if (!hadContinuous && params.supports(PseudoEncoding.ContinuousUpdates)) this.ctx.write(endOfContinuousUpdates());
    if (!hadFence && params.supports(PseudoEncoding.Fence)) this.ctx.write(fence(FENCE_REQUEST));
    this.clipboard.encodingsChanged(hadExtendedClipboard);
    this.updates.encodingsChanged();
    this.size.encodingsChanged(hadExtendedSize);
  }
}
