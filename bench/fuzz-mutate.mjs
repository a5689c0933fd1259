// Mutations for bench/fuzz.mjs: a seeded PRNG, the mutation operators, and
// well-formed client messages of every kind to mutate (each with where its
// length fields are, so those can be set to 0, the maximum or off by one).

import { deflateSync } from 'node:zlib';

/** mulberry32: small, fast and seeded, so a run can be replayed from its seed. */
export function makeRandom(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    /** An integer in [0, n). */
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)],
    bytes: (n) => {
      const b = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
      return b;
    },
    /** A new generator seeded from this one (one per worker, so workers do not depend on each other's timing). */
    fork: () => makeRandom(Math.floor(next() * 0x100000000)),
  };
  return r;
}

/**
 * A message to mutate: its bytes, its length fields as [offset, size in
 * bytes], and the fields the server checks and refuses when wrong (a pixel
 * format, compressed clipboard data): mutateField leaves both alone.
 */
export const seed = (bytes, lengths = [], checked = []) => ({ bytes, lengths, checked });

/** The mutation operators, by name (the names are what the summary counts). */
export const OPERATORS = ['bitflip', 'insert', 'delete', 'length0', 'lengthMax', 'lengthOff', 'truncate', 'random', 'splice'];

function writeUint(b, off, size, v) {
  if (off + size > b.length) return;
  if (size === 1) b[off] = v & 0xff;
  else if (size === 2) b.writeUInt16BE(v & 0xffff, off);
  else b.writeUInt32BE(v >>> 0, off);
}
function readUint(b, off, size) {
  if (off + size > b.length) return 0;
  return size === 1 ? b[off] : size === 2 ? b.readUInt16BE(off) : b.readUInt32BE(off);
}

/**
 * One mutation of `s` (a seed). `other` is another valid message for
 * splicing; `cut` (optional) picks the truncation point so a caller can walk
 * every byte in turn. Returns { bytes, op }.
 */
export function mutate(r, s, { other = null, cut = null, only = null } = {}) {
  const src = s.bytes;
  let op = only ?? r.pick(OPERATORS);
  if (op.startsWith('length') && s.lengths.length === 0) op = 'bitflip';
  const b = Buffer.from(src);
  switch (op) {
    case 'bitflip': {
      if (b.length === 0) return { bytes: r.bytes(1), op: 'random' };
      const flips = 1 + r.int(3);
      for (let i = 0; i < flips; i++) b[r.int(b.length)] ^= 1 << r.int(8);
      return { bytes: b, op };
    }
    case 'insert': {
      const at = r.int(b.length + 1);
      return { bytes: Buffer.concat([b.subarray(0, at), r.bytes(1 + r.int(8)), b.subarray(at)]), op };
    }
    case 'delete': {
      if (b.length === 0) return { bytes: b, op };
      const at = r.int(b.length);
      return { bytes: Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + r.int(Math.min(4, b.length - at)))]), op };
    }
    case 'length0':
    case 'lengthMax':
    case 'lengthOff': {
      const [off, size] = r.pick(s.lengths);
      const max = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
      const v = op === 'length0' ? 0 : op === 'lengthMax' ? (r.chance(0.5) ? max : 0x7fffffff >>> (32 - 8 * size)) : readUint(b, off, size) + (r.chance(0.5) ? 1 : -1);
      writeUint(b, off, size, v);
      return { bytes: b, op };
    }
    case 'truncate': {
      const at = cut === null ? r.int(Math.max(1, b.length)) : cut % Math.max(1, b.length);
      return { bytes: b.subarray(0, at), op };
    }
    case 'random':
      return { bytes: r.bytes(r.chance(0.8) ? Math.max(1, b.length) : 1 + r.int(64)), op };
    case 'splice': {
      // A valid message's head joined to another's tail (or to a whole one): framing that lies.
      const o = other ?? src;
      const head = b.subarray(0, r.int(b.length + 1));
      const tail = r.chance(0.5) ? o : o.subarray(r.int(o.length + 1));
      return { bytes: Buffer.concat([head, tail]), op };
    }
    default:
      throw new Error(`unknown operator ${op}`);
  }
}

/**
 * A mutation that keeps the message's framing: one field byte (never the
 * type byte or a length field) flipped, randomised, or set to 0 or 0xff. The
 * server must take any value there, or refuse the message cleanly; it cannot
 * lose its place in the stream. Returns { bytes, op }.
 */
export function mutateField(r, s) {
  const b = Buffer.from(s.bytes);
  const framing = new Set([0]);
  for (const [off, size] of [...s.lengths, ...s.checked]) for (let i = 0; i < size; i++) framing.add(off + i);
  let at = 1 + r.int(Math.max(1, b.length - 1));
  for (let tries = 0; framing.has(at) && tries < 8; tries++) at = 1 + r.int(Math.max(1, b.length - 1));
  if (at >= b.length || framing.has(at)) return { bytes: b, op: 'none' };
  const op = r.pick(['bitflip', 'random', 'extreme']);
  if (op === 'bitflip') b[at] ^= 1 << r.int(8);
  else if (op === 'random') b[at] = r.int(256);
  else b[at] = r.chance(0.5) ? 0 : 0xff;
  return { bytes: b, op };
}

// ---- well-formed messages of the normal phase (RFC 6143 §7.5 and the community extensions)

const u8 = (v) => Buffer.from([v & 0xff]);
const u16 = (v) => Buffer.from([(v >> 8) & 0xff, v & 0xff]);
const u32 = (v) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};
const s32 = (v) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v | 0);
  return b;
};
const cat = (...parts) => Buffer.concat(parts);

/**
 * The encodings the fuzzing clients announce, so the extensions' messages are
 * legal. ContinuousUpdates first (mutateField keeps it, so EnableContinuousUpdates
 * stays legal); Raw before the compressing ones: the fuzzing clients are there
 * to send odd messages, not to make the server deflate full screens for them.
 */
export const FUZZ_ENCODINGS = [-313, 0, 1, 5, 2, 16, 15, 6, -223, -224, -239, -308, -309, -312, -1063131698];

/** SetPixelFormat's format fields (bytes 4–16): refused when inconsistent, so kept by mutateField (the padding is not). */
const PF_CHECKED = [[4, 13]];
const pixelFormat = (bpp, depth, be, tc, rmax, gmax, bmax, rs, gs, bs) => cat(u8(0), Buffer.alloc(3), u8(bpp), u8(depth), u8(be), u8(tc), u16(rmax), u16(gmax), u16(bmax), u8(rs), u8(gs), u8(bs), Buffer.alloc(3));
const encodings = (list) => cat(u8(2), u8(0), u16(list.length), ...list.map(s32));
const cutText = (text) => cat(u8(6), Buffer.alloc(3), u32(text.length), Buffer.from(text, 'latin1'));
function extendedClipboard(flags, body = Buffer.alloc(0)) {
  const payload = cat(u32(flags), body);
  return cat(u8(6), Buffer.alloc(3), s32(-payload.length), payload);
}
/** An Extended Clipboard message's length field, and its flags and data (checked: the flags must name one action, the data inflate). */
const clip = (b) => [b, [[4, 4]], [[8, b.length - 8]]];
const provide = (text) => {
  const t = Buffer.from(`${text}\0`, 'utf8');
  return deflateSync(cat(u32(t.length), t));
};

/** Valid messages of every client type; the length fields marked. */
export const NORMAL_SEEDS = [
  seed(pixelFormat(32, 24, 0, 1, 255, 255, 255, 16, 8, 0), [], PF_CHECKED),
  seed(pixelFormat(16, 16, 1, 1, 31, 63, 31, 11, 5, 0), [], PF_CHECKED),
  seed(pixelFormat(8, 8, 0, 0, 0, 0, 0, 0, 0, 0), [], PF_CHECKED),
  seed(pixelFormat(8, 6, 0, 1, 3, 3, 3, 4, 2, 0), [], PF_CHECKED),
  seed(encodings(FUZZ_ENCODINGS), [[2, 2]], [[4, 4]]),
  seed(encodings([-313, 0, 1, 16, -239]), [[2, 2]], [[4, 4]]),
  seed(cat(u8(3), u8(1), u16(0), u16(0), u16(64), u16(48))),
  seed(cat(u8(3), u8(1), u16(600), u16(300), u16(32), u16(32))),
  seed(cat(u8(3), u8(1), u16(1270), u16(710), u16(64), u16(64))),
  seed(cat(u8(4), u8(1), Buffer.alloc(2), u32(0x61))),
  seed(cat(u8(4), u8(0), Buffer.alloc(2), u32(0xffe1))),
  seed(cat(u8(5), u8(0), u16(10), u16(10))),
  seed(cat(u8(5), u8(1), u16(1279), u16(719))),
  seed(cutText('hello from the fuzzer'), [[4, 4]]),
  seed(...clip(extendedClipboard(0x10000001, provide('fuzz ☺')))),
  seed(...clip(extendedClipboard(0x08000001))), // notify: text is available
  seed(...clip(extendedClipboard(0x02000001))), // request
  seed(...clip(extendedClipboard(0x01000001, u32(1024)))), // caps
  seed(cat(u8(150), u8(1), u16(0), u16(0), u16(64), u16(48))),
  seed(cat(u8(248), Buffer.alloc(3), u32(0x80000001), u8(2), Buffer.from([7, 7])), [[8, 1]]),
  seed(cat(u8(251), u8(0), u16(1280), u16(720), u8(1), u8(0), u32(0), u16(0), u16(0), u16(1280), u16(720), u32(0)), [[6, 1]]),
  seed(cat(u8(255), u8(0), u16(1), u32(0x61), u32(30)), [], [[1, 1]]),
];

/** A fence request (flags: request only) with `payload` (≤ 64 bytes): the server answers with the same payload. */
export const fenceRequest = (payload) => cat(u8(248), Buffer.alloc(3), u32(0x80000000), u8(payload.length), payload);

/** SetEncodings and an 8 bpp pixel format: how every fuzzing session starts once in. */
export const SESSION_START = cat(encodings(FUZZ_ENCODINGS), NORMAL_SEEDS[3].bytes);

// ---- well-formed handshake messages

export const VERSIONS = ['RFB 003.008\n', 'RFB 003.007\n', 'RFB 003.003\n', 'RFB 003.889\n'].map((v) => seed(Buffer.from(v, 'latin1')));

/** VeNCrypt Plain: U32 user length, U32 password length, user, password. */
export const plainCredentials = (user, password) => {
  const u = Buffer.from(user, 'utf8');
  const p = Buffer.from(password, 'utf8');
  return seed(cat(u32(u.length), u32(p.length), u, p), [
    [0, 4],
    [4, 4],
  ]);
};

/** RSA-AES credentials: U8 user length, user, U8 password length, password. */
export const ra2Credentials = (user, password) => {
  const u = Buffer.from(user, 'utf8');
  const p = Buffer.from(password, 'utf8');
  return seed(cat(u8(u.length), u, u8(p.length), p), [
    [0, 1],
    [1 + u.length, 1],
  ]);
};

export { u8, u16, u32, cat };
