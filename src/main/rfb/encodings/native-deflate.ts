import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The system zlib's deflate, through the small addon in native/zlib-deflate,
 * for independent chunks made on encode workers.
 *
 * Why not Node's zlib: Node bundles Chromium's fork, whose hash reads four
 * bytes, so on ZRLE's three-byte pixels it misses the one-pixel matches stock
 * zlib finds. The bench desktop's full frame of ZRLE tiles deflates to 2260
 * KiB in 76 ms with zlib 1.2.13 at level 2, against 2592 KiB in 81 ms with
 * Node's; TigerVNC's scraping server sends 2264 KiB.
 *
 * The addon is built by `npm install` / `npm run build` where a C compiler and
 * zlib's static library are found (scripts/build-native.mjs); elsewhere this
 * is null and Node's zlib does the work. TRAYVNC_NATIVE_DEFLATE=0 turns it off
 * (to compare, or if a build misbehaves).
 */
export interface NativeDeflate {
  /**
   * `data` deflated on its own as raw deflate blocks, not final, ending in a
   * sync flush; synchronous. `tune` goes to zlib's deflateTune; the result
   * starts with `prefix` zero bytes (room for a length, instead of a copy).
   */
  deflateRawChunk(data: Uint8Array, level: number, memLevel: number, strategy: number, tune?: readonly [number, number, number, number] | null, prefix?: number): Buffer;
  /**
   * The same chunk written at the start of `into` (memory the caller reuses,
   * shared memory too), without a new buffer: the bytes written, or -1, with
   * nothing written, when they would not fit.
   */
  deflateRawChunkInto(data: Uint8Array, level: number, memLevel: number, strategy: number, tune: readonly [number, number, number, number] | null, prefix: number, into: Uint8Array): number;
  /** The linked zlib's version. */
  zlibVersion(): string;
}

/** Where the build puts the addon: native/ at the package root, four folders up from this file in src/ and in dist/. */
export const NATIVE_DEFLATE_PATH = fileURLToPath(new URL('../../../../native/zlib-deflate/build/Release/zlib_deflate.node', import.meta.url));

function load(): NativeDeflate | null {
  if (process.env.TRAYVNC_NATIVE_DEFLATE === '0') return null;
  // Electron's packed app keeps .node files beside its archive (asarUnpack).
  const path = NATIVE_DEFLATE_PATH.replace(/\.asar([\\/])/, '.asar.unpacked$1');
  if (!existsSync(path)) return null;
  try {
    return createRequire(import.meta.url)(path) as NativeDeflate;
  } catch {
    // Built for another platform or Node ABI: Node's zlib does the work.
    return null;
  }
}

export const nativeDeflate: NativeDeflate | null = load();

/**
 * How the system zlib runs level 2 (what noVNC's and TigerVNC's viewers ask
 * for): memLevel 7 and deflateTune(4, 6, 16, 4), i.e. strings inserted for
 * matches up to 6 bytes (two pixels) instead of 5, and a hash chain of 4
 * instead of 8. Measured on the bench desktop's ZRLE tiles in 18 chunks:
 * photo-like (4.7 MB) 2114 KiB in 60 ms against 2139 KiB in 80 ms at level 2
 * memLevel 5; text (0.26 MB) 100 KiB in 3.4 ms against 99 KiB in 3.9 ms.
 */
export const NATIVE_LEVEL_2 = { memLevel: 7, tune: [4, 6, 16, 4] } as const;

/**
 * memLevel for Huffman coding alone (photo tiles of an area that keeps
 * changing): a block of 2^14 symbols rather than ZRLE's 2^11 builds its
 * codes an eighth as often. A 480×270 photo-like area: 3.2 ms and 308 KB
 * against 4.5 ms and 280 KB, for pixels replaced 40 ms later.
 */
export const NATIVE_HUFFMAN_MEM_LEVEL = 8;
