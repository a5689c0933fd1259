import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { NATIVE_FORMAT, PixelConverter } from '../../../src/main/rfb/pixel-format.js';
import {
  beginFramebufferUpdate,
  bell,
  clipboardCaps,
  clipboardNotify,
  clipboardProvide,
  clipboardRequest,
  endFramebufferUpdate,
  endOfContinuousUpdates,
  fence,
  FENCE_REQUEST,
  PROTOCOL_VERSION,
  securityRefusal,
  securityResultFailed,
  securityResultOk,
  securityTypes,
  serverCutText,
  serverInit,
  setColourMapEntries,
  vncAuthChallenge,
  writeCursorShape,
  writeDesktopName,
  writeDesktopSize,
  writeExtendedDesktopSize,
  writeRectHeader,
} from '../../../src/main/rfb/server-messages.js';
import { ByteWriter } from '../../../src/main/rfb/wire.js';
import { bytes } from '../../support/bytes.js';

/** What a function appending to a ByteWriter wrote. */
function written(fn: (out: ByteWriter) => void): Buffer {
  const out = new ByteWriter(8);
  fn(out);
  return out.toBuffer();
}

// Every expectation is built field by field from RFC 6143 §7 / rfbproto.rst, not from our writers.
describe('handshake messages (RFC 6143 §7.1–7.3)', () => {
  it('ProtocolVersion is the 12 bytes "RFB 003.008\\n"', () => {
    expect(PROTOCOL_VERSION).toEqual(Buffer.from('RFB 003.008\n', 'latin1'));
  });

  it('security types: a u32 for 3.3, a count and a list for 3.7 and 3.8', () => {
    expect(securityTypes(3, [2])).toEqual(bytes().u32(2).build());
    expect(securityTypes(7, [2])).toEqual(bytes().u8(1).u8(2).build());
    expect(securityTypes(8, [19, 2, 1])).toEqual(bytes().u8(3).u8(19).u8(2).u8(1).build());
  });

  it('a refusal before security: type 0 (3.3) or no types (3.7+), then the reason', () => {
    expect(securityRefusal(3, 'busy')).toEqual(bytes().u32(0).u32(4).text('busy').build());
    expect(securityRefusal(8, 'too many')).toEqual(bytes().u8(0).u32(8).text('too many').build());
  });

  it('SecurityResult: 0 for OK; 1, with a UTF-8 reason only in 3.8, for failed', () => {
    expect(securityResultOk()).toEqual(bytes().u32(0).build());
    expect(securityResultFailed(3, 'no')).toEqual(bytes().u32(1).build());
    expect(securityResultFailed(7, 'no')).toEqual(bytes().u32(1).build());
    expect(securityResultFailed(8, 'mot de passe refusé')).toEqual(bytes().u32(1).u32(20).text('mot de passe refusé', 'utf8').build());
  });

  it('the VNC Authentication challenge is its 16 bytes, and nothing else is accepted', () => {
    const c = Buffer.from([...Array(16).keys()]);
    expect(vncAuthChallenge(c)).toEqual(c);
    expect(() => vncAuthChallenge(Buffer.alloc(8))).toThrow(/16 bytes/);
  });

  it('ServerInit: size, the 16-byte pixel format, and the name in UTF-8', () => {
    expect(serverInit(1920, 1080, NATIVE_FORMAT, 'Büro')).toEqual(
      bytes()
        .u16(1920)
        .u16(1080)
        .u8(32) // bits per pixel
        .u8(24) // depth
        .u8(0) // big-endian flag
        .u8(1) // true colour
        .u16(255)
        .u16(255)
        .u16(255) // red, green, blue max
        .u8(16)
        .u8(8)
        .u8(0) // red, green, blue shift
        .pad(3)
        .u32(5) // name length in bytes
        .text('Büro', 'utf8')
        .build(),
    );
  });
});

describe('FramebufferUpdate and its rectangles (§7.6.1, §7.8)', () => {
  it('a header whose count is filled in at the end, then rectangle headers with signed encodings', () => {
    const got = written((out) => {
      const at = beginFramebufferUpdate(out);
      writeRectHeader(out, { x: 1, y: 2, w: 300, h: 4 }, 16);
      writeRectHeader(out, { x: 0, y: 0, w: 0, h: 0 }, -224);
      endFramebufferUpdate(out, at, 2);
    });
    expect(got).toEqual(
      bytes()
        .u8(0) // FramebufferUpdate
        .pad(1)
        .u16(2) // rectangles
        .u16(1).u16(2).u16(300).u16(4).s32(16)
        .u16(0).u16(0).u16(0).u16(0).s32(-224)
        .build(),
    );
  });

  it('refuses more rectangles than the u16 count holds', () => {
    const out = new ByteWriter();
    const at = beginFramebufferUpdate(out);
    expect(() => endFramebufferUpdate(out, at, 0x10000)).toThrow(RangeError);
  });

  it('DesktopSize: the new size as the rectangle, encoding −223', () => {
    expect(written((o) => writeDesktopSize(o, 800, 600))).toEqual(bytes().u16(0).u16(0).u16(800).u16(600).s32(-223).build());
  });

  it('ExtendedDesktopSize: reason and status in x and y, then one screen with id 1', () => {
    expect(written((o) => writeExtendedDesktopSize(o, 1, 3, 1024, 768))).toEqual(
      bytes()
        .u16(1) // reason: this client's request
        .u16(3) // status: invalid layout
        .u16(1024)
        .u16(768)
        .s32(-308)
        .u8(1) // number of screens
        .pad(3)
        .u32(1) // screen id
        .u16(0).u16(0).u16(1024).u16(768) // x, y, w, h
        .u32(0) // flags
        .build(),
    );
  });

  it('DesktopName: an empty rectangle, encoding −307, then the UTF-8 name', () => {
    expect(written((o) => writeDesktopName(o, 'Zoë'))).toEqual(bytes().u16(0).u16(0).u16(0).u16(0).s32(-307).u32(4).text('Zoë', 'utf8').build());
  });

  it('Cursor: hotspot, size, pixels in the client format, then a mask of ceil(w/8) bytes per row', () => {
    // 9×2: the mask needs two bytes per row. Top row opaque except the last pixel; bottom row transparent but pixel 0.
    const pixels = new Uint32Array(18);
    for (let i = 0; i < 9; i++) pixels[i] = (i < 8 ? 0xff000000 : 0x7f000000) | (i * 0x10203);
    pixels[9] = 0x80abcdef;
    const got = written((o) => writeCursorShape(o, { width: 9, height: 2, hotX: 3, hotY: 1, pixels, serial: 1 }, new PixelConverter(NATIVE_FORMAT)));
    const want = bytes().u16(3).u16(1).u16(9).u16(2).s32(-239);
    for (const p of pixels) want.raw(Buffer.from(new Uint32Array([p & 0xffffff]).buffer)); // 32 bpp little-endian, straight colour
    want.u8(0xff).u8(0x00); // row 0: pixels 0-7 opaque, pixel 8 (alpha 0x7f) not
    want.u8(0x80).u8(0x00); // row 1: pixel 0 (alpha 0x80) opaque
    expect(got).toEqual(want.build());
  });

  it('an empty cursor is an empty Cursor rectangle (the pointer is hidden)', () => {
    expect(written((o) => writeCursorShape(o, null, new PixelConverter(NATIVE_FORMAT)))).toEqual(bytes().u16(0).u16(0).u16(0).u16(0).s32(-239).build());
  });
});

describe('other server messages (§7.6.2–7.6.4, rfbproto)', () => {
  it('SetColourMapEntries: first colour, count, then 16-bit RGB triples', () => {
    expect(
      setColourMapEntries(5, [
        [0xffff, 0, 0x1234],
        [1, 2, 3],
      ]),
    ).toEqual(bytes().u8(1).pad(1).u16(5).u16(2).u16(0xffff).u16(0).u16(0x1234).u16(1).u16(2).u16(3).build());
  });

  it('Bell is one byte', () => {
    expect(bell()).toEqual(bytes().u8(2).build());
  });

  it('ServerCutText: type 3, padding, a u32 length and the Latin-1 bytes', () => {
    expect(serverCutText(Buffer.from('café', 'latin1'))).toEqual(bytes().u8(3).pad(3).u32(4).text('café').build());
  });

  it('EndOfContinuousUpdates is one byte, 150', () => {
    expect(endOfContinuousUpdates()).toEqual(bytes().u8(150).build());
  });

  it('ServerFence: type 248, padding, flags, payload length and payload (at most 64 bytes)', () => {
    expect(fence(FENCE_REQUEST)).toEqual(bytes().u8(248).pad(3).u32(0x80000000).u8(0).build());
    expect(fence(0x5, Buffer.from([9, 8, 7]))).toEqual(bytes().u8(248).pad(3).u32(5).u8(3).raw([9, 8, 7]).build());
    expect(() => fence(0, Buffer.alloc(65))).toThrow(RangeError);
  });
});

describe('Extended Clipboard messages (rfbproto "ExtendedClipboard")', () => {
  const CAPS = 1 << 24;
  const REQUEST = 1 << 25;
  const PEEK = 1 << 26;
  const NOTIFY = 1 << 27;
  const PROVIDE = 1 << 28;
  const TEXT = 1;

  it('Caps: a negative length, every action and text, and the largest text accepted', () => {
    expect(clipboardCaps(1_000_000)).toEqual(
      bytes()
        .u8(3)
        .pad(3)
        .s32(-8) // extended: the payload length, negated
        .u32(CAPS | REQUEST | PEEK | NOTIFY | PROVIDE | TEXT)
        .u32(1_000_000)
        .build(),
    );
  });

  it('Notify and Request carry only their flags', () => {
    expect(clipboardNotify(TEXT)).toEqual(bytes().u8(3).pad(3).s32(-4).u32(NOTIFY | TEXT).build());
    expect(clipboardNotify(0)).toEqual(bytes().u8(3).pad(3).s32(-4).u32(NOTIFY).build());
    expect(clipboardRequest(TEXT)).toEqual(bytes().u8(3).pad(3).s32(-4).u32(REQUEST | TEXT).build());
  });

  it('Provide: flags, then a zlib stream of a u32 size and NUL-terminated CRLF UTF-8 text', () => {
    const msg = clipboardProvide('a\nb ☺');
    expect(msg[0]).toBe(3);
    expect(msg.readInt32BE(4)).toBe(-(msg.length - 8));
    expect(msg.readUInt32BE(8)).toBe((PROVIDE | TEXT) >>> 0);
    const body = zlib.inflateSync(msg.subarray(12));
    const text = Buffer.from('a\r\nb ☺\0', 'utf8');
    expect(body).toEqual(bytes().u32(text.length).raw(text).build());
  });
});
