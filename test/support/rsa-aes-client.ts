import { createHash, randomBytes } from 'node:crypto';
import { loadNoVncRa2, noVncEax, noVncRsa, type NoVncEax, type NoVncRsa, type Ra2Event, type Ra2Sock } from './novnc-ra2.js';

/**
 * Clients of the RSA-AES security types for tests, independent of the
 * server's code: one written here from the RFB community registry's text
 * (with the 256 types' 32-byte randoms as TigerVNC sends them), on noVNC's
 * RSA (core/crypto/rsa.js) and AES-EAX; and noVNC's own RA2ne client
 * (core/ra2.js) on a small Websock stand-in.
 */

/** A byte queue the client reads from: resolves reads as bytes come, fails them when the server hangs up. */
export class ByteQueue {
  private buf = Buffer.alloc(0);
  private waiter: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private closed = false;
  onData: (() => void) | null = null;

  push(data: Buffer): void {
    this.buf = Buffer.concat([this.buf, data]);
    this.onData?.();
    const w = this.waiter;
    if (w && this.buf.length >= w.n) {
      this.waiter = null;
      w.resolve(this.shift(w.n));
    }
  }

  close(): void {
    this.closed = true;
    this.waiter?.reject(new Error('server closed the connection'));
    this.waiter = null;
  }

  get length(): number {
    return this.buf.length;
  }

  peek(n: number): Buffer {
    return this.buf.subarray(0, n);
  }

  shift(n: number): Buffer {
    const out = Buffer.from(this.buf.subarray(0, n));
    this.buf = this.buf.subarray(n);
    return out;
  }

  read(n: number): Promise<Buffer> {
    if (this.buf.length >= n) return Promise.resolve(this.shift(n));
    if (this.closed) return Promise.reject(new Error('server closed the connection'));
    return new Promise((resolve, reject) => {
      this.waiter = { n, resolve, reject };
    });
  }
}

function nonce(n: number): Uint8Array {
  const b = new Uint8Array(16);
  for (let i = 0; i < 6; i++) b[i] = Math.floor(n / 2 ** (8 * i)) & 0xff;
  return b;
}

/** One direction of the record layer, from the registry's text: U16 length (also EAX's header), ciphertext, 16-byte tag; nonce = record number, 16 bytes little-endian. */
export class RecordStream {
  private count = 0;
  constructor(private readonly eax: NoVncEax) {}

  async seal(plain: Buffer): Promise<Buffer> {
    const header = new Uint8Array([plain.length >> 8, plain.length & 0xff]);
    const sealed = await this.eax.encrypt({ name: 'AES-EAX', iv: nonce(this.count++), additionalData: header }, plain);
    return Buffer.concat([header, sealed]);
  }

  /** Read one record from `q`; its plain text, or throws when the tag is wrong. */
  async readRecord(q: ByteQueue): Promise<Buffer> {
    const header = await q.read(2);
    const body = await q.read(header.readUInt16BE(0) + 16);
    const plain = await this.eax.decrypt({ name: 'AES-EAX', iv: nonce(this.count++), additionalData: header }, body);
    if (plain === null) throw new Error('a record from the server failed its tag');
    return Buffer.from(plain);
  }
}

export interface ProtocolClientOptions {
  /** 5, 6, 129 or 130. */
  type: number;
  username?: string;
  password: string;
  /** Send these bytes as the password instead of `password` in UTF-8. */
  passwordBytes?: Buffer;
  /** Client key size (default 2048). */
  keyBits?: number;
  /** Tamper hooks for refusal tests. */
  corruptClientHash?: boolean;
  /** Send this instead of the encrypted random (its U16 length is taken from it). */
  replaceEncryptedRandom?: (serverKeySize: number, serverN: Buffer, serverE: Buffer) => Buffer;
  /**
   * Hold our encrypted random back until the server's has come, then send it
   * and the first record in one write: the server gets record bytes in the
   * same chunk as the random, before it has switched the cipher on.
   */
  coalesceRandomAndHash?: boolean;
  /** Bytes sent after the credentials, in the same record. */
  extraAfterCredentials?: Buffer;
}

export interface ProtocolClientResult {
  serverKey: Buffer;
  subtype: number;
  /** The records cipher from the server, for reading what follows (RA2) or null (RA2ne). */
  fromServer: RecordStream;
  toServer: RecordStream;
}

const is256 = (type: number): boolean => type === 129 || type === 130;

/** Run the client side of the exchange up to and including the credentials. */
export async function runProtocolClient(q: ByteQueue, send: (b: Buffer) => void, opts: ProtocolClientOptions): Promise<ProtocolClientResult> {
  const hashName = is256(opts.type) ? 'sha256' : 'sha1';
  const keyBytes = is256(opts.type) ? 32 : 16;
  const hashLength = is256(opts.type) ? 32 : 20;

  // 1. The server's public key.
  const serverHead = await q.read(4);
  const serverBits = serverHead.readUInt32BE(0);
  if (serverBits < 1024 || serverBits > 8192) throw new Error(`server key of ${serverBits} bits`);
  const serverSize = Math.ceil(serverBits / 8);
  const serverBody = await q.read(2 * serverSize);
  const serverKey = Buffer.concat([serverHead, serverBody]);
  const serverRsa: NoVncRsa = await noVncRsa({ n: serverBody.subarray(0, serverSize), e: serverBody.subarray(serverSize) });

  // 2. Ours.
  const clientBits = opts.keyBits ?? 2048;
  const clientSize = Math.ceil(clientBits / 8);
  const clientRsa = await noVncRsa({ generate: clientBits });
  const exported = await clientRsa.exportKey();
  const clientKey = Buffer.alloc(4 + 2 * clientSize);
  clientKey.writeUInt32BE(clientBits);
  clientKey.set(exported.n, 4);
  clientKey.set(exported.e, 4 + clientSize);
  send(clientKey);

  // 3. Our random, encrypted to the server.
  const clientRandom = randomBytes(keyBytes);
  const encrypted = opts.replaceEncryptedRandom
    ? opts.replaceEncryptedRandom(serverSize, serverBody.subarray(0, serverSize), serverBody.subarray(serverSize))
    : Buffer.from((await serverRsa.encrypt({ name: 'RSA-PKCS1-v1_5' }, clientRandom))!);
  const lengthOut = Buffer.alloc(2);
  lengthOut.writeUInt16BE(encrypted.length);
  const randomMessage = Buffer.concat([lengthOut, encrypted]);
  if (!opts.coalesceRandomAndHash) send(randomMessage);

  // 4. The server's random.
  const lengthIn = (await q.read(2)).readUInt16BE(0);
  if (lengthIn !== clientSize) throw new Error(`server's encrypted random is ${lengthIn} bytes`);
  const serverRandom = await clientRsa.decrypt({ name: 'RSA-PKCS1-v1_5' }, await q.read(lengthIn));
  if (!serverRandom || serverRandom.length !== keyBytes) throw new Error('bad server random');

  // 5. Session keys.
  const h = (...parts: Uint8Array[]): Buffer => {
    const x = createHash(hashName);
    for (const p of parts) x.update(p);
    return x.digest().subarray(0, keyBytes);
  };
  const toServer = new RecordStream(await noVncEax(h(serverRandom, clientRandom)));
  const fromServer = new RecordStream(await noVncEax(h(clientRandom, serverRandom)));

  // 6. Hashes.
  const clientHash = createHash(hashName).update(clientKey).update(serverKey).digest();
  if (opts.corruptClientHash) clientHash[0]! ^= 1;
  const hashRecord = await toServer.seal(clientHash);
  send(opts.coalesceRandomAndHash ? Buffer.concat([randomMessage, hashRecord]) : hashRecord);
  const serverHash = await fromServer.readRecord(q);
  if (serverHash.length !== hashLength || !serverHash.equals(createHash(hashName).update(serverKey).update(clientKey).digest())) throw new Error('wrong server hash');

  // 7. Subtype and credentials.
  const subtype = (await fromServer.readRecord(q))[0]!;
  if (subtype !== 1 && subtype !== 2) throw new Error(`subtype ${subtype}`);
  const user = subtype === 1 ? Buffer.from(opts.username ?? '', 'utf8') : Buffer.alloc(0);
  const password = opts.passwordBytes ?? Buffer.from(opts.password, 'utf8');
  send(await toServer.seal(Buffer.concat([Buffer.from([user.length]), user, Buffer.from([password.length]), password, opts.extraAfterCredentials ?? Buffer.alloc(0)])));
  return { serverKey, subtype, fromServer, toServer };
}

/** noVNC's own RA2ne client on a Websock stand-in; resolves when it sent its credentials. */
export async function runNoVncRa2ne(
  q: ByteQueue,
  send: (b: Buffer) => void,
  credentials: { username?: string; password?: string },
  onEvent: (e: Ra2Event, approve: () => void) => void,
): Promise<void> {
  const State = await loadNoVncRa2();
  let out: Buffer[] = [];
  const sock: Ra2Sock = {
    rQwait: (_msg, num) => q.length < num,
    rQpeekBytes: (len) => new Uint8Array(q.peek(len)),
    rQshift16: () => q.shift(2).readUInt16BE(0),
    rQshift32: () => q.shift(4).readUInt32BE(0),
    rQshiftBytes: (len) => new Uint8Array(q.shift(len)),
    sQpushBytes: (bytes) => void out.push(Buffer.from(bytes)),
    flush: () => {
      const data = Buffer.concat(out);
      out = [];
      if (data.length > 0) send(data);
    },
  };
  const state = new State(sock, () => credentials);
  state.addEventListener('serververification', (e) => onEvent(e, () => state.approveServer()));
  state.addEventListener('credentialsrequired', (e) => onEvent(e, () => state.checkInternalEvents()));
  q.onData = () => state.checkInternalEvents();
  try {
    await state.negotiateRA2neAuthAsync();
  } finally {
    q.onData = null;
  }
}
