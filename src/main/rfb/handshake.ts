import { SecurityType as Ids } from './constants.js';
import type { Access, Credentials, SecurityIo, SecurityKeys, SecurityType } from './security/security-type.js';
import { PROTOCOL_VERSION, securityRefusal, securityResultFailed, securityResultOk, securityTypes } from './server-messages.js';

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

/** What the handshake asks of the server, at the moments it matters. */
export interface HandshakePolicy {
  /** The security types to offer, most preferred first (already filtered to those usable). */
  offered: readonly SecurityType[];
  credentials: Credentials;
  keys: SecurityKeys;
  /** Reason to refuse before security (e.g. the server is shutting down), or null. */
  refusalBeforeSecurity(): string | null;
  /**
   * Authentication succeeded: may this client in, and with what access?
   * Asked before SecurityResult, so a refusal (too many viewers, a person
   * said no) reaches a 3.8 client with its reason. May take a while (a
   * person answering a prompt).
   */
  approve(outcome: { securityType: SecurityType; access: Access; user?: string }): Promise<{ ok: true; access: Access } | { ok: false; reason: string }>;
  /** Called once when the client's credentials were checked, right or wrong (the blacklist counts these; None is always right). */
  onCredentialsChecked(ok: boolean): void;
  /** The security exchange began (a challenge went out): from here an abandoned handshake counts as a failure. */
  onSecurityStarted(type: SecurityType): void;
}

/** How the handshake ended. */
export type HandshakeResult =
  | { ok: true; minor: RfbMinor; securityType: SecurityType; access: Access; user?: string; shared: boolean }
  /** `authFailure`: wrong credentials (as opposed to a protocol error or a refusal). */
  | { ok: false; reason: string; authFailure: boolean };

/** A 3.3 server picks the type itself, and only these two have a 3.3 form. */
const V33_TYPES: ReadonlySet<number> = new Set([Ids.None, Ids.VncAuth]);

/**
 * The server side of the RFB handshake (RFC 6143 §7.1–7.3.1) up to and
 * including ClientInit: version, security type, the type's own exchange,
 * SecurityResult. Reads and writes through `io`; the security type may wrap
 * `io` in TLS or a cipher on the way. Failed reads (the client left, the
 * timeout) reject; everything the protocol can refuse resolves `ok: false`
 * after telling the client why where its version lets us.
 */
export async function runHandshake(io: HandshakeIo, policy: HandshakePolicy): Promise<HandshakeResult> {
  io.write(PROTOCOL_VERSION);
  const announced = (await io.read(12)).toString('latin1');
  const minor = negotiateVersion(announced);
  if (minor === null) return { ok: false, reason: `unsupported protocol version ${JSON.stringify(announced)}`, authFailure: false };
  io.setMinor(minor);

  const refusal = policy.refusalBeforeSecurity();
  if (refusal) {
    io.write(securityRefusal(minor, refusal));
    return { ok: false, reason: refusal, authFailure: false };
  }

  const type = await chooseType(io, minor, policy.offered);
  if (typeof type === 'string') return { ok: false, reason: type, authFailure: false };

  if (type.id !== Ids.None) policy.onSecurityStarted(type);
  const ctx = { io, credentials: policy.credentials, keys: policy.keys };
  const outcome = await type.authenticate(ctx);
  policy.onCredentialsChecked(outcome.ok);
  // RFC 6143 §7.1.3: 3.8 always sends SecurityResult; 3.3 and 3.7 skip it for None.
  const sendsResult = minor === 8 || type.id !== Ids.None;
  if (!outcome.ok) {
    if (sendsResult) io.write(securityResultFailed(minor, outcome.reason));
    return { ok: false, reason: outcome.reason, authFailure: true };
  }
  const approval = await policy.approve({ securityType: type, access: outcome.access, ...(outcome.user !== undefined ? { user: outcome.user } : {}) });
  if (!approval.ok) {
    if (sendsResult) io.write(securityResultFailed(minor, approval.reason));
    return { ok: false, reason: approval.reason, authFailure: false };
  }
  if (sendsResult) io.write(securityResultOk());

  const clientInit = await io.read(1);
  return {
    ok: true,
    minor,
    securityType: type,
    access: approval.access,
    ...(outcome.user !== undefined ? { user: outcome.user } : {}),
    shared: clientInit[0] !== 0,
  };
}

/** The io a handshake runs on: a security type's, plus being told the version. */
export interface HandshakeIo extends SecurityIo {
  setMinor(minor: RfbMinor): void;
}

/** Offer the types and learn the client's choice; a string is a refusal already told to the client. */
async function chooseType(io: HandshakeIo, minor: RfbMinor, offered: readonly SecurityType[]): Promise<SecurityType | string> {
  if (minor === 3) {
    // 3.3: the server decides. Offer the first type that has a 3.3 form (macOS Screen Sharing lands here with VNC Authentication).
    const type = offered.find((t) => V33_TYPES.has(t.id));
    if (!type) {
      const reason = 'this server needs a security type RFB 3.3 viewers do not speak: use a newer viewer';
      io.write(securityRefusal(3, reason));
      return reason;
    }
    io.write(securityTypes(3, [type.id]));
    return type;
  }
  if (offered.length === 0) {
    const reason = 'no security type is enabled on this server';
    io.write(securityRefusal(minor, reason));
    return reason;
  }
  io.write(securityTypes(minor, offered.map((t) => t.id)));
  const chosen = (await io.read(1))[0]!;
  const type = offered.find((t) => t.id === chosen);
  if (!type) {
    // §7.1.2: the client must choose from the list. 3.8 hears why; 3.7 just gets "failed".
    const reason = `client chose security type ${chosen}, which was not offered`;
    io.write(securityResultFailed(minor, reason));
    return reason;
  }
  return type;
}
