import { SecurityType } from './constants.js';
import { ProtocolError } from './errors.js';
import { checkVncAuth, newChallenge } from './security/vnc-auth.js';
import {
  PROTOCOL_VERSION,
  securityRefusal,
  securityResultFailed,
  securityResultOk,
  securityTypes,
  vncAuthChallenge,
} from './server-messages.js';

/** Protocol minor versions we speak (major is always 3). */
export type RfbMinor = 3 | 7 | 8;


/**
 * Which version to speak with a client that announced `text` (12 bytes), or
 * null if we cannot serve it. RFC 6143 §7.1.1: unknown versions are served as
 * the nearest lower one we know; 3.4–3.6 are 3.3, anything above 3.8 is 3.8
 * (Apple's 3.889 among them).
 */
export function negotiateVersion(text: string): RfbMinor | null {
  const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(text);
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major > 3) return 8;
  if (major < 3) return null;
  if (minor >= 8) return 8;
  if (minor === 7) return 7;
  if (minor >= 3) return 3;
  return null;
}

export interface HandshakeOptions {
  /** VNC Authentication password, or null for Security None. */
  password: string | null;
  /** When set, the client is refused before authentication with this reason. */
  refuseReason?: string | null;
}

export type HandshakeEvent =
  | { kind: 'output'; data: Buffer }
  | { kind: 'version'; minor: RfbMinor; announced: string }
  /** Authentication succeeded or was not needed; ClientInit comes next. */
  | { kind: 'authenticated'; securityType: number }
  /** Handshake over: the client sent ClientInit. */
  | { kind: 'init'; shared: boolean }
  /** The client is refused; the reason is for the log (and for 3.8 clients, the wire). */
  | { kind: 'refused'; reason: string; authFailure: boolean };

type State = 'version' | 'securityChoice' | 'vncAuthResponse' | 'clientInit' | 'done' | 'closed';

/**
 * The server side of the RFB handshake as a pure state machine: bytes in,
 * events out. `feed` returns how many bytes it consumed (0 = need more).
 * After 'init' or 'refused' it consumes nothing more.
 */
export class Handshake {
  private state: State = 'version';
  private minor: RfbMinor = 8;
  private challenge: Buffer | null = null;

  constructor(private readonly opts: HandshakeOptions) {}

  get version(): RfbMinor {
    return this.minor;
  }

  get finished(): boolean {
    return this.state === 'done' || this.state === 'closed';
  }

  /** What the server says first. */
  greeting(): Buffer {
    return PROTOCOL_VERSION;
  }

  private securityTypeOffered(): number {
    return this.opts.password === null ? SecurityType.None : SecurityType.VncAuth;
  }

  feed(buf: Buffer, off: number, events: HandshakeEvent[]): number {
    const avail = buf.length - off;
    switch (this.state) {
      case 'version': {
        if (avail < 12) return 0;
        const announced = buf.toString('latin1', off, off + 12);
        const minor = negotiateVersion(announced);
        if (minor === null) {
          this.state = 'closed';
          events.push({ kind: 'refused', reason: `unsupported protocol version ${JSON.stringify(announced)}`, authFailure: false });
          return 12;
        }
        this.minor = minor;
        events.push({ kind: 'version', minor, announced });
        this.afterVersion(events);
        return 12;
      }
      case 'securityChoice': {
        if (avail < 1) return 0;
        const chosen = buf[off]!;
        if (chosen !== this.securityTypeOffered()) {
          this.fail(events, `client chose security type ${chosen}, which was not offered`, false);
          return 1;
        }
        this.startSecurity(events);
        return 1;
      }
      case 'vncAuthResponse': {
        if (avail < 16) return 0;
        const ok = checkVncAuth(this.opts.password ?? '', this.challenge!, buf.subarray(off, off + 16));
        this.challenge = null;
        if (!ok) {
          this.fail(events, 'authentication failed', true);
          return 16;
        }
        events.push({ kind: 'output', data: securityResultOk() });
        events.push({ kind: 'authenticated', securityType: SecurityType.VncAuth });
        this.state = 'clientInit';
        return 16;
      }
      case 'clientInit': {
        if (avail < 1) return 0;
        this.state = 'done';
        events.push({ kind: 'init', shared: buf[off] !== 0 });
        return 1;
      }
      default:
        return 0;
    }
  }

  private afterVersion(events: HandshakeEvent[]): void {
    const refuse = this.opts.refuseReason;
    if (this.minor === 3) {
      // 3.3: the server decides the security type; 0 means "refused", followed by a reason.
      if (refuse) {
        events.push({ kind: 'output', data: securityRefusal(3, refuse) });
        this.refuse(events, refuse, false);
        return;
      }
      events.push({ kind: 'output', data: securityTypes(3, [this.securityTypeOffered()]) });
      this.startSecurity(events);
      return;
    }
    if (refuse) {
      events.push({ kind: 'output', data: securityRefusal(this.minor, refuse) });
      this.refuse(events, refuse, false);
      return;
    }
    events.push({ kind: 'output', data: securityTypes(this.minor, [this.securityTypeOffered()]) });
    this.state = 'securityChoice';
  }

  private startSecurity(events: HandshakeEvent[]): void {
    if (this.opts.password === null) {
      // RFC 6143 §7.1.3: with None, 3.8 still sends SecurityResult; 3.3 and 3.7 go straight to ClientInit.
      if (this.minor === 8) events.push({ kind: 'output', data: securityResultOk() });
      events.push({ kind: 'authenticated', securityType: SecurityType.None });
      this.state = 'clientInit';
      return;
    }
    this.challenge = newChallenge();
    events.push({ kind: 'output', data: vncAuthChallenge(this.challenge) });
    this.state = 'vncAuthResponse';
  }

  /** SecurityResult "failed"; only 3.8 carries a reason string. */
  private fail(events: HandshakeEvent[], reason: string, authFailure: boolean): void {
    events.push({ kind: 'output', data: securityResultFailed(this.minor, reason) });
    this.refuse(events, reason, authFailure);
  }

  private refuse(events: HandshakeEvent[], reason: string, authFailure: boolean): void {
    this.state = 'closed';
    events.push({ kind: 'refused', reason, authFailure });
  }

  /** Guard for callers that feed after the end. */
  assertOpen(): void {
    if (this.state === 'closed') throw new ProtocolError('handshake already failed');
  }
}
