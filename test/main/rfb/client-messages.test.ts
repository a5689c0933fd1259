import { describe, expect, it } from 'vitest';
import { parseClientMessage, type ClientMessage } from '../../../src/main/rfb/client-messages.js';
import { ProtocolError } from '../../../src/main/rfb/errors.js';
import { bytes } from '../../support/bytes.js';

/** One fixture per client message type, with what the parser must make of it. */
const fixtures: Array<[string, Buffer, ClientMessage]> = [
  [
    'SetPixelFormat',
    bytes()
      .u8(0).pad(3) // type, padding
      .u8(16).u8(16).u8(1).u8(1) // bpp, depth, big-endian, true-colour
      .u16(31).u16(63).u16(31) // maxima
      .u8(11).u8(5).u8(0).pad(3) // shifts, padding
      .build(),
    {
      type: 'setPixelFormat',
      format: { bitsPerPixel: 16, depth: 16, bigEndian: true, trueColour: true, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 },
    },
  ],
  [
    'SetEncodings',
    bytes().u8(2).pad(1).u16(3).s32(16).s32(0).s32(-223).build(), // 3 encodings: ZRLE, Raw, DesktopSize
    { type: 'setEncodings', encodings: [16, 0, -223] },
  ],
  [
    'FramebufferUpdateRequest',
    bytes().u8(3).u8(1).u16(10).u16(20).u16(300).u16(200).build(),
    { type: 'updateRequest', incremental: true, x: 10, y: 20, w: 300, h: 200 },
  ],
  ['KeyEvent', bytes().u8(4).u8(1).pad(2).u32(0x20ac).build(), { type: 'key', down: true, keysym: 0x20ac }],
  ['PointerEvent', bytes().u8(5).u8(5).u16(640).u16(480).build(), { type: 'pointer', buttons: 5, x: 640, y: 480 }],
  [
    'ClientCutText',
    bytes().u8(6).pad(3).u32(5).text('héllo'.slice(0, 5)).build(),
    { type: 'cutText', text: Buffer.from('héllo', 'latin1'), extended: false },
  ],
  [
    'ClientCutText (extended clipboard)',
    bytes().u8(6).pad(3).s32(-4).u32(0x01000000).build(), // caps message, 4 bytes of flags
    { type: 'cutText', text: Buffer.from([1, 0, 0, 0]), extended: true },
  ],
  [
    'EnableContinuousUpdates',
    bytes().u8(150).u8(1).u16(0).u16(0).u16(800).u16(600).build(),
    { type: 'enableContinuousUpdates', enable: true, x: 0, y: 0, w: 800, h: 600 },
  ],
  [
    'ClientFence',
    bytes().u8(248).pad(3).u32(0x80000003).u8(3).raw([1, 2, 3]).build(),
    { type: 'fence', flags: 0x80000003, payload: Buffer.from([1, 2, 3]) },
  ],
  [
    'SetDesktopSize',
    bytes().u8(251).pad(1).u16(1024).u16(768).u8(1).pad(1).u32(7).u16(0).u16(0).u16(1024).u16(768).u32(0).build(),
    { type: 'setDesktopSize', width: 1024, height: 768, screens: [{ id: 7, x: 0, y: 0, w: 1024, h: 768, flags: 0 }] },
  ],
  [
    'QEMU extended key event',
    bytes().u8(255).u8(0).u16(1).u32(0x61).u32(30).build(),
    { type: 'qemuKey', down: true, keysym: 0x61, keycode: 30 },
  ],
];

describe('parseClientMessage', () => {
  for (const [name, wire, expected] of fixtures) {
    it(`${name}: needs every byte, at every split offset`, () => {
      for (let k = 0; k < wire.length; k++) {
        expect(parseClientMessage(wire.subarray(0, k), 0).consumed, `split at ${k}`).toBe(0);
      }
      const whole = parseClientMessage(wire, 0);
      expect(whole.consumed).toBe(wire.length);
      expect(whole.message).toEqual(expected);
    });

    it(`${name}: parses at an offset inside a larger buffer, leaving what follows`, () => {
      const buf = Buffer.concat([Buffer.from([9, 9, 9]), wire, Buffer.from([4])]);
      const r = parseClientMessage(buf, 3);
      expect(r.consumed).toBe(wire.length);
      expect(r.message).toEqual(expected);
    });
  }

  it('fed one byte at a time, a stream of all messages parses to the same sequence', () => {
    const stream = Buffer.concat(fixtures.map(([, w]) => w));
    const got: ClientMessage[] = [];
    let have = Buffer.alloc(0);
    for (let i = 0; i < stream.length; i++) {
      have = Buffer.concat([have, stream.subarray(i, i + 1)]);
      let off = 0;
      for (;;) {
        const r = parseClientMessage(have, off);
        if (r.consumed === 0) break;
        if (r.message) got.push(r.message);
        off += r.consumed;
      }
      have = have.subarray(off);
    }
    expect(got).toEqual(fixtures.map(([, , m]) => m));
    expect(have).toHaveLength(0);
  });

  it('refuses an unknown message type', () => {
    expect(() => parseClientMessage(Buffer.from([77, 0, 0]), 0)).toThrow(ProtocolError);
  });

  it('limits the number of encodings before reading them', () => {
    const wire = bytes().u8(2).pad(1).u16(60000).build(); // claims 60000 encodings, sends none
    expect(() => parseClientMessage(wire, 0)).toThrow(/60000 encodings/);
  });

  it('reports an oversized cut text for skipping instead of buffering it', () => {
    const wire = bytes().u8(6).pad(3).u32(1 << 30).build();
    expect(parseClientMessage(wire, 0, { maxEncodings: 10, maxCutText: 1000 })).toEqual({
      consumed: 8,
      message: { type: 'cutTextTooLong', length: 1 << 30, extended: false },
    });
  });

  it('refuses a fence payload longer than 64 bytes and a SetDesktopSize without screens', () => {
    expect(() => parseClientMessage(bytes().u8(248).pad(3).u32(0).u8(65).build(), 0)).toThrow(/fence/);
    expect(() => parseClientMessage(bytes().u8(251).pad(1).u16(1).u16(1).u8(0).pad(1).build(), 0)).toThrow(/no screens/);
  });
});
