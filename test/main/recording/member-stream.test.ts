import { writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordingFormatError } from '../../../src/main/recording/format.js';
import { encodeMember, MEMBER_HEADER_BYTES, memberHeader, memberTrailer } from '../../../src/main/recording/gzip-member.js';
import { MEMBER_READ_BYTES, MemberStream } from '../../../src/main/recording/member-stream.js';
import { prng } from '../../support/prng.js';
import { tempDir } from '../../support/recording-fixtures.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

let fileNo = 0;
async function withFile<T>(bytes: Buffer, use: (fh: FileHandle, size: number) => Promise<T>): Promise<T> {
  const path = tmp.path(`f${fileNo++}.gz`);
  writeFileSync(path, bytes);
  const fh = await open(path, 'r');
  try {
    return await use(fh, bytes.length);
  } finally {
    await fh.close();
  }
}

function randomBytes(n: number, seed: number): Buffer {
  const rand = prng(seed);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

/** Inflate the member at `offset` through MemberStream: its data, how it ended. */
async function readMember(fh: FileHandle, size: number, offset: number) {
  const m = await MemberStream.open(fh, offset, size);
  if (!m) return null;
  const pieces: Buffer[] = [];
  for await (const piece of m.chunks()) pieces.push(piece);
  return { tag: m.header.tag, data: Buffer.concat(pieces), result: m.result };
}

const NOISE = randomBytes(3 * MEMBER_READ_BYTES, 99);

/** A member of stored (level 0) deflate data whose deflate data ends `endAt` bytes into the member, or null if none does exactly. */
function memberEndingAt(endAt: number): { member: Buffer; data: Buffer } | null {
  const want = endAt - MEMBER_HEADER_BYTES;
  for (let n = want - 5 * Math.ceil(want / 16_000), tries = 0; n <= want && tries < 500; n++, tries++) {
    const data = NOISE.subarray(0, n);
    const raw = zlib.deflateRawSync(data, { level: 0 });
    if (raw.length === want) {
      return { member: Buffer.concat([memberHeader({ kind: 1, t: endAt, ordinal: 0 }), raw, memberTrailer(zlib.crc32(data), data.length)]), data };
    }
    if (raw.length > want) return null;
  }
  return null;
}

describe('MemberStream', () => {
  it('walks members one after another, each from its own offset', async () => {
    const datas = [randomBytes(300_000, 1), Buffer.from('short'), Buffer.alloc(0), Buffer.alloc(1_000_000, 7)];
    const members = datas.map((d, i) => encodeMember({ kind: i === 3 ? 2 : 1, t: i * 10, ordinal: i }, d));
    const file = Buffer.concat(members);
    await withFile(file, async (fh, size) => {
      let offset = 0;
      for (let i = 0; i < datas.length; i++) {
        const r = await readMember(fh, size, offset);
        expect(r?.tag).toEqual({ kind: i === 3 ? 2 : 1, t: i * 10, ordinal: i });
        expect(r?.data.equals(datas[i]!)).toBe(true);
        offset += members[i]!.length;
        expect(r?.result).toEqual({ next: offset, truncated: false });
      }
    });
  });

  it('finds the end of the deflate data wherever it falls against the pieces it reads', async () => {
    let cases = 0;
    const tried = new Set<number>();
    for (const boundary of [MEMBER_READ_BYTES, 2 * MEMBER_READ_BYTES]) {
      for (let d = -10; d <= 10; d++) {
        const made = memberEndingAt(boundary + d);
        if (!made) continue;
        cases++;
        tried.add(boundary + d);
        const after = encodeMember({ kind: 1, t: 1, ordinal: 1 }, Buffer.from('after'));
        await withFile(Buffer.concat([made.member, after]), async (fh, size) => {
          const r = await readMember(fh, size, 0);
          expect(r?.data.equals(made.data), `deflate ending at ${boundary + d}`).toBe(true);
          expect(r?.result).toEqual({ next: made.member.length, truncated: false });
          expect((await readMember(fh, size, made.member.length))?.data.toString()).toBe('after');
        });
      }
    }
    // Stored blocks leave few gaps: most of the 42 positions, the exact boundaries among them, must have been tried.
    expect(cases).toBeGreaterThan(30);
    expect(tried.has(MEMBER_READ_BYTES) && tried.has(2 * MEMBER_READ_BYTES)).toBe(true);
  });

  it('gives what inflates up to a cut, and says the member was cut', async () => {
    const data = randomBytes(200_000, 5).map((b) => (b < 200 ? 65 : b));
    const member = encodeMember({ kind: 1, t: 0, ordinal: 0 }, Buffer.from(data));
    for (const cut of [MEMBER_HEADER_BYTES, 1000, Math.floor(member.length / 2), member.length - 9, member.length - 8, member.length - 1]) {
      await withFile(member.subarray(0, cut), async (fh, size) => {
        const r = await readMember(fh, size, 0);
        expect(r?.result, `cut at ${cut}`).toEqual({ next: null, truncated: true });
        expect(Buffer.from(data).subarray(0, r!.data.length).equals(r!.data)).toBe(true);
        if (cut >= member.length - 8) expect(r!.data.length).toBe(data.length);
      });
    }
    for (const cut of [1, 9, 12, MEMBER_HEADER_BYTES - 1]) {
      await withFile(member.subarray(0, cut), async (fh, size) => expect(await MemberStream.open(fh, 0, size)).toBeNull());
    }
  });

  it('throws a format error for damaged data and for a trailer that does not match', async () => {
    const member = encodeMember({ kind: 1, t: 0, ordinal: 0 }, randomBytes(50_000, 9));
    const badCrc = Buffer.from(member);
    badCrc[member.length - 6]! ^= 0x10;
    await withFile(badCrc, async (fh, size) => {
      await expect(readMember(fh, size, 0)).rejects.toThrow(/member at byte 0 is damaged \(CRC mismatch\)/);
    });
    const badData = Buffer.from(member);
    badData[MEMBER_HEADER_BYTES] = 0xff;
    await withFile(badData, async (fh, size) => {
      await expect(readMember(fh, size, 0)).rejects.toThrow(RecordingFormatError);
    });
    await withFile(Buffer.from('not gzip at all'), async (fh, size) => {
      await expect(MemberStream.open(fh, 0, size)).rejects.toThrow(/not gzip data/);
    });
  });

  it('stops reading when the caller stops early, without errors left behind', async () => {
    const member = encodeMember({ kind: 1, t: 0, ordinal: 0 }, randomBytes(2_000_000, 11));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      await withFile(member, async (fh, size) => {
        const m = (await MemberStream.open(fh, 0, size))!;
        let pieces = 0;
        for await (const piece of m.chunks()) {
          expect(piece.length).toBeGreaterThan(0);
          if (++pieces === 2) break;
        }
        expect(m.result).toBeNull();
      });
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
