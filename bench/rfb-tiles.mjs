// Where a Hextile, TRLE or Tight piece at the head of the receive buffer ends,
// without decoding it: the benchmark client's parsers for the encodings whose
// rectangles carry no overall length. Each function looks at `buf` from `off`
// and returns the number of bytes the piece takes, or -1 when more bytes must
// arrive first. They never look further than the piece itself.

const BPP = 4; // bytes per pixel of the format the client sets (32 bpp)
const CPIXEL = 3; // TRLE/ZRLE compressed pixel: 32 bpp, depth 24, fits in the low 3 bytes
const TPIXEL = 3; // Tight's pixel for that format (RGB, 3 bytes)

export class ProtocolError extends Error {}

/** Hextile: bytes of the tile at `off`. */
export function hextileTileLen(buf, off, tw, th) {
  const avail = buf.length - off;
  if (avail < 1) return -1;
  const se = buf[off];
  if (se & 1) return 1 + tw * th * BPP;
  const fixed = 1 + (se & 2 ? BPP : 0) + (se & 4 ? BPP : 0) + (se & 8 ? 1 : 0);
  if (!(se & 8)) return fixed;
  if (avail < fixed) return -1;
  const n = buf[off + fixed - 1];
  return fixed + n * (se & 16 ? BPP + 2 : 2);
}

/** TRLE: bytes of the tile at `off`; `state.palette` carries the palette size between tiles. */
export function trleTileLen(buf, off, tw, th, state) {
  if (buf.length - off < 1) return -1;
  const se = buf[off];
  const n = tw * th;
  const packedLen = (p) => {
    const bits = p <= 2 ? 1 : p <= 4 ? 2 : 4;
    return Math.ceil((tw * bits) / 8) * th;
  };
  if (se === 0) return 1 + n * CPIXEL;
  if (se === 1) {
    state.palette = 1;
    return 1 + CPIXEL;
  }
  if (se >= 2 && se <= 16) {
    state.palette = se;
    return 1 + se * CPIXEL + packedLen(se);
  }
  if (se === 127) {
    if (!state.palette) throw new ProtocolError('TRLE palette reuse (127) without a previous palette');
    return 1 + packedLen(state.palette);
  }
  if (se >= 128) {
    // run-length tiles: scan runs until they cover the tile
    let p = off + 1;
    let pal = 0;
    if (se >= 130) {
      pal = se - 128;
      p += pal * CPIXEL;
    } else if (se === 129) {
      if (!state.palette) throw new ProtocolError('TRLE palette RLE reuse (129) without a previous palette');
      pal = state.palette;
    }
    let covered = 0;
    while (covered < n) {
      let run = 1;
      if (se === 128) {
        if (p + CPIXEL > buf.length) return -1;
        p += CPIXEL;
        run = 0;
      } else {
        if (p + 1 > buf.length) return -1;
        const idx = buf[p++];
        if ((idx & 0x7f) >= pal) throw new ProtocolError(`TRLE palette index ${idx & 0x7f} >= palette size ${pal}`);
        if (!(idx & 0x80)) {
          covered += 1;
          continue;
        }
        run = 0;
      }
      // run length: bytes of 255 then a final byte < 255, plus one
      for (;;) {
        if (p + 1 > buf.length) return -1;
        const b = buf[p++];
        run += b;
        if (b !== 255) break;
      }
      covered += run + 1;
    }
    if (covered !== n) throw new ProtocolError(`TRLE RLE runs cover ${covered} pixels of a ${n}-pixel tile`);
    if (se >= 130) state.palette = pal;
    return p - off;
  }
  throw new ProtocolError(`TRLE sub-encoding ${se} is not defined`);
}

/**
 * Tight's compact length (1 to 3 bytes, 7 + 7 + 8 bits, low bits first) at
 * `p`: { len, size } or null when its bytes have not all arrived.
 */
function compactLength(buf, p) {
  if (p >= buf.length) return null;
  let b = buf[p];
  let len = b & 0x7f;
  if (!(b & 0x80)) return { len, size: 1 };
  if (p + 1 >= buf.length) return null;
  b = buf[p + 1];
  len |= (b & 0x7f) << 7;
  if (!(b & 0x80)) return { len, size: 2 };
  if (p + 2 >= buf.length) return null;
  return { len: len | (buf[p + 2] << 14), size: 3 };
}

/**
 * A Tight (7) or TightPNG (-260) rectangle of w×h at `off`, as the RFB
 * community's protocol document and noVNC's decoders frame it:
 * { header, payload, kind, resets } or null while its header is incomplete.
 * `header` bytes are parsed here; `payload` bytes (zlib, JPEG or PNG data, or
 * raw data under 12 bytes) follow and can be skipped as they arrive.
 *
 * Compression control byte: the low 4 bits ask the client to reset zlib
 * streams 0-3; the high 4 are 8 fill (one TPIXEL), 9 JPEG (compact length +
 * data), 10 PNG (TightPNG only, the same framing), or 0-7 basic compression:
 * bits 0-1 the zlib stream, bit 2 "a filter id follows" (0 copy, 1 palette:
 * count-1 then the palette in TPIXELs, 2 gradient). Basic data shorter than
 * 12 bytes is sent as it is; longer, as a compact length and zlib data.
 */
export function tightRectLen(buf, off, w, h) {
  if (off >= buf.length) return null;
  const ctl = buf[off];
  const resets = ctl & 0x0f;
  const kind = ctl >> 4;
  let p = off + 1;
  if (kind === 8) {
    return p + TPIXEL <= buf.length ? { header: 1 + TPIXEL, payload: 0, kind: 'fill', resets } : null;
  }
  if (kind === 9 || kind === 10) {
    const cl = compactLength(buf, p);
    return cl && { header: 1 + cl.size, payload: cl.len, kind: kind === 9 ? 'jpeg' : 'png', resets };
  }
  if (kind > 10) throw new ProtocolError(`Tight compression control 0x${ctl.toString(16)} is not defined`);
  let filter = 0;
  if (kind & 4) {
    if (p >= buf.length) return null;
    filter = buf[p++];
  }
  let raw;
  let name;
  if (filter === 0) {
    raw = w * h * TPIXEL;
    name = 'copy';
  } else if (filter === 1) {
    if (p >= buf.length) return null;
    const colours = buf[p] + 1;
    p += 1 + colours * TPIXEL;
    if (p > buf.length) return null;
    raw = Math.floor((w * (colours <= 2 ? 1 : 8) + 7) / 8) * h;
    name = colours <= 2 ? 'mono' : 'palette';
  } else if (filter === 2) {
    raw = w * h * TPIXEL;
    name = 'gradient';
  } else {
    throw new ProtocolError(`Tight filter ${filter} is not defined`);
  }
  if (raw < 12) return { header: p - off, payload: raw, kind: name, resets };
  const cl = compactLength(buf, p);
  return cl && { header: p - off + cl.size, payload: cl.len, kind: name, resets };
}
