import { createCipheriv, timingSafeEqual, type Cipher } from 'node:crypto';

/**
 * AES in EAX mode (Bellare, Rogaway and Wagner, "The EAX Mode of Operation",
 * FSE 2004), the authenticated encryption of the RSA-AES security types.
 * Node's crypto has AES-CTR and AES-CBC but not EAX, so it is built here from
 * the two, exactly as the paper defines it:
 *
 *   N' = OMAC_K(0, nonce)   H' = OMAC_K(1, header)
 *   C  = CTR_K(N', message) T  = N' xor H' xor OMAC_K(2, C)
 *
 * where OMAC_K(t, M) is CMAC (OMAC1, NIST SP 800-38B) of the block [t]
 * (fifteen zero bytes, then t) followed by M. The tag is the full 16 bytes:
 * that is what RSA-AES sends.
 */

const BLOCK = 16;
export const EAX_TAG_BYTES = 16;

/** Doubling in GF(2^128) with the CMAC polynomial x^128 + x^7 + x^2 + x + 1. */
function dbl(b: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK - 1; i++) out[i] = ((b[i]! << 1) | (b[i + 1]! >>> 7)) & 0xff;
  out[BLOCK - 1] = ((b[BLOCK - 1]! << 1) & 0xff) ^ (b[0]! & 0x80 ? 0x87 : 0);
  return out;
}

function xorInto(dst: Buffer, off: number, src: Buffer): void {
  for (let i = 0; i < BLOCK; i++) dst[off + i]! ^= src[i]!;
}

export class AesEax {
  private readonly key: Buffer;
  private readonly bits: 128 | 256;
  /**
   * A long-lived ECB encryptor used as the bare block function E_K: with
   * padding off, each update of whole blocks returns their encryption at
   * once, and keeping one object avoids building a cipher for every block.
   */
  private readonly ecb: Cipher;
  private readonly k1: Buffer;
  private readonly k2: Buffer;
  /** E_K([t]) for t = 0, 1, 2: the first CBC-MAC step of OMAC(t, ·), the same for every message. */
  private readonly first: Buffer[];
  /** OMAC_K(t, empty) for t = 0, 1, 2 (an empty header or message is common). */
  private readonly empty: Buffer[];

  /** `key` is 16 bytes (AES-128) or 32 (AES-256). It is copied. */
  constructor(key: Uint8Array) {
    if (key.length !== 16 && key.length !== 32) throw new RangeError(`AES-EAX key must be 16 or 32 bytes, not ${key.length}`);
    this.key = Buffer.from(key);
    this.bits = key.length === 16 ? 128 : 256;
    this.ecb = createCipheriv(`aes-${this.bits}-ecb`, this.key, null).setAutoPadding(false);
    const l = this.encryptBlock(Buffer.alloc(BLOCK));
    this.k1 = dbl(l);
    this.k2 = dbl(this.k1);
    this.first = [];
    this.empty = [];
    for (let t = 0; t < 3; t++) {
      const tb = Buffer.alloc(BLOCK);
      tb[BLOCK - 1] = t;
      this.first.push(this.encryptBlock(tb));
      // [t] alone is one complete block: CMAC xors it with K1 before the last encryption.
      xorInto(tb, 0, this.k1);
      this.empty.push(this.encryptBlock(tb));
    }
  }

  private encryptBlock(block: Buffer): Buffer {
    return this.ecb.update(block);
  }

  /**
   * OMAC_K(t, data). CBC-MAC over [t] || data with the CMAC last-block
   * treatment; the first step E_K([t]) is precomputed, so the CBC over `data`
   * starts from it as its IV.
   */
  private omac(t: 0 | 1 | 2, data: Uint8Array): Buffer {
    if (data.length === 0) return Buffer.from(this.empty[t]!);
    const full = data.length % BLOCK === 0;
    const padded = Buffer.alloc(full ? data.length : data.length + BLOCK - (data.length % BLOCK));
    padded.set(data);
    const last = padded.length - BLOCK;
    if (full) {
      xorInto(padded, last, this.k1);
    } else {
      padded[data.length] = 0x80;
      xorInto(padded, last, this.k2);
    }
    if (padded.length === BLOCK) {
      xorInto(padded, 0, this.first[t]!);
      return this.encryptBlock(padded);
    }
    const cbc = createCipheriv(`aes-${this.bits}-cbc`, this.key, this.first[t]!).setAutoPadding(false);
    const out = cbc.update(padded);
    return out.subarray(out.length - BLOCK);
  }

  /** CTR mode from the 128-bit big-endian counter `iv` (OpenSSL's CTR counts over all 16 bytes, as EAX requires). */
  private ctr(iv: Buffer, data: Uint8Array): Buffer {
    if (data.length === 0) return Buffer.alloc(0);
    return createCipheriv(`aes-${this.bits}-ctr`, this.key, iv).update(data);
  }

  /** Encrypt and authenticate: returns ciphertext || 16-byte tag. */
  encrypt(nonce: Uint8Array, header: Uint8Array, plain: Uint8Array): Buffer {
    const n = this.omac(0, nonce);
    const h = this.omac(1, header);
    const c = this.ctr(n, plain);
    const tag = this.omac(2, c);
    xorInto(tag, 0, n);
    xorInto(tag, 0, h);
    const out = Buffer.allocUnsafe(c.length + EAX_TAG_BYTES);
    c.copy(out, 0);
    tag.copy(out, c.length, 0, EAX_TAG_BYTES);
    return out;
  }

  /**
   * Check and decrypt ciphertext || tag; null when the tag does not match (the
   * message was forged, damaged, or used another key, nonce or header). The
   * tag is checked before anything is decrypted, in constant time.
   */
  decrypt(nonce: Uint8Array, header: Uint8Array, sealed: Uint8Array): Buffer | null {
    if (sealed.length < EAX_TAG_BYTES) return null;
    const c = sealed.subarray(0, sealed.length - EAX_TAG_BYTES);
    const tag = sealed.subarray(sealed.length - EAX_TAG_BYTES);
    const n = this.omac(0, nonce);
    const expected = this.omac(2, c);
    xorInto(expected, 0, n);
    xorInto(expected, 0, this.omac(1, header));
    if (!timingSafeEqual(expected.subarray(0, EAX_TAG_BYTES), tag)) return null;
    return this.ctr(n, c);
  }
}
