/*
 * Raw deflate chunks through the system's zlib, for TrayVNC's encode workers.
 *
 * Node's bundled zlib is Chromium's fork, whose hash looks at four bytes: on
 * ZRLE's three-byte pixels it misses the one-pixel matches stock zlib finds,
 * and a photo-like 1080p frame deflates 15-20 % bigger at the same speed.
 * This binding exposes one call: deflate a chunk on its own (no reference to
 * anything before it), as raw deflate blocks ending in a sync flush, which is
 * the form the encoders' independent chunks take (see zlib-stream.ts).
 *
 * It runs synchronously on the calling thread: the callers are worker threads.
 */
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define LEVELS 10    /* 0..9 */
#define MEM_LEVELS 10 /* 1..9 (0 unused) */
#define STRATEGIES 5  /* Z_DEFAULT_STRATEGY..Z_FIXED */

/* One thread's (one Node environment's) deflaters, made on first use and reset between chunks. */
typedef struct {
  z_stream *streams[LEVELS * MEM_LEVELS * STRATEGIES];
  unsigned char *out;
  size_t out_size;
} Deflaters;

static void free_deflaters(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Deflaters *d = (Deflaters *)data;
  for (size_t i = 0; i < sizeof(d->streams) / sizeof(d->streams[0]); i++) {
    if (d->streams[i]) {
      deflateEnd(d->streams[i]);
      free(d->streams[i]);
    }
  }
  free(d->out);
  free(d);
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static int int_arg(napi_env env, napi_value v, int lo, int hi, int *out) {
  int32_t n;
  if (napi_get_value_int32(env, v, &n) != napi_ok || n < lo || n > hi) return 0;
  *out = n;
  return 1;
}

/* A ready deflater for these parameters: reset, so it refers to nothing before. */
static z_stream *deflater(Deflaters *d, int level, int mem_level, int strategy) {
  size_t key = ((size_t)level * MEM_LEVELS + (size_t)mem_level) * STRATEGIES + (size_t)strategy;
  z_stream *s = d->streams[key];
  if (s) return deflateReset(s) == Z_OK ? s : NULL;
  s = (z_stream *)calloc(1, sizeof(z_stream));
  if (!s) return NULL;
  /* -15: raw deflate, 32 KiB window; the client's inflater had the zlib header from the stream's first chunk. */
  if (deflateInit2(s, level, Z_DEFLATED, -15, mem_level, strategy) != Z_OK) {
    free(s);
    return NULL;
  }
  d->streams[key] = s;
  return s;
}

static int ensure_out(Deflaters *d, size_t size) {
  if (d->out_size >= size) return 1;
  unsigned char *grown = (unsigned char *)realloc(d->out, size);
  if (!grown) return 0;
  d->out = grown;
  d->out_size = size;
  return 1;
}

/*
 * The arguments both calls share: (data: Uint8Array, level: 0..9, memLevel: 1..9,
 * strategy: 0..4, tune?: [goodLength, maxLazy, niceLength, maxChain], prefix?: 0..64).
 * Deflates `data` into the thread's own output buffer (d->out), `prefix` zero
 * bytes first; returns the bytes made there, or -1 with an error thrown.
 */
/* `v` as a Uint8Array's bytes (shared memory too); 0 if it is something else. */
static int bytes_arg(napi_env env, napi_value v, void **data, size_t *length) {
  bool is_typed = false;
  napi_typedarray_type type;
  return napi_is_typedarray(env, v, &is_typed) == napi_ok && is_typed &&
         napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) == napi_ok && type == napi_uint8_array;
}

static long deflate_args(napi_env env, napi_value *argv, size_t argc, Deflaters **dp) {
  size_t length = 0;
  void *data = NULL;
  if (!bytes_arg(env, argv[0], &data, &length)) return fail(env, "deflateRawChunk: data must be a Uint8Array"), -1;
  if (length > 0x7fffffff) return fail(env, "deflateRawChunk: data over 2 GiB"), -1;

  int level, mem_level, strategy;
  if (!int_arg(env, argv[1], 0, 9, &level)) return fail(env, "deflateRawChunk: level must be 0..9"), -1;
  if (!int_arg(env, argv[2], 1, 9, &mem_level)) return fail(env, "deflateRawChunk: memLevel must be 1..9"), -1;
  if (!int_arg(env, argv[3], 0, 4, &strategy)) return fail(env, "deflateRawChunk: strategy must be 0..4"), -1;

  int tune[4] = {0, 0, 0, 0};
  int tuned = 0;
  if (argc > 4) {
    napi_valuetype t;
    napi_typeof(env, argv[4], &t);
    if (t != napi_undefined && t != napi_null) {
      bool is_array = false;
      uint32_t len = 0;
      if (napi_is_array(env, argv[4], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[4], &len) != napi_ok || len != 4)
        return fail(env, "deflateRawChunk: tune must be [goodLength, maxLazy, niceLength, maxChain]"), -1;
      for (uint32_t i = 0; i < 4; i++) {
        napi_value e;
        if (napi_get_element(env, argv[4], i, &e) != napi_ok || !int_arg(env, e, i == 2 ? 3 : 0, i == 3 ? 4096 : 258, &tune[i]))
          return fail(env, "deflateRawChunk: tune values out of range"), -1;
      }
      tuned = 1;
    }
  }
  int prefix = 0;
  if (argc > 5) {
    napi_valuetype t;
    napi_typeof(env, argv[5], &t);
    if (t != napi_undefined && !int_arg(env, argv[5], 0, 64, &prefix)) return fail(env, "deflateRawChunk: prefix must be 0..64"), -1;
  }

  Deflaters *d = NULL;
  if (napi_get_instance_data(env, (void **)&d) != napi_ok || !d) return fail(env, "deflateRawChunk: not initialised"), -1;
  *dp = d;
  z_stream *s = deflater(d, level, mem_level, strategy);
  if (!s) return fail(env, "deflateRawChunk: zlib could not make a deflater"), -1;
  /* After the reset, which put back the level's own settings. */
  if (tuned && deflateTune(s, tune[0], tune[1], tune[2], tune[3]) != Z_OK) return fail(env, "deflateRawChunk: deflateTune failed"), -1;

  /* deflateBound covers the blocks; the sync flush adds an empty stored block (5 bytes) and alignment. */
  size_t want = (size_t)prefix + deflateBound(s, (uLong)length) + 64;
  if (!ensure_out(d, want)) return fail(env, "deflateRawChunk: out of memory"), -1;
  memset(d->out, 0, (size_t)prefix);
  s->next_in = (Bytef *)data;
  s->avail_in = (uInt)length;
  size_t produced = (size_t)prefix;
  for (int rounds = 0;; rounds++) {
    s->next_out = d->out + produced;
    s->avail_out = (uInt)(d->out_size - produced);
    int ret = deflate(s, Z_SYNC_FLUSH);
    produced = d->out_size - s->avail_out;
    if (ret != Z_OK && ret != Z_BUF_ERROR) return fail(env, "deflateRawChunk: deflate failed"), -1;
    /* Done when all input is in and the flush fitted (output room left over). */
    if (s->avail_in == 0 && s->avail_out > 0) break;
    if (rounds > 64 || !ensure_out(d, d->out_size * 2)) return fail(env, "deflateRawChunk: output would not fit"), -1;
  }
  return (long)produced;
}

/*
 * deflateRawChunk(data, level, memLevel, strategy[, tune, prefix]): Buffer
 * `tune` goes to deflateTune for this chunk; `prefix` zero bytes come first in
 * the result (room for a length the caller writes, instead of a copy).
 */
static napi_value deflate_raw_chunk(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4) return fail(env, "deflateRawChunk(data, level, memLevel, strategy[, tune, prefix]): four arguments at least");
  Deflaters *d = NULL;
  long produced = deflate_args(env, argv, argc, &d);
  if (produced < 0) return NULL;
  napi_value result;
  if (napi_create_buffer_copy(env, (size_t)produced, d->out, NULL, &result) != napi_ok) return fail(env, "deflateRawChunk: could not make the result");
  return result;
}

/*
 * deflateRawChunkInto(data, level, memLevel, strategy, tune, prefix, into: Uint8Array): number
 * The same chunk written at the start of `into` (memory the caller reuses,
 * shared memory too): the bytes written, or -1, nothing written, when they
 * would not fit. No new buffer: a fresh one of a few hundred KB costs more
 * here (the kernel maps and zeroes its pages) than deflating into it.
 */
static napi_value deflate_raw_chunk_into(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 7) return fail(env, "deflateRawChunkInto(data, level, memLevel, strategy, tune, prefix, into): seven arguments");
  size_t room = 0;
  void *into = NULL;
  if (!bytes_arg(env, argv[6], &into, &room)) return fail(env, "deflateRawChunkInto: into must be a Uint8Array");
  Deflaters *d = NULL;
  long produced = deflate_args(env, argv, 6, &d);
  if (produced < 0) return NULL;
  napi_value result;
  if ((size_t)produced > room) {
    napi_create_int32(env, -1, &result);
    return result;
  }
  memcpy(into, d->out, (size_t)produced);
  napi_create_int64(env, (int64_t)produced, &result);
  return result;
}

static napi_value zlib_version_of(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  napi_create_string_utf8(env, zlibVersion(), NAPI_AUTO_LENGTH, &v);
  return v;
}

NAPI_MODULE_INIT() {
  Deflaters *d = (Deflaters *)calloc(1, sizeof(Deflaters));
  if (!d || napi_set_instance_data(env, d, free_deflaters, NULL) != napi_ok) {
    free(d);
    napi_throw_error(env, NULL, "zlib_deflate: could not initialise");
    return NULL;
  }
  napi_property_descriptor props[] = {
    {"deflateRawChunk", NULL, deflate_raw_chunk, NULL, NULL, NULL, napi_enumerable, NULL},
    {"deflateRawChunkInto", NULL, deflate_raw_chunk_into, NULL, NULL, NULL, napi_enumerable, NULL},
    {"zlibVersion", NULL, zlib_version_of, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
