import { describe, expect, it } from 'vitest';
import { createFrame } from '../../../../src/main/framebuffer/frame.js';
import { Encoding, encodingName } from '../../../../src/main/rfb/constants.js';
import { EncodeManager } from '../../../../src/main/rfb/encodings/encode-manager.js';
import type { EncodeInput, EncodeOutcome, Encoder } from '../../../../src/main/rfb/encodings/encoder.js';
import { createEncoderState } from '../../../../src/main/rfb/encodings/encoder-state.js';
import { createEncoders } from '../../../../src/main/rfb/encodings/registry.js';
import { ByteWriter } from '../../../../src/main/rfb/wire.js';

describe('the encoder registry', () => {
  const encoders = createEncoders();

  it('has one encoder per encoding, named as the RFB registry names it, with Raw and one copy encoder', () => {
    const numbers = encoders.map((e) => e.encoding);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const e of encoders) expect(e.name, `encoding ${e.encoding}`).toBe(encodingName(e.encoding));
    expect(numbers).toContain(Encoding.Raw);
    expect(encoders.filter((e) => e.kind === 'copy').map((e) => e.encoding)).toEqual([Encoding.CopyRect]);
  });

  it("makes a new set for each connection (encoders keep scratch buffers)", () => {
    const again = createEncoders();
    for (const e of encoders) expect(again.find((o) => o.encoding === e.encoding)).not.toBe(e);
  });

  it('the manager chooses from what each encoder says it suits, alone in the client list', () => {
    for (const e of encoders.filter((x) => x.kind === 'pixels' && x.encoding !== Encoding.Raw)) {
      const m = new EncodeManager(createEncoderState());
      m.setEncodings([e.encoding]);
      expect(m.encodingFor('few'), `${e.name} for few colours`).toBe(e.suits.few === 'good' ? e.encoding : Encoding.Raw);
      expect(m.encodingFor('many'), `${e.name} for many colours`).toBe(e.suits.many === 'no' ? Encoding.Raw : e.encoding);
      const cheaper = e.solidCost(64, 64, 4) < 64 * 64 * 4;
      expect(m.encodingFor('solid', 64, 64), `${e.name} for a solid area`).toBe(cheaper ? e.encoding : Encoding.Raw);
    }
  });
});

/**
 * A made-up encoding: whole rectangles as one pixel count, good for few
 * colours only. It stands for "a new file": the manager takes it with no
 * change of its own.
 */
class CountEncoder implements Encoder {
  readonly encoding = 0x7e57;
  readonly name = 'Count';
  readonly kind = 'pixels';
  readonly suits = { few: 'good', many: 'no' } as const;
  calls = 0;
  solidCost(): number {
    return 4;
  }
  encode(input: EncodeInput, out: ByteWriter): EncodeOutcome {
    this.calls++;
    out.u32(input.pixels.length);
    return 'written';
  }
}

describe('adding an encoding', () => {
  it('takes an encoder file and a registry line: the manager uses it where its metadata says', async () => {
    const count = new CountEncoder();
    const m = new EncodeManager(createEncoderState(), [...createEncoders(), count]);
    m.setEncodings([count.encoding, Encoding.Hextile]);
    expect(m.encodingFor('few')).toBe(count.encoding);
    expect(m.encodingFor('many')).toBe(Encoding.Hextile);
    expect(m.encodingFor('solid')).toBe(count.encoding);

    // Two colours in 16×8: "few", so it goes out in the new encoding.
    const frame = createFrame(16, 8);
    frame.pixels.fill(0x123456, 0, 64);
    const out = new ByteWriter();
    const stats: Array<{ encoding: number; bytes: number }> = [];
    const n = await m.encodeRects(frame, [{ x: 0, y: 0, w: 16, h: 8 }], [], out, (s) => stats.push(s));
    expect(n).toBe(1);
    expect(count.calls).toBe(1);
    expect(stats).toEqual([{ encoding: count.encoding, pixels: 128, bytes: 12 + 4, rawBytes: 512 }]);
    expect(out.view().readInt32BE(8)).toBe(count.encoding);
    expect(out.view().readUInt32BE(12)).toBe(128);
  });
});
