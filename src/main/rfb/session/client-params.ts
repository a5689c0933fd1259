import { NATIVE_FORMAT, type PixelFormat } from '../pixel-format.js';
import type { RfbMinor } from '../handshake.js';

/**
 * What one client negotiated and what it may do (after TigerVNC's
 * ClientParams): read by every part of its session, written by the message
 * handler (format, encodings), the handshake (version, shared) and the server
 * (view-only).
 */
export class ClientParams {
  /** RFB 3.x minor version spoken. */
  minor: RfbMinor = 8;
  /** Whether it asked to share the desktop with other clients (ClientInit). */
  shared = false;
  /** A view-only client's input and clipboard are read and dropped. */
  viewOnly = false;
  /** Its pixel format (SetPixelFormat); the server's own until it sends one. */
  pixelFormat: PixelFormat = NATIVE_FORMAT;
  /** Its SetEncodings list, in its order of preference, pseudo-encodings included. */
  encodings: number[] = [];

  /** Whether it listed this encoding or pseudo-encoding. */
  supports(encoding: number): boolean {
    return this.encodings.includes(encoding);
  }
}
