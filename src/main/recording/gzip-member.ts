import zlib from 'node:zlib';
import { RecordingFormatError } from './format.js';

/**
 * One gzip member (RFC 1952) with the recording's `TV` FEXTRA subfield,
 * written and read by hand: zlib's gzip streams neither write an FEXTRA field
 * nor say where a member ended, and the recording needs both (a member's
 * header tells its time without inflating it; a reader walks from member to
 * member). The deflate data itself is zlib's raw deflate.
 */

const ID1 = 0x1f;
const ID2 = 0x8b;
const CM_DEFLATE = 8;
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;
/** RFC 1952's "unknown" operating system: the file reads the same wherever it was made. */
const OS_UNKNOWN = 255;

const TV_SI1 = 0x54; // 'T'
const TV_SI2 = 0x56; // 'V'
/** kind (1) + milliseconds (4) + ordinal (4). */
const TV_DATA_BYTES = 9;

/** The fixed header this module writes: 10 bytes, XLEN, one subfield (4 + 9). */
export const MEMBER_HEADER_BYTES = 10 + 2 + 4 + TV_DATA_BYTES;
/** CRC32 and ISIZE. */
export const MEMBER_TRAILER_BYTES = 8;

/** What the `TV` subfield says about a member. */
export interface MemberTag {
  /** MemberKind: 1 keyframe member, 2 index member. */
  kind: number;
  /** Milliseconds since the start of the recording, of the member's first record. */
  t: number;
  /** 0 for the first member, then 1, 2… */
  ordinal: number;
}

export interface MemberHeader {
  /** Length of the header in bytes: the raw deflate data starts this far into the member. */
  bytes: number;
  /** The `TV` subfield, or null in a gzip member that has none (not a recording's). */
  tag: MemberTag | null;
}

/** A member's gzip header carrying `tag`. */
export function memberHeader(tag: MemberTag): Buffer {
  const out = Buffer.alloc(MEMBER_HEADER_BYTES);
  out[0] = ID1;
  out[1] = ID2;
  out[2] = CM_DEFLATE;
  out[3] = FEXTRA;
  // MTIME 0 ("no time stamp"): the HEADER record says when the recording started. XFL 0.
  out[9] = OS_UNKNOWN;
  out.writeUInt16LE(4 + TV_DATA_BYTES, 10);
  out[12] = TV_SI1;
  out[13] = TV_SI2;
  out.writeUInt16LE(TV_DATA_BYTES, 14);
  out.writeUInt8(tag.kind, 16);
  out.writeUInt32LE(tag.t, 17);
  out.writeUInt32LE(tag.ordinal, 21);
  return out;
}

/** CRC32 of the uncompressed data and its length modulo 2^32, little-endian. */
export function memberTrailer(crc: number, size: number): Buffer {
  const out = Buffer.alloc(MEMBER_TRAILER_BYTES);
  out.writeUInt32LE(crc >>> 0, 0);
  out.writeUInt32LE(size % 0x1_0000_0000, 4);
  return out;
}

/** Find a zero byte from `at`; -1 when the buffer ends first. */
function zeroAt(buf: Buffer, at: number): number {
  return buf.indexOf(0, at);
}

/**
 * Parse a member header at `at`, with every optional field RFC 1952 allows.
 * Returns null when `buf` ends before the header does (read more and call
 * again); throws RecordingFormatError when the bytes are not a gzip header.
 */
export function parseMemberHeader(buf: Buffer, at = 0): MemberHeader | null {
  if (buf.length - at < 10) {
    // Enough to refuse something that cannot become a gzip header, however much more is read.
    if ((buf.length > at && buf[at] !== ID1) || (buf.length > at + 1 && buf[at + 1] !== ID2)) throw notGzip();
    return null;
  }
  if (buf[at] !== ID1 || buf[at + 1] !== ID2) throw notGzip();
  if (buf[at + 2] !== CM_DEFLATE) throw new RecordingFormatError(`gzip compression method ${buf[at + 2]} is not deflate`);
  const flags = buf[at + 3]!;
  if (flags & FRESERVED) throw new RecordingFormatError('the gzip header has reserved flag bits set');
  let p = at + 10;
  let tag: MemberTag | null = null;
  if (flags & FEXTRA) {
    if (buf.length < p + 2) return null;
    const xlen = buf.readUInt16LE(p);
    p += 2;
    if (buf.length < p + xlen) return null;
    tag = findTag(buf.subarray(p, p + xlen));
    p += xlen;
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    const z = zeroAt(buf, p);
    if (z < 0) return null;
    p = z + 1;
  }
  if (flags & FHCRC) {
    if (buf.length < p + 2) return null;
    const want = buf.readUInt16LE(p);
    if ((zlib.crc32(buf.subarray(at, p)) & 0xffff) !== want) throw new RecordingFormatError('the gzip header is damaged (header CRC mismatch)');
    p += 2;
  }
  return { bytes: p - at, tag };
}

function notGzip(): RecordingFormatError {
  return new RecordingFormatError('not gzip data (no gzip member header)');
}

/** The `TV` subfield among the FEXTRA subfields, or null. A longer one (a later version's) is read by its first 9 bytes. */
function findTag(extra: Buffer): MemberTag | null {
  let p = 0;
  while (p + 4 <= extra.length) {
    const len = extra.readUInt16LE(p + 2);
    if (p + 4 + len > extra.length) throw new RecordingFormatError('the gzip header is damaged (an FEXTRA subfield overruns the field)');
    if (extra[p] === TV_SI1 && extra[p + 1] === TV_SI2 && len >= TV_DATA_BYTES) {
      const d = p + 4;
      return { kind: extra.readUInt8(d), t: extra.readUInt32LE(d + 1), ordinal: extra.readUInt32LE(d + 5) };
    }
    p += 4 + len;
  }
  return null;
}

/** A whole member, compressed at once: for small members (the index) and tests. */
export function encodeMember(tag: MemberTag, data: Buffer, level: number = zlib.constants.Z_DEFAULT_COMPRESSION): Buffer {
  return Buffer.concat([memberHeader(tag), zlib.deflateRawSync(data, { level }), memberTrailer(zlib.crc32(data), data.length)]);
}

export interface InflatedMember {
  header: MemberHeader;
  /** The uncompressed data: all of it, or what inflates up to the cut when `truncated`. */
  data: Buffer;
  /** Offset in `buf` just past the member (past its trailer), or buf.length when it was cut short. */
  end: number;
  /** The buffer ends inside the member: its deflate data or its trailer is incomplete. */
  truncated: boolean;
}

/** What inflateRawSync returns with `info: true`; @types/node types only the plain Buffer. */
interface InflateInfo {
  buffer: Buffer;
  engine: { bytesWritten: number };
}

/**
 * Inflate the member at `at` in memory and learn where it ends: raw inflate
 * stops at the end of the deflate data, and reports how much input it
 * consumed. A member cut short gives what inflates up to the cut
 * (Z_SYNC_FLUSH instead of Z_FINISH, so the missing end is not an error).
 * Throws when the header is incomplete or not gzip, the deflate data is
 * damaged, or the trailer does not match the data.
 */
export function inflateMember(buf: Buffer, at = 0): InflatedMember {
  const header = parseMemberHeader(buf, at);
  if (!header) throw new RecordingFormatError('the gzip member header is cut short');
  const start = at + header.bytes;
  let inflated: InflateInfo;
  try {
    const options = { info: true, finishFlush: zlib.constants.Z_SYNC_FLUSH };
    inflated = zlib.inflateRawSync(buf.subarray(start), options) as unknown as InflateInfo;
  } catch (e) {
    throw new RecordingFormatError(`the gzip member at byte ${at} is damaged (${(e as Error).message})`);
  }
  const data = inflated.buffer;
  const deflateEnd = start + inflated.engine.bytesWritten;
  // Inflate consumed everything: either the data was cut, or it ends exactly at the end of the buffer without its trailer.
  if (deflateEnd + MEMBER_TRAILER_BYTES > buf.length) return { header, data, end: buf.length, truncated: true };
  checkTrailer(buf.subarray(deflateEnd, deflateEnd + MEMBER_TRAILER_BYTES), zlib.crc32(data), data.length, at);
  return { header, data, end: deflateEnd + MEMBER_TRAILER_BYTES, truncated: false };
}

/** Throw unless the 8-byte trailer matches the CRC32 and length of what inflated. */
export function checkTrailer(trailer: Buffer, crc: number, size: number, memberOffset: number): void {
  if (trailer.readUInt32LE(0) !== crc >>> 0) {
    throw new RecordingFormatError(`the gzip member at byte ${memberOffset} is damaged (CRC mismatch)`);
  }
  if (trailer.readUInt32LE(4) !== size % 0x1_0000_0000) {
    throw new RecordingFormatError(`the gzip member at byte ${memberOffset} is damaged (length mismatch)`);
  }
}
