import { DEFAULT_LIMITS, type ParseLimits } from './client-messages.js';
import { DEFAULT_ADMISSION, type AdmissionOptions } from './admission/gatekeeper.js';
import type { SecurityKeys } from './security/security-type.js';
import type { UserDirectory } from './security/server-credentials.js';
import type { VeNCryptSubtypeId } from './security/vencrypt.js';
import { DEFAULT_SESSION_OPTIONS } from './session.js';
import { pacingEnabled } from './session/pacing.js';

/** What an RfbServer is told: credentials and what to offer, limits, and how it treats its clients. */
export interface RfbServerOptions {
  /** The password for full control (VNC Authentication, RSA-AES), or null. */
  password: string | null;
  /** The password that gives a view-only session, or null. */
  viewOnlyPassword: string | null;
  /** Users for the security types with user names (VeNCrypt Plain), or null. */
  users: UserDirectory | null;
  /** Security types to offer by name, most preferred first; null offers every usable type in the default order. */
  securityTypes: readonly string[] | null;
  /** VeNCrypt's subtypes to offer, most preferred first (security/vencrypt.ts); null for the default ones. */
  vencryptSubtypes: readonly VeNCryptSubtypeId[] | null;
  /** Where security types get the server's certificate and RSA key; null when none are kept (those types then fail). */
  keys: SecurityKeys | null;
  /** The blacklist, the limits on connections still in their handshake, and connection rates. */
  admission: AdmissionOptions;
  desktopName: string;
  /** Updates per second per client, 1–60. */
  frameRate: number;
  maxConnections: number;
  /** Treat every client as shared, whatever its ClientInit says. */
  alwaysShared: boolean;
  handshakeTimeoutMs: number;
  limits: ParseLimits;
  maxQueuedBytes: number;
  /** Pace each client's updates by its link (session/pacing.ts); TRAYVNC_PACING=0 turns it off. */
  pacing: boolean;
  /** New clients start view-only (their input and clipboard are dropped). */
  viewOnly: boolean;
  /** Let clients change the desktop size (SetDesktopSize), where the desktop can. */
  allowResize: boolean;
}

export const DEFAULT_SERVER_OPTIONS: RfbServerOptions = {
  password: null,
  viewOnlyPassword: null,
  users: null,
  securityTypes: null,
  vencryptSubtypes: null,
  keys: null,
  admission: DEFAULT_ADMISSION,
  desktopName: 'TrayVNC',
  frameRate: 30,
  maxConnections: 10,
  alwaysShared: false,
  handshakeTimeoutMs: DEFAULT_SESSION_OPTIONS.handshakeTimeoutMs,
  limits: DEFAULT_LIMITS,
  maxQueuedBytes: DEFAULT_SESSION_OPTIONS.maxQueuedBytes,
  pacing: pacingEnabled(),
  viewOnly: false,
  allowResize: true,
};
