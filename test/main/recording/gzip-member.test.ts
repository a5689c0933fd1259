import { writeFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordingFormatError } from '../../../src/main/recording/format.js';
import {
  encodeMember,
  inflateMember,
  MEMBER_HEADER_BYTES,
  memberHeader,
  memberTrailer,
  parseMemberHeader,
} from '../../../src/main/recording/gzip-member.js';
import { prng } from '../../support/prng.js';
import { gzipDc, tempDir, walkGzipMembers } from '../../support/recording-fixtures.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** Data that compresses, but not to nothing. */
function sampleData(n: number, seed = 3): Buffer {
  const rand = prng(seed);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = rand() < 0.7 ? 0x41 + (i % 7) : Math.floor(rand() * 256);
  return out;
}

/** A gzip header built by hand from RFC 1952 §2.3 with the optional fields asked for. */
function handHeader(opts: { extra?: Buffer; name?: string; comment?: string; hcrc?: boolean }): Buffer {
  const flags = (opts.hcrc ? 2 : 0) | (opts.extra ? 4 : 0) | (opts.name !== undefined ? 8 : 0) | (opts.comment !== undefined ? 16 : 0);
  const parts: Buffer[] = [Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3])];
  if (opts.extra) {
    const xlen = Buffer.alloc(2);
    xlen.writeUInt16LE(opts.extra.length);
    parts.push(xlen, opts.extra);
  }
  if (opts.name !== undefined) parts.push(Buffer.from(opts.name + '\0', 'latin1'));
  if (opts.comment !== undefined) parts.push(Buffer.from(opts.comment + '\0', 'latin1'));
  let header = Buffer.concat(parts);
  if (opts.hcrc) {
    const crc16 = Buffer.alloc(2);
    crc16.writeUInt16LE(zlib.crc32(header) & 0xffff);
    header = Buffer.concat([header, crc16]);
  }
  return header;
}

function subfield(id: string, data: Buffer): Buffer {
  const head = Buffer.from([id.charCodeAt(0), id.charCodeAt(1), 0, 0]);
  head.writeUInt16LE(data.length, 2);
  return Buffer.concat([head, data]);
}

function tvData(kind: number, t: number, ordinal: number, extraBytes = 0): Buffer {
  const d = Buffer.alloc(9 + extraBytes);
  d.writeUInt8(kind, 0);
  d.writeUInt32LE(t, 1);
  d.writeUInt32LE(ordinal, 5);
  return d;
}

describe('writing a member', () => {
  it('writes the header RFC 1952 describes, with FEXTRA holding only the TV subfield', () => {
    const h = memberHeader({ kind: 1, t: 0x01020304, ordinal: 7 });
    expect(h.length).toBe(MEMBER_HEADER_BYTES);
    expect([...h.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0x04]);
    expect(h.readUInt16LE(10)).toBe(13); // XLEN: SI1 SI2 LEN(2) + 9
    expect(h.toString('latin1', 12, 14)).toBe('TV');
    expect(h.readUInt16LE(14)).toBe(9);
    expect([...h.subarray(16)]).toEqual([1, 4, 3, 2, 1, 7, 0, 0, 0]);
  });

  it('makes members that gzip, node:zlib and the test walker read, alone and concatenated', () => {
    const a = sampleData(100_000, 1);
    const b = sampleData(3, 2);
    const c = Buffer.alloc(0);
    const file = Buffer.concat([encodeMember({ kind: 1, t: 0, ordinal: 0 }, a), encodeMember({ kind: 1, t: 10, ordinal: 1 }, b), encodeMember({ kind: 2, t: 20, ordinal: 2 }, c)]);
    expect(zlib.gunzipSync(file)).toEqual(Buffer.concat([a, b, c]));
    const path = tmp.path('members.gz');
    writeFileSync(path, file);
    const gz = gzipDc(path);
    expect(gz.stderr).toBe('');
    expect(gz.status).toBe(0);
    expect(gz.stdout.equals(Buffer.concat([a, b, c]))).toBe(true);
    const walked = walkGzipMembers(file);
    expect(walked.map((m) => [m.tv, m.complete])).toEqual([
      [{ kind: 1, t: 0, ordinal: 0 }, true],
      [{ kind: 1, t: 10, ordinal: 1 }, true],
      [{ kind: 2, t: 20, ordinal: 2 }, true],
    ]);
  });

  it('writes the trailer as CRC32 and ISIZE modulo 2^32, little-endian', () => {
    const t = memberTrailer(0xdeadbeef, 2 ** 32 + 5);
    expect([...t]).toEqual([0xef, 0xbe, 0xad, 0xde, 5, 0, 0, 0]);
  });
});

describe('parseMemberHeader', () => {
  it('reads the TV subfield after other subfields, and past FNAME, FCOMMENT and FHCRC', () => {
    const extra = Buffer.concat([subfield('AP', Buffer.from('other')), subfield('TV', tvData(2, 1234, 9))]);
    const h = handHeader({ extra, name: 'rec.vnc', comment: 'a comment', hcrc: true });
    expect(parseMemberHeader(h)).toEqual({ bytes: h.length, tag: { kind: 2, t: 1234, ordinal: 9 } });
    // The same at an offset inside a larger buffer.
    const inside = Buffer.concat([Buffer.alloc(5, 0xee), h, Buffer.alloc(3)]);
    expect(parseMemberHeader(inside, 5)).toEqual({ bytes: h.length, tag: { kind: 2, t: 1234, ordinal: 9 } });
  });

  it('reads a longer TV subfield (a later version) by its first nine bytes', () => {
    const h = handHeader({ extra: subfield('TV', tvData(1, 5, 6, 7)) });
    expect(parseMemberHeader(h)?.tag).toEqual({ kind: 1, t: 5, ordinal: 6 });
  });

  it('finds no tag in a gzip member made by gzip itself', () => {
    const gz = zlib.gzipSync(Buffer.from('hello'));
    expect(parseMemberHeader(gz)).toEqual({ bytes: 10, tag: null });
    const named = handHeader({ name: 'x.txt' });
    expect(parseMemberHeader(named)).toEqual({ bytes: named.length, tag: null });
  });

  it('asks for more bytes (null) for every prefix of a header, and parses the whole', () => {
    const h = handHeader({ extra: subfield('TV', tvData(1, 0, 0)), name: 'n', comment: 'c', hcrc: true });
    for (let n = 0; n < h.length; n++) expect(parseMemberHeader(h.subarray(0, n)), `prefix ${n}`).toBeNull();
    expect(parseMemberHeader(h)?.bytes).toBe(h.length);
  });

  it('refuses what is not a gzip header, in words', () => {
    expect(() => parseMemberHeader(Buffer.from('PK\x03\x04 a zip file'))).toThrow(/not gzip data/);
    expect(() => parseMemberHeader(Buffer.from([0x42]))).toThrow(RecordingFormatError);
    const cm = handHeader({});
    cm[2] = 7;
    expect(() => parseMemberHeader(cm)).toThrow(/compression method 7 is not deflate/);
    const reserved = handHeader({});
    reserved[3] = 0x20;
    expect(() => parseMemberHeader(reserved)).toThrow(/reserved flag bits/);
    const badCrc = handHeader({ name: 'n', hcrc: true });
    badCrc[badCrc.length - 1]! ^= 0xff;
    expect(() => parseMemberHeader(badCrc)).toThrow(/header CRC mismatch/);
    const overrun = handHeader({ extra: Buffer.from([0x54, 0x56, 50, 0, 1, 2]) });
    expect(() => parseMemberHeader(overrun)).toThrow(/overruns/);
  });
});

describe('inflateMember', () => {
  const data = sampleData(50_000);
  const member = encodeMember({ kind: 1, t: 77, ordinal: 3 }, data);
  const next = encodeMember({ kind: 1, t: 88, ordinal: 4 }, Buffer.from('next'));

  it('inflates a member and says where it ends, with the next member after it', () => {
    const r = inflateMember(Buffer.concat([member, next]));
    expect(r.header.tag).toEqual({ kind: 1, t: 77, ordinal: 3 });
    expect(r.data.equals(data)).toBe(true);
    expect(r.truncated).toBe(false);
    expect(r.end).toBe(member.length);
    expect(inflateMember(Buffer.concat([member, next]), r.end).data.toString()).toBe('next');
  });

  it('gives what inflates up to a cut anywhere in the member, and says it was cut', () => {
    let before = -1;
    for (let cut = MEMBER_HEADER_BYTES; cut < member.length; cut += cut < 200 || cut > member.length - 20 ? 1 : 97) {
      const r = inflateMember(member.subarray(0, cut));
      expect(r.truncated, `cut at ${cut}`).toBe(true);
      expect(r.end).toBe(cut);
      expect(r.data.equals(data.subarray(0, r.data.length)), `cut at ${cut}`).toBe(true);
      expect(r.data.length).toBeGreaterThanOrEqual(before);
      before = r.data.length;
    }
    // With the deflate data whole and only the trailer cut, all the data is there.
    expect(inflateMember(member.subarray(0, member.length - 1)).data.equals(data)).toBe(true);
    expect(() => inflateMember(member.subarray(0, 12))).toThrow(/header is cut short/);
  });

  it('refuses a member whose trailer does not match, or whose deflate data is damaged', () => {
    const badCrc = Buffer.from(member);
    badCrc[member.length - 8]! ^= 1;
    expect(() => inflateMember(badCrc)).toThrow(/member at byte 0 is damaged \(CRC mismatch\)/);
    const badSize = Buffer.from(member);
    badSize[member.length - 1]! ^= 1;
    expect(() => inflateMember(badSize)).toThrow(/length mismatch/);
    const badData = Buffer.from(member);
    badData[MEMBER_HEADER_BYTES] = 0xff; // BTYPE 11: reserved, an error in any deflate stream
    expect(() => inflateMember(badData)).toThrow(RecordingFormatError);
  });
});
