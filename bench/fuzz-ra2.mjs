// The RSA-AES security types' client for bench/fuzz.mjs (types 5, 6, 129,
// 130), written from the RFB community registry's text with Node's crypto:
// RSA keys as the protocol sends them, PKCS#1 v1.5 random numbers, and the
// AES-EAX records, with hooks that let the fuzz mutate each step.

import { constants, createCipheriv, createHash, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';

// ---- AES-EAX (Bellare, Rogaway, Wagner) on Node's AES, for the RSA-AES records

function dbl(block) {
  const out = Buffer.alloc(16);
  let carry = 0;
  for (let i = 15; i >= 0; i--) {
    out[i] = ((block[i] << 1) | carry) & 0xff;
    carry = block[i] >> 7;
  }
  if (carry) out[15] ^= 0x87;
  return out;
}

class Eax {
  constructor(key) {
    this.key = key;
    this.alg = `aes-${key.length * 8}`;
    const l = createCipheriv(`${this.alg}-ecb`, key, null).setAutoPadding(false).update(Buffer.alloc(16));
    this.k1 = dbl(l);
    this.k2 = dbl(this.k1);
  }

  /** OMAC_t(data): CMAC of a block holding t, then data. */
  omac(t, data) {
    const m = Buffer.concat([Buffer.alloc(15), Buffer.from([t]), data]);
    const full = m.length % 16 === 0;
    const padded = full ? Buffer.from(m) : Buffer.concat([m, Buffer.from([0x80]), Buffer.alloc(15 - (m.length % 16))]);
    const k = full ? this.k1 : this.k2;
    for (let i = 0; i < 16; i++) padded[padded.length - 16 + i] ^= k[i];
    const c = createCipheriv(`${this.alg}-cbc`, this.key, Buffer.alloc(16)).setAutoPadding(false).update(padded);
    return c.subarray(c.length - 16);
  }

  ctr(n, data) {
    return createCipheriv(`${this.alg}-ctr`, this.key, n).update(data);
  }

  seal(nonce, header, plain) {
    const n = this.omac(0, nonce);
    const h = this.omac(1, header);
    const c = this.ctr(n, plain);
    const tag = this.omac(2, c);
    for (let i = 0; i < 16; i++) tag[i] ^= n[i] ^ h[i];
    return Buffer.concat([c, tag]);
  }

  /** Decrypt without checking the tag: the fuzzer trusts the server it watches. */
  open(nonce, body) {
    return this.ctr(this.omac(0, nonce), body.subarray(0, body.length - 16));
  }
}

/** One direction's record stream: U16 length (EAX's header), ciphertext, tag; the nonce a 16-byte little-endian counter. */
class Records {
  constructor(key) {
    this.eax = new Eax(key);
    this.count = 0n;
  }
  nonce() {
    const b = Buffer.alloc(16);
    let c = this.count++;
    for (let i = 0; i < 16 && c > 0n; i++, c >>= 8n) b[i] = Number(c & 0xffn);
    return b;
  }
  seal(plain) {
    const parts = [];
    for (let off = 0; off < plain.length || off === 0; off += 8192) {
      const part = plain.subarray(off, off + 8192);
      const header = Buffer.from([part.length >> 8, part.length & 0xff]);
      parts.push(header, this.eax.seal(this.nonce(), header, part));
      if (plain.length === 0) break;
    }
    return Buffer.concat(parts);
  }
}

/** Reassembles the server's records from raw bytes and hands on their plain text. */
class RecordReader {
  constructor(key, onPlain) {
    this.eax = new Eax(key);
    this.count = 0n;
    this.pending = Buffer.alloc(0);
    this.onPlain = onPlain;
  }
  push(chunk) {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 2) {
      const len = this.pending.readUInt16BE(0);
      if (this.pending.length < len + 18) return;
      const body = this.pending.subarray(2, len + 18);
      this.pending = this.pending.subarray(len + 18);
      const nonce = Buffer.alloc(16);
      let c = this.count++;
      for (let i = 0; i < 16 && c > 0n; i++, c >>= 8n) nonce[i] = Number(c & 0xffn);
      this.onPlain(this.eax.open(nonce, body));
    }
  }
}

// ---- RSA-AES (types 5, 6, 129, 130)

/** The client's RSA key: made once (1024 bits, the least the server takes: the fuzz is about parsing, not strength). */
let clientKey = null;
function ourKey() {
  if (clientKey) return clientKey;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const jwk = publicKey.export({ format: 'jwk' });
  const n = Buffer.from(jwk.n, 'base64url');
  const e = Buffer.alloc(128);
  const eRaw = Buffer.from(jwk.e, 'base64url');
  eRaw.copy(e, 128 - eRaw.length);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(1024);
  clientKey = { privateKey, message: Buffer.concat([head, n, e]) };
  return clientKey;
}

export const RA2_TYPES = [5, 6, 129, 130];

/**
 * Drive an RSA-AES exchange on `wire` (the type already chosen). `mutate`
 * (step, bytes) may replace what is sent at each step: 'key', 'random',
 * 'hash', 'credentials' (the latter two are plain text, sealed after). Returns
 * { ok, step } — ok when the credentials went out; `step` where it stopped.
 * After ok, wire.write seals records for RA2 and RA2_256 (the session stays
 * in records) and writes plain for the "ne" types.
 */
export async function runRa2(wire, type, { user, password, mutate = (_s, b) => b, records = null }) {
  const big = type === 129 || type === 130;
  const keyBytes = big ? 32 : 16;
  const hashName = big ? 'sha256' : 'sha1';
  const head = await wire.read(4);
  if (!head) return { ok: false, step: 'server-key' };
  const bits = head.readUInt32BE(0);
  const size = Math.ceil(bits / 8);
  const body = await wire.read(2 * size);
  if (!body) return { ok: false, step: 'server-key' };
  const serverMessage = Buffer.concat([head, body]);
  const serverKey = createPublicKey({ format: 'jwk', key: { kty: 'RSA', n: body.subarray(0, size).toString('base64url'), e: stripZeros(body.subarray(size)).toString('base64url') } });
  const me = ourKey();
  wire.write(mutate('key', me.message));
  const clientRandom = randomBytes(keyBytes);
  const enc = publicEncrypt({ key: serverKey, padding: constants.RSA_PKCS1_PADDING }, clientRandom);
  const len = Buffer.from([enc.length >> 8, enc.length & 0xff]);
  wire.write(mutate('random', Buffer.concat([len, enc])));
  const lenIn = await wire.read(2);
  if (!lenIn) return { ok: false, step: 'random' };
  const block = await wire.read(lenIn.readUInt16BE(0));
  if (!block) return { ok: false, step: 'random' };
  // PKCS#1 v1.5 by hand: Node no longer unpads it in privateDecrypt.
  const em = privateDecrypt({ key: me.privateKey, padding: constants.RSA_NO_PADDING }, block);
  const serverRandom = em.subarray(em.length - keyBytes);
  const h = (a, b) => createHash(hashName).update(a).update(b).digest().subarray(0, keyBytes);
  const toServer = new Records(h(serverRandom, clientRandom));
  const plainIn = (c) => wire.inbox.push(c);
  const reader = new RecordReader(h(clientRandom, serverRandom), plainIn);
  // From here the server's bytes are records: open them before the inbox sees them.
  wire.onPlain = (c) => reader.push(c);
  const leftover = wire.inbox.buf;
  wire.inbox.buf = Buffer.alloc(0);
  if (leftover.length > 0) reader.push(leftover);
  const sealed = (b) => wire.writeRaw(records ? records(toServer.seal(b)) : toServer.seal(b));
  const hashLength = big ? 32 : 20;
  const serverHash = await wire.read(hashLength);
  if (!serverHash) return { ok: false, step: 'hash' };
  sealed(mutate('hash', createHash(hashName).update(me.message).update(serverMessage).digest()));
  const subtype = await wire.read(1);
  if (!subtype) return { ok: false, step: 'subtype' };
  const u = subtype[0] === 1 ? Buffer.from(user, 'utf8') : Buffer.alloc(0);
  const p = Buffer.from(password, 'utf8');
  sealed(mutate('credentials', Buffer.concat([Buffer.from([u.length]), u, Buffer.from([p.length]), p])));
  if (type === 6 || type === 130) {
    // "ne": SecurityResult and the session are plain again.
    wire.onPlain = plainIn;
    wire.out = (b) => wire.writeRaw(b);
  } else {
    wire.out = sealed;
  }
  return { ok: true, step: 'credentials' };
}

function stripZeros(b) {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}
