import type { TlsOptions } from 'node:tls';

/**
 * The connection as a security type sees it during the handshake: bytes to
 * read and write, and ways to change what carries them from here on — TLS
 * (VeNCrypt) or a record cipher (RSA-AES). Everything the session sends or
 * reads after the change goes through it.
 */
export interface SecurityIo {
  /** The client's IP address (for the log and the blacklist). */
  readonly address: string;
  /** The protocol minor version agreed with the client (3, 7 or 8). */
  readonly minor: 3 | 7 | 8;
  /** The next `n` bytes from the client; rejects if the connection ends or the handshake is abandoned. */
  read(n: number): Promise<Buffer>;
  write(data: Buffer): void;
  /**
   * Start TLS as the server on this connection (VeNCrypt): resolves once the
   * TLS handshake is done; from then on reads and writes are inside TLS.
   */
  startTls(options: TlsOptions): Promise<void>;
  /** From now on every byte both ways goes through this cipher (RSA-AES after its key exchange). */
  setCipher(cipher: RecordCipher): void;
}

/** A framed cipher for the rest of a connection (RSA-AES's AES-EAX records). */
export interface RecordCipher {
  /** Bytes to send for `plain` (one or more records). */
  seal(plain: Buffer): Buffer;
  /**
   * Take bytes as they arrive; return the plain text of every record now
   * complete (empty while a record is partial). Throws on a forged or
   * corrupt record: the connection is then closed.
   */
  open(chunk: Buffer): Buffer;
}

/** What a viewer may do once in: everything, or watch only. */
export type Access = 'full' | 'view-only';

/** How authentication ended. `user` names who logged in where the type has user names (Plain). */
export type AuthOutcome =
  | { ok: true; access: Access; user?: string }
  /** `reason` goes to the client (3.8) and the log; it must not say which part was wrong. */
  | { ok: false; reason: string };

/**
 * The secrets a security type checks answers against. Passwords never leave
 * this object: types ask it to check, they do not read passwords.
 */
export interface Credentials {
  /** Whether any VNC password is set (VNC Authentication can be offered). */
  readonly hasVncPassword: boolean;
  /** Whether any user is configured (Plain and its TLS forms can be offered). */
  readonly hasUsers: boolean;
  /** The access the VNC Authentication `response` to `challenge` grants: the full password's, the view-only one's, or null. */
  checkVncResponse(challenge: Buffer, response: Buffer): Access | null;
  /** The access a password given whole grants (RSA-AES without a user name): the full password's, the view-only one's, or null. */
  checkPassword(password: string): Access | null;
  /** The access a user name and password grant, or null (checked in constant time against salted hashes). */
  checkUser(user: string, password: string): Promise<Access | null>;
}

/**
 * Keys and certificates that some types need, made on first use and kept
 * (see app/: the key store). Getting one may take time the first time.
 */
export interface SecurityKeys {
  /** The server's TLS certificate and key (PEM), for VeNCrypt's X509 subtypes and anonymous-DH-free TLS. */
  tls(): Promise<{ cert: string; key: string }>;
  /** The server's RSA private key (PEM, PKCS#8), for RSA-AES. */
  rsa(): Promise<string>;
}

/** What a security type gets to work with. */
export interface SecurityContext {
  readonly io: SecurityIo;
  readonly credentials: Credentials;
  readonly keys: SecurityKeys;
}

/**
 * One RFB security type (RFC 6143 §7.2, the RFB community registry): the
 * exchange after the client chose it and before SecurityResult. One type per
 * file in this folder, listed in security/registry.ts.
 */
export interface SecurityType {
  /** The number on the wire. */
  readonly id: number;
  /** The name in settings, logs and the audit trail (e.g. "vnc", "vencrypt", "ra2"). */
  readonly name: string;
  /** Whether it encrypts the session after authentication (for warnings and the UI). */
  readonly encrypts: boolean;
  /** The key it cannot work without ('rsa' for RSA-AES): a server that keeps no keys does not offer it. */
  readonly needsKey?: keyof SecurityKeys;
  /** Whether it can be offered with these credentials (e.g. VNC Authentication needs a password). */
  usable(credentials: Credentials): boolean;
  /** Run the exchange. Throwing (or a failed read) ends the connection as a protocol error. */
  authenticate(ctx: SecurityContext): Promise<AuthOutcome>;
}
