import { ProtocolError } from '../errors.js';
import { plainAuthenticate } from './plain.js';
import type { AuthOutcome, Credentials, SecurityContext, SecurityType } from './security-type.js';
import { anonTlsOptions, x509TlsOptions } from './vencrypt-tls.js';
import { challengeAndCheck } from './vnc-auth.js';

/**
 * VeNCrypt (security type 19), version 0.2, as the community RFB document
 * describes it:
 *
 *   server: U8 major, U8 minor (0.2)      client: U8 major, U8 minor
 *   server: U8 0 (ok) or 255 (refused)
 *   server: U8 n, n × U32 subtypes        client: U32 chosen subtype
 *   TLS and X509 subtypes only: server U8 1, then the TLS handshake
 *   then the inner authentication (None, VNC Authentication or Plain)
 *
 * The "U8 1" before TLS is not in the document but is what every
 * implementation does (TigerVNC's, QEMU's servers) and what viewers wait for
 * (libvncclient refuses anything but 1; TigerVNC treats 0 as "server failed
 * to start TLS"). Plain without TLS has no such byte.
 *
 * SecurityResult comes after, from the handshake runner, through the same
 * io — inside TLS when TLS was started.
 */

export const VENCRYPT_TYPE = 19;

/** The subtypes of VeNCrypt 0.2 (U32 on the wire). */
export const VeNCryptSubtype = {
  Plain: 256,
  TLSNone: 257,
  TLSVnc: 258,
  TLSPlain: 259,
  X509None: 260,
  X509Vnc: 261,
  X509Plain: 262,
} as const;
export type VeNCryptSubtypeId = (typeof VeNCryptSubtype)[keyof typeof VeNCryptSubtype];
/** The names TigerVNC's -SecurityTypes uses, and so the names in our settings. */
export type VeNCryptSubtypeName = keyof typeof VeNCryptSubtype;

type Transport = 'clear' | 'anon' | 'x509';
type Inner = 'none' | 'vnc' | 'plain';

/** What each subtype is made of: how the channel is protected, then how the client proves who it is. */
const SUBTYPES: Record<VeNCryptSubtypeId, { transport: Transport; inner: Inner }> = {
  256: { transport: 'clear', inner: 'plain' },
  257: { transport: 'anon', inner: 'none' },
  258: { transport: 'anon', inner: 'vnc' },
  259: { transport: 'anon', inner: 'plain' },
  260: { transport: 'x509', inner: 'none' },
  261: { transport: 'x509', inner: 'vnc' },
  262: { transport: 'x509', inner: 'plain' },
};

/** The subtype named `name` (case-insensitive, e.g. "x509plain"), or null. */
export function vencryptSubtypeByName(name: string): VeNCryptSubtypeId | null {
  const key = (Object.keys(VeNCryptSubtype) as VeNCryptSubtypeName[]).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? VeNCryptSubtype[key] : null;
}

export function vencryptSubtypeName(id: VeNCryptSubtypeId): VeNCryptSubtypeName {
  return (Object.keys(VeNCryptSubtype) as VeNCryptSubtypeName[]).find((k) => VeNCryptSubtype[k] === id)!;
}

/**
 * The subtypes offered unless the settings say otherwise. Anonymous TLS
 * first: libvncclient (Remmina) takes the first subtype offered and refuses a
 * certificate it cannot check, and a viewer set up with no CA file for us
 * would then fail instead of getting an encrypted (if not authenticated)
 * session; TigerVNC picks by its own order, X.509 first, and asks its user
 * about our certificate. User names before the VNC password (Plain checks a
 * whole password, not its first 8 characters). None of the None-inner
 * subtypes: those are asked for explicitly.
 */
export const DEFAULT_VENCRYPT_SUBTYPES: readonly VeNCryptSubtypeId[] = [
  VeNCryptSubtype.TLSPlain,
  VeNCryptSubtype.TLSVnc,
  VeNCryptSubtype.X509Plain,
  VeNCryptSubtype.X509Vnc,
];

/** Whether a subtype can be offered with these credentials. */
export function subtypeUsable(id: VeNCryptSubtypeId, credentials: Credentials): boolean {
  switch (SUBTYPES[id].inner) {
    case 'vnc':
      return credentials.hasVncPassword;
    case 'plain':
      return credentials.hasUsers;
    case 'none':
      // Like security type None: only on a server that asks nobody for anything. Offering it
      // next to a password would let every viewer walk round the password.
      return !credentials.hasVncPassword && !credentials.hasUsers;
  }
}

/** The VeNCrypt version this server speaks: 0.2 (0.1, with U8 subtypes, is obsolete). */
const MAJOR = 0;
const MINOR = 2;
/** The version-refused byte: any non-zero value; 255 is the one the document names. */
const VERSION_REFUSED = 255;

export class VeNCrypt implements SecurityType {
  readonly id = VENCRYPT_TYPE;
  readonly name = 'vencrypt';
  readonly encrypts: boolean;
  private readonly subtypes: readonly VeNCryptSubtypeId[];

  /** `subtypes`: those to offer, most preferred first (viewers take the first they support, in our order or theirs). */
  constructor(subtypes: readonly VeNCryptSubtypeId[]) {
    const unique = [...new Set(subtypes)];
    for (const s of unique) if (!(s in SUBTYPES)) throw new Error(`unknown VeNCrypt subtype ${s}`);
    if (unique.length === 0) throw new Error('VeNCrypt needs at least one subtype');
    // The count goes on the wire as a U8; there are only seven, but say so rather than truncate.
    if (unique.length > 255) throw new Error('too many VeNCrypt subtypes');
    this.subtypes = unique;
    // Plain without TLS sends the password and the session in the clear.
    this.encrypts = unique.every((s) => SUBTYPES[s].transport !== 'clear');
  }

  /** The subtypes offered to a client with these credentials, in order. */
  offered(credentials: Credentials): VeNCryptSubtypeId[] {
    return this.subtypes.filter((s) => subtypeUsable(s, credentials));
  }

  usable(credentials: Credentials): boolean {
    return this.offered(credentials).length > 0;
  }

  async authenticate(ctx: SecurityContext): Promise<AuthOutcome> {
    const { io, credentials } = ctx;
    io.write(Buffer.from([MAJOR, MINOR]));
    const [major, minor] = await io.read(2);
    if (major !== MAJOR || minor !== MINOR) {
      io.write(Buffer.from([VERSION_REFUSED]));
      // 0.0 is the client's way of saying it cannot speak our version.
      throw new ProtocolError(
        major === 0 && minor === 0 ? 'VeNCrypt: the client cannot use version 0.2' : `VeNCrypt: the client asked for version ${major}.${minor}; only 0.2 is served`,
      );
    }
    io.write(Buffer.from([0]));

    // The X509 subtypes only if the certificate can be had: a viewer that picks one and then hears "no TLS" gives up.
    let offered = this.offered(credentials);
    let certificate: { cert: string; key: string } | null = null;
    let certificateError = '';
    if (offered.some((s) => SUBTYPES[s].transport === 'x509')) {
      try {
        certificate = await ctx.keys.tls();
      } catch (e) {
        certificateError = `: no TLS certificate (${(e as Error).message})`;
        offered = offered.filter((s) => SUBTYPES[s].transport !== 'x509');
      }
    }
    const list = Buffer.alloc(1 + 4 * offered.length);
    list[0] = offered.length;
    offered.forEach((s, i) => list.writeUInt32BE(s, 1 + 4 * i));
    io.write(list);
    // With nothing to offer the count is 0 and the document says the connection ends here.
    if (offered.length === 0) throw new ProtocolError(`VeNCrypt: no subtype can be offered with the configured credentials${certificateError}`);

    const chosen = (await io.read(4)).readUInt32BE(0);
    if (!(offered as number[]).includes(chosen)) {
      // A 0 here is what viewers that wait for the go-ahead byte read as "no TLS": a clear refusal, not a hang.
      io.write(Buffer.from([0]));
      throw new ProtocolError(chosen === 0 ? 'VeNCrypt: the client supports none of the offered subtypes' : `VeNCrypt: the client chose subtype ${chosen}, which was not offered`);
    }
    const subtype = SUBTYPES[chosen as VeNCryptSubtypeId];
    if (subtype.transport !== 'clear') {
      // The go-ahead byte, then TLS; the certificate was fetched above (an X509 subtype is offered only with one).
      io.write(Buffer.from([1]));
      await io.startTls(subtype.transport === 'anon' ? anonTlsOptions() : x509TlsOptions(certificate!));
    }
    return innerAuthenticate(ctx, subtype.inner);
  }
}

/** The authentication inside VeNCrypt, after TLS if any (the io is TLS's by now). */
async function innerAuthenticate(ctx: SecurityContext, inner: Inner): Promise<AuthOutcome> {
  switch (inner) {
    case 'none':
      return { ok: true, access: 'full' };
    case 'plain':
      return plainAuthenticate(ctx.io, ctx.credentials);
    case 'vnc': {
      // VNC Authentication (RFC 6143 §7.2.2), the same exchange as type 2.
      const access = await challengeAndCheck(ctx);
      return access ? { ok: true, access } : { ok: false, reason: 'authentication failed' };
    }
  }
}
