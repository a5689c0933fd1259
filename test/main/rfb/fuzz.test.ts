import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import zlib from 'node:zlib';
import { RfbServer } from '../../../src/main/rfb/server.js';
import { createFrame, type Frame } from '../../../src/main/framebuffer/frame.js';
import { bytes } from '../../support/bytes.js';
import { prng } from '../../support/prng.js';
import { RawViewer } from '../../support/raw-viewer.js';
import { OPEN_ADMISSION } from '../../support/admission.js';

const TOTAL_MESSAGES = 20_000;
const MESSAGES_PER_CONNECTION = 100;
const PARALLEL = 8;

/** An Extended Clipboard "provide" of text, as a client sends it. */
function extendedProvide(text: string): Buffer {
  const body = Buffer.from(text + '\0', 'utf8');
  const size = Buffer.alloc(4);
  size.writeUInt32BE(body.length);
  const payload = Buffer.concat([bytes().u32(0x10000001).build(), zlib.deflateSync(Buffer.concat([size, body]))]);
  return Buffer.concat([bytes().u8(6).pad(3).s32(-payload.length).build(), payload]);
}

/** Well-formed messages of every type, as seeds for mutation. */
const seeds: Buffer[] = [
  bytes().u8(0).pad(3).u8(32).u8(24).u8(0).u8(1).u16(255).u16(255).u16(255).u8(16).u8(8).u8(0).pad(3).build(),
  bytes().u8(0).pad(3).u8(16).u8(16).u8(1).u8(1).u16(31).u16(63).u16(31).u8(11).u8(5).u8(0).pad(3).build(),
  bytes().u8(0).pad(3).u8(8).u8(8).u8(0).u8(0).u16(0).u16(0).u16(0).u8(0).u8(0).u8(0).pad(3).build(),
  bytes().u8(2).pad(1).u16(9).s32(16).s32(15).s32(6).s32(5).s32(4).s32(2).s32(1).s32(0).s32(-313).build(),
  bytes().u8(2).pad(1).u16(6).s32(-223).s32(-308).s32(-313).s32(-312).s32(-239).s32(0xc0a1e5ce | 0).build(),
  bytes().u8(3).u8(0).u16(0).u16(0).u16(64).u16(48).build(),
  bytes().u8(3).u8(1).u16(60).u16(40).u16(100).u16(100).build(),
  bytes().u8(4).u8(1).pad(2).u32(0x61).build(),
  bytes().u8(5).u8(1).u16(10).u16(10).build(),
  bytes().u8(6).pad(3).u32(5).text('hello').build(),
  extendedProvide('fuzz ☺'),
  bytes().u8(6).pad(3).s32(-4).u32(0x08000001).build(), // Extended Clipboard notify (text)
  bytes().u8(150).u8(1).u16(0).u16(0).u16(64).u16(48).build(),
  bytes().u8(248).pad(3).u32(0x80000001).u8(2).raw([7, 7]).build(),
  bytes().u8(251).pad(1).u16(100).u16(100).u8(1).pad(1).u32(0).u16(0).u16(0).u16(100).u16(100).u32(0).build(),
  bytes().u8(255).u8(0).u16(1).u32(0x61).u32(30).build(),
];

function mutate(rand: () => number, msg: Buffer, rate = 1): Buffer {
  const b = Buffer.from(msg);
  if (rand() >= rate) return b;
  switch (Math.floor(rand() * 6)) {
    case 0: // flip random bytes
      for (let i = 0; i < 1 + rand() * 4; i++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      return b;
    case 1: // truncate
      return b.subarray(0, Math.floor(rand() * b.length));
    case 2: // huge length / count fields
      if (b.length >= 8) b.writeUInt32BE(Math.floor(rand() * 0xffffffff), 4);
      if (b.length >= 4) b.writeUInt16BE(Math.floor(rand() * 0xffff), 2);
      return b;
    case 3: // random garbage
      return Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)));
    case 4: // random type byte on an otherwise valid body
      b[0] = Math.floor(rand() * 256);
      return b;
    default:
      return b; // valid
  }
}

function handshakeBytes(rand: () => number): Buffer {
  const versions = ['RFB 003.008\n', 'RFB 003.007\n', 'RFB 003.003\n', 'RFB 003.889\n', 'RFB 009.999\n', 'RFB 003.00x\n', '\0\0\0\0\0\0\0\0\0\0\0\0'];
  // Mostly versions we serve, sometimes ones we must refuse.
  const v = Buffer.from(versions[rand() < 0.85 ? Math.floor(rand() * 4) : 4 + Math.floor(rand() * 3)]!, 'latin1');
  // For 3.7/3.8 the client picks a type; 3.3 needs none. Sometimes pick wrongly, sometimes skip ClientInit.
  const pick = rand() < 0.9 ? 1 : Math.floor(rand() * 256);
  const parts = [v, Buffer.from([pick])];
  if (rand() < 0.9) parts.push(Buffer.from([Math.floor(rand() * 2)]));
  return rand() < 0.1 ? mutate(rand, Buffer.concat(parts)) : Buffer.concat(parts);
}

/** One hostile connection; resolves when the server closed it or we are done sending. */
function hostile(port: number, rand: () => number, count: number, rate: number): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    const finish = setTimeout(() => s.destroy(), 2000);
    s.on('close', () => {
      clearTimeout(finish);
      resolve();
    });
    s.on('connect', () => {
      // Announce the pseudo-encodings first so their messages are legal, then the random stream.
      const chunks: Buffer[] = [handshakeBytes(rand), seeds[4]!];
      for (let i = 0; i < count; i++) chunks.push(mutate(rand, seeds[Math.floor(rand() * seeds.length)]!, rate));
      const all = Buffer.concat(chunks);
      // Deliver in random-sized pieces so messages straddle reads.
      let off = 0;
      const pump = () => {
        if (off >= all.length || s.destroyed) return void s.end();
        const n = 1 + Math.floor(rand() * 64);
        s.write(all.subarray(off, off + n));
        off += n;
        setImmediate(pump);
      };
      pump();
    });
  });
}

describe('fuzzing the server with hostile byte streams', () => {
  let server: RfbServer;
  let port: number;
  let frame: Frame;
  let animate: NodeJS.Timeout;

  beforeAll(async () => {
    // always_shared: hostile clients asking for exclusive access must not evict the good viewer.
    // Thousands of connections from one address are the point here, not an attack to fend off.
    server = new RfbServer({ password: null, maxConnections: 100, frameRate: 60, handshakeTimeoutMs: 1000, alwaysShared: true, admission: OPEN_ADMISSION });
    frame = createFrame(64, 48);
    server.setFrame(frame);
    port = (await server.listen(0, '127.0.0.1')).port;
    let t = 0;
    animate = setInterval(() => {
      t++;
      frame.pixels.fill(t * 0x010203, 0, 64 * 8);
      server.markChanged([{ x: 0, y: 0, w: 64, h: 8 }]);
    }, 20);
  });

  afterAll(async () => {
    clearInterval(animate);
    await server.close();
  });

  it(`survives ${TOTAL_MESSAGES} random and mutated messages while a good client keeps getting updates`, async () => {
    const viewer = await RawViewer.connect(port);
    try {
      await viewer.waitForMore(1, 5000);
      const rand = prng(0x5eed);
      const connections = TOTAL_MESSAGES / MESSAGES_PER_CONNECTION;
      const started = Date.now();
      let launched = 0;
      const worker = async () => {
        while (launched < connections && Date.now() - started < 120_000) {
          // Mutation rates vary per connection: rare mutations let streams live long and reach deep states.
          const rate = [0.002, 0.02, 0.2, 0.8][launched % 4]!;
          launched++;
          await hostile(port, rand, MESSAGES_PER_CONNECTION, rate);
        }
      };
      const before = viewer.updates;
      let reachedNormal = 0;
      let inputs = 0;
      server.on('connected', () => reachedNormal++);
      server.on('input', () => inputs++);
      server.on('clipboard', () => inputs++);
      await Promise.all(Array.from({ length: PARALLEL }, worker));
      expect(launched).toBe(connections);
      // The streams must reach the normal message phase, not only die in the handshake.
      expect(reachedNormal).toBeGreaterThan(connections / 2);
      // Typically ~1300; the interleaving of parallel streams (and so the count) varies with load.
      expect(inputs).toBeGreaterThan(500);
      // The good client was served throughout and still is.
      expect(viewer.updates).toBeGreaterThan(before);
      await viewer.waitForMore(5, 5000);
    } finally {
      viewer.close();
    }
  }, 180_000);
});
