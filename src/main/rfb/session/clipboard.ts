import { ClipboardAction, ClipboardFormat, PseudoEncoding } from '../constants.js';
import { parseExtendedClipboard, toLatin1, truncateUtf8 } from '../extended-clipboard.js';
import { clipboardCaps, clipboardNotify, clipboardProvide, clipboardRequest, serverCutText } from '../server-messages.js';
import type { SessionContext } from './context.js';

/**
 * The clipboard with one client, both ways: classic cut text (Latin-1), or
 * the Extended Clipboard (UTF-8) with a client that announced it — there the
 * server says it has text (Notify) and hands it over when asked (Request).
 */
export class Clipboard {
  /** What the client said it can do with the Extended Clipboard (its Caps message), if anything. */
  private caps: { actions: number; formats: number } | null = null;
  /** The text we last announced to this client, handed over when it asks (Request). */
  private offeredText: string | null = null;

  constructor(private readonly ctx: SessionContext) {}

  /** The client's encodings changed: one that now announces the Extended Clipboard gets our capabilities. */
  encodingsChanged(hadExtended: boolean): void {
    if (!hadExtended && this.ctx.params.supports(PseudoEncoding.ExtendedClipboard)) this.ctx.write(clipboardCaps(this.ctx.host.maxCutText()));
  }

  /** ClientCutText: classic text, or an Extended Clipboard message's payload. */
  fromClient(payload: Buffer, extended: boolean): void {
    const { ctx } = this;
    if (extended) this.extendedFromClient(payload);
    else if (!ctx.params.viewOnly) ctx.host.onClipboard(ctx.session, payload.toString('latin1'));
  }

  /**
   * The desktop clipboard changed. Extended Clipboard clients are told there is
   * text (they ask for it, and get it in UTF-8); others get Latin-1 cut text.
   */
  toClient(text: string): void {
    const { ctx } = this;
    if (!ctx.ready) return;
    const max = ctx.host.maxCutText();
    if (ctx.params.supports(PseudoEncoding.ExtendedClipboard) && this.caps && this.caps.actions & ClipboardAction.Request) {
      this.offeredText = Buffer.byteLength(text) > max ? truncateUtf8(text, max) : text;
      ctx.write(clipboardNotify(ClipboardFormat.Text));
      return;
    }
    const latin1 = toLatin1(text);
    ctx.write(serverCutText(latin1.subarray(0, Math.min(latin1.length, max))));
  }

  private extendedFromClient(payload: Buffer): void {
    const { ctx } = this;
    const msg = parseExtendedClipboard(payload, ctx.host.maxCutText());
    switch (msg.action) {
      case 'caps':
        this.caps = { actions: msg.actions, formats: msg.formats };
        break;
      case 'request':
        if (msg.formats & ClipboardFormat.Text && this.offeredText !== null) ctx.write(clipboardProvide(this.offeredText));
        break;
      case 'peek':
        ctx.write(clipboardNotify(this.offeredText !== null ? ClipboardFormat.Text : 0));
        break;
      case 'notify':
        // The client has new clipboard contents: ask for the text if it has some.
        if (!ctx.params.viewOnly && msg.formats & ClipboardFormat.Text) ctx.write(clipboardRequest(ClipboardFormat.Text));
        break;
      case 'provide':
        if (ctx.params.viewOnly) break;
        if (msg.text === null) ctx.log.warn(`client clipboard exceeds the limit of ${ctx.host.maxCutText()} bytes; ignored`);
        else ctx.host.onClipboard(ctx.session, msg.text);
        break;
    }
  }
}
