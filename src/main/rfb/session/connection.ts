import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import type { RfbMinor, HandshakeIo } from '../handshake.js';
import { ByteReader } from '../security/byte-reader.js';
import type { RecordCipher } from '../security/security-type.js';

export type SocketLike = Duplex & { remoteAddress?: string | undefined; remotePort?: number | undefined };

/** What the connection tells its session. */
export interface ConnectionEvents {
  /** Plain bytes from the client (after TLS or the cipher, if any). */
  data(chunk: Buffer): void;
  /** The socket can take more writes. */
  drain(): void;
  /** The connection failed or closed; `error` when it failed. */
  end(error?: Error): void;
}

/** Most bytes a client may send ahead during the handshake (its messages are tiny). */
const HANDSHAKE_BUFFER_LIMIT = 64 * 1024;

/**
 * One client's byte stream: the socket it came on and, once a security type
 * asks, TLS over it (VeNCrypt) or a record cipher (RSA-AES). During the
 * handshake it is also the handshake's `io`: reads come from a bounded
 * ByteReader; afterwards bytes go to the session as they arrive.
 */
export class Connection implements HandshakeIo {
  readonly address: string;
  minor: RfbMinor = 8;
  /** Bytes received from the client, handshake included (after TLS or the cipher, as the protocol counts them). */
  bytesIn = 0;
  private stream: SocketLike;
  private cipher: RecordCipher | null = null;
  /** The handshake's reader; null once the session reads messages itself. */
  private reader: ByteReader | null;
  private readonly onStreamData = (chunk: Buffer): void => this.fromStream(chunk);
  private readonly onDrain = (): void => this.events.drain();
  private readonly onError = (e: Error): void => this.ended(e);
  private readonly onClose = (): void => this.ended();

  constructor(
    private readonly socket: SocketLike,
    private readonly events: ConnectionEvents,
    handshake: boolean,
  ) {
    this.address = socket.remoteAddress ?? 'unknown';
    this.stream = socket;
    this.reader = handshake ? new ByteReader(HANDSHAKE_BUFFER_LIMIT) : null;
    this.listen(socket);
  }

  /** Bytes waiting to go out (for back-pressure). */
  get queuedBytes(): number {
    return this.stream.writableLength;
  }

  get writable(): boolean {
    return this.stream.writable;
  }

  /** Whether a security layer (TLS or a cipher) carries the bytes. */
  get secured(): 'tls' | 'cipher' | null {
    return this.cipher ? 'cipher' : this.stream !== this.socket ? 'tls' : null;
  }

  setMinor(minor: RfbMinor): void {
    this.minor = minor;
  }

  read(n: number): Promise<Buffer> {
    if (!this.reader) return Promise.reject(new Error('the handshake is over'));
    return this.reader.read(n);
  }

  write(data: Buffer, onFlushed?: (err?: Error | null) => void): void {
    if (!this.stream.writable) return;
    this.stream.write(this.cipher ? this.cipher.seal(data) : data, onFlushed);
  }

  async startTls(options: TlsOptions): Promise<void> {
    if (this.stream !== this.socket || this.cipher) throw new Error('TLS can only start once, on the bare connection');
    const reader = this.reader;
    if (!reader) throw new Error('TLS starts during the handshake');
    // Bytes already read past the last step are the start of the client's TLS hello: give them back to the socket.
    this.socket.pause();
    this.socket.removeListener('data', this.onStreamData);
    this.socket.removeListener('drain', this.onDrain);
    const early = reader.takeAll();
    if (early.length > 0) this.socket.unshift(early);
    // A tls.Server (never listening) runs the server side, rather than a bare `new TLSSocket`: Node
    // hands a server TLSSocket over to its user ("releases control") only when a tls.Server made it,
    // and until then a TLS error after the handshake (a corrupt record, bytes that are no record) is
    // neither emitted as 'error' nor closes the socket. A client could then leave a session that can
    // never be read again, holding its place and its memory for as long as it keeps the TCP open.
    const server = createTlsServer(options);
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      // The handshake's errors, the client closing during it included, come as tlsClientError (the server destroys the socket).
      server.once('tlsClientError', (e: Error) => reject(new Error(`TLS handshake failed: ${e.message}`)));
      server.once('secureConnection', resolve);
      server.emit('connection', this.socket);
    });
    // From here a TLS error is the TLSSocket's 'error', which ends the connection.
    this.stream = secure;
    this.listen(secure);
    if (secure.destroyed) this.ended(new Error('the client closed the connection'));
  }

  setCipher(cipher: RecordCipher): void {
    if (this.cipher) throw new Error('a cipher is already set');
    this.cipher = cipher;
    // Whatever arrived after the key exchange is already sealed.
    const early = this.reader?.takeAll();
    if (early && early.length > 0) this.fromStream(early);
  }

  /** The handshake is over: unread bytes (the client's first messages) go to the caller, later ones to `data`. */
  endHandshake(): Buffer {
    const rest = this.reader?.takeAll() ?? Buffer.alloc(0);
    this.reader = null;
    return rest;
  }

  /** Abandon the handshake: a pending read rejects with `error`. */
  failHandshake(error: Error): void {
    this.reader?.fail(error);
  }

  /** Let queued bytes (e.g. a failure reason) reach the client, then make sure the socket goes. */
  close(): void {
    this.reader?.fail(new Error('connection closed'));
    this.stream.end();
    const socket = this.socket;
    const stream = this.stream;
    setTimeout(() => {
      stream.destroy();
      socket.destroy();
    }, 2000).unref();
  }

  private listen(stream: SocketLike): void {
    stream.on('data', this.onStreamData);
    stream.on('drain', this.onDrain);
    stream.on('error', this.onError);
    stream.on('close', this.onClose);
  }

  private fromStream(chunk: Buffer): void {
    let plain = chunk;
    if (this.cipher) {
      try {
        plain = this.cipher.open(chunk);
      } catch (e) {
        this.ended(e as Error);
        return;
      }
      if (plain.length === 0) return;
    }
    this.bytesIn += plain.length;
    if (this.reader) this.reader.push(plain);
    else this.events.data(plain);
  }

  private ended(error?: Error): void {
    this.reader?.fail(error ?? new Error('the client closed the connection'));
    this.events.end(error);
  }
}
