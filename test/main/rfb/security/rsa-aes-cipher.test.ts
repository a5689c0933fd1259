import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../../src/main/rfb/errors.js';
import { MAX_RECORD_PLAIN, RsaAesCipher, SEND_RECORD_PLAIN } from '../../../../src/main/rfb/security/rsa-aes-cipher.js';
import { noVncEax, type NoVncEax } from '../../../support/novnc-ra2.js';

/**
 * The record layer against a peer written here from the protocol document
 * (U16 length, ciphertext, 16-byte tag; the length is EAX's header; the nonce
 * a 16-byte little-endian record counter per direction) on noVNC's AES-EAX.
 */
class Peer {
  private sendCount = 0n;
  private receiveCount = 0n;
  private constructor(
    private readonly sender: NoVncEax,
    private readonly receiver: NoVncEax,
  ) {}

  static async create(sendKey: Buffer, receiveKey: Buffer): Promise<Peer> {
    return new Peer(await noVncEax(sendKey), await noVncEax(receiveKey));
  }

  private static nonce(n: bigint): Uint8Array {
    const b = new Uint8Array(16);
    for (let i = 0; i < 16; i++) b[i] = Number((n >> BigInt(8 * i)) & 0xffn);
    return b;
  }

  async record(plain: Buffer): Promise<Buffer> {
    const header = new Uint8Array([plain.length >> 8, plain.length & 0xff]);
    const sealed = await this.sender.encrypt({ name: 'AES-EAX', iv: Peer.nonce(this.sendCount++), additionalData: header }, plain);
    return Buffer.concat([header, sealed]);
  }

  /** Every record in `bytes` (which must hold whole records): their plain texts. */
  async read(bytes: Buffer): Promise<Buffer[]> {
    const out: Buffer[] = [];
    let off = 0;
    while (off < bytes.length) {
      const len = bytes.readUInt16BE(off);
      const header = bytes.subarray(off, off + 2);
      const plain = await this.receiver.decrypt({ name: 'AES-EAX', iv: Peer.nonce(this.receiveCount++), additionalData: header }, bytes.subarray(off + 2, off + 2 + len + 16));
      if (plain === null) throw new Error(`record ${this.receiveCount - 1n} failed its tag`);
      out.push(Buffer.from(plain));
      off += 2 + len + 16;
    }
    expect(off).toBe(bytes.length);
    return out;
  }
}

async function pair(keyBytes: 16 | 32): Promise<{ server: RsaAesCipher; client: Peer }> {
  const s2c = randomBytes(keyBytes);
  const c2s = randomBytes(keyBytes);
  return { server: new RsaAesCipher({ sendKey: s2c, receiveKey: c2s }), client: await Peer.create(c2s, s2c) };
}

describe('RSA-AES records', () => {
  for (const keyBytes of [16, 32] as const) {
    it(`AES-${keyBytes * 8}: what we seal, an independent peer opens, record by record with the counter going up`, async () => {
      const { server, client } = await pair(keyBytes);
      const first = randomBytes(20_000);
      const records = await client.read(server.seal(first));
      expect(records.map((r) => r.length)).toEqual([SEND_RECORD_PLAIN, SEND_RECORD_PLAIN, 20_000 - 2 * SEND_RECORD_PLAIN]);
      expect(Buffer.concat(records).equals(first)).toBe(true);
      // The counter continues across seal calls: the next record is nonce 3.
      expect((await client.read(server.seal(Buffer.from('next'))))[0]!.toString()).toBe('next');
      expect(server.seal(Buffer.alloc(0)).length).toBe(0);
    });

    it(`AES-${keyBytes * 8}: what the peer seals, we open whatever the chunking`, async () => {
      const { server, client } = await pair(keyBytes);
      const plains = [randomBytes(1), randomBytes(100), randomBytes(MAX_RECORD_PLAIN), randomBytes(0), randomBytes(17)];
      const wire = Buffer.concat(await Promise.all(plains.map((p) => client.record(p))));
      // One byte at a time, then odd chunk sizes: same plain text, in order.
      const got: Buffer[] = [];
      for (let i = 0; i < 300; i++) got.push(server.open(wire.subarray(i, i + 1)));
      for (let off = 300, step = 1; off < wire.length; off += step, step = (step * 7 + 3) % 5000 || 1) got.push(server.open(wire.subarray(off, off + step)));
      expect(Buffer.concat(got).equals(Buffer.concat(plains))).toBe(true);
      expect(server.buffered).toBe(0);
    });
  }

  it('holds at most one partial record, and returns nothing until it is whole', async () => {
    const { server, client } = await pair(16);
    const record = await client.record(randomBytes(MAX_RECORD_PLAIN));
    expect(server.open(record.subarray(0, record.length - 1)).length).toBe(0);
    expect(server.buffered).toBe(record.length - 1);
    expect(server.open(record.subarray(record.length - 1)).length).toBe(MAX_RECORD_PLAIN);
    expect(server.buffered).toBe(0);
  });

  it('refuses a record with a flipped bit in its length, ciphertext or tag, and everything after it', async () => {
    for (const where of [1, 2, 10, 2 + 32 + 15]) {
      const { server, client } = await pair(16);
      const record = await client.record(randomBytes(32));
      record[where]! ^= 0x01;
      // A changed length byte makes the record look shorter or longer: shorter fails the tag now, longer waits for more.
      const attempt = (): Buffer => server.open(Buffer.concat([record, Buffer.alloc(where === 1 ? 1 : 0)]));
      expect(attempt, `byte ${where}`).toThrow(ProtocolError);
      expect(() => server.open(Buffer.alloc(0))).toThrow(ProtocolError);
    }
  });

  it('refuses records replayed, reordered or sealed with the other direction’s key', async () => {
    const { server, client } = await pair(16);
    const a = await client.record(Buffer.from('a'));
    expect(server.open(a).toString()).toBe('a');
    expect(() => server.open(a)).toThrow(ProtocolError);

    // The second record before the first: its nonce is 1 where 0 is expected.
    const fresh = await pair(16);
    await fresh.client.record(Buffer.from('skipped'));
    const second = await fresh.client.record(Buffer.from('b'));
    expect(() => fresh.server.open(second)).toThrow(ProtocolError);

    // The server's own output fed back to it: the key of the other direction.
    const third = await pair(16);
    expect(() => third.server.open(third.server.seal(Buffer.from('echo')))).toThrow(ProtocolError);
  });
});
