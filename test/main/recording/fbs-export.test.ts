import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFbs } from '../../../src/main/recording/fbs-export.js';
import { RecordingReader, type RecordingInfo } from '../../../src/main/recording/reader.js';
import { Encoding } from '../../../src/main/rfb/constants.js';
import { diffFrames } from '../../support/desktop-image.js';
import { followRfbStream, playRecording, readFbs, type FbsBlock } from '../../support/fbs-reader.js';
import { makeLiveRecording, type LiveRecording } from '../../support/live-recording.js';
import { writePyVncRecording } from '../../support/pyvnc-fixtures.js';
import { HEADER, rawUpdate, recordScript, script, tempDir, walkGzipMembers, type ScriptStep } from '../../support/recording-fixtures.js';

const tmp = tempDir('trayvnc-fbs-');
let live: LiveRecording;
let liveInfo: RecordingInfo;

beforeAll(async () => {
  live = await makeLiveRecording(tmp.path('live.vnc.gz'));
  const reader = await RecordingReader.open(live.summary.path);
  liveInfo = reader.info();
  await reader.close();
});

afterAll(() => tmp.remove());

/**
 * A FramebufferUpdate of one Hextile rectangle (w a multiple of 16, h of 16)
 * in one colour: the first tile says its background (1 + 4 bytes), the
 * others keep it (1 byte each), so the update's length is 21 + tiles − 1.
 */
function solidHextile(r: { x: number; y: number; w: number; h: number }, pixel: number): Buffer {
  const tiles = (r.w / 16) * (r.h / 16);
  const out = Buffer.alloc(4 + 12 + 5 + tiles - 1);
  out.writeUInt16BE(1, 2);
  out.writeUInt16BE(r.x, 4);
  out.writeUInt16BE(r.y, 6);
  out.writeUInt16BE(r.w, 8);
  out.writeUInt16BE(r.h, 10);
  out.writeInt32BE(Encoding.Hextile, 12);
  out[16] = 2; // BackgroundSpecified
  out.writeUInt32LE(pixel, 17);
  return out;
}

/** The blocks' times never go back, start at 0 (the handshake), and stay within the recording. */
function expectTimes(blocks: FbsBlock[], withinMs: number): void {
  expect(blocks[0]!.t).toBe(0);
  for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.t, `block ${i}`).toBeGreaterThanOrEqual(blocks[i - 1]!.t);
  expect(blocks.at(-1)!.t).toBeLessThanOrEqual(withinMs);
}

describe('exportFbs', () => {
  it("writes a live recording as FBS 001.001 whose RFB stream noVNC follows to the server's last picture", async () => {
    const out = tmp.path('live.fbs');
    const summary = await exportFbs(live.summary.path, out);
    const file = readFileSync(out);
    expect(summary.bytes).toBe(file.length);
    const blocks = readFbs(file); // throws unless every block fits exactly to the end
    expect(summary.blocks).toBe(blocks.length);
    for (const b of blocks) expect([...b.padding].every((x) => x === 0), `padding of the block at ${b.offset}`).toBe(true);
    expectTimes(blocks, liveInfo.durationMs);
    // The resize's DesktopSize and the keyframe after it are at the time of the resize.
    expect(blocks.some((b) => b.t === live.resizedAt)).toBe(true);

    const rfb = await followRfbStream(Buffer.concat(blocks.map((b) => b.data)));
    expect(rfb.version).toBe('RFB 003.008\n');
    expect(rfb.securityTypes).toEqual([1]);
    expect(rfb.securityResult).toBe(0);
    expect(rfb.init.width).toBe(96);
    expect(rfb.init.height).toBe(64);
    expect(rfb.init.name).toBe('live desktop');
    // The HEADER's pixel format: 32 bpp, depth 24, little-endian, true colour, 255 each, shifts 0, 8, 16.
    expect([...rfb.init.pixelFormat]).toEqual([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 0, 8, 16, 0, 0, 0]);
    expect(rfb.updates).toBe(liveInfo.updates + liveInfo.keyframes);
    expect(rfb.resizes).toEqual([{ width: 120, height: 72 }]);
    // The scroll went in as a copy, and noVNC applied it.
    expect(rfb.encodings.has(Encoding.CopyRect)).toBe(true);

    expect(diffFrames(rfb.frame, live.lastFrame)).toEqual({ count: 0, first: [] });
    expect(diffFrames(rfb.frame, await playRecording(live.summary.path))).toEqual({ count: 0, first: [] });
  });

  it('puts the zero padding before the time, in blocks whose length is not a multiple of 4', async () => {
    // Updates of 21, 22 and 23 bytes at 1, 2 and 3 s; the handshake is 42 bytes and the name (11 → 53 bytes).
    const keyframe = rawUpdate(0, 0, HEADER.width, HEADER.height, (x, y) => x * 977 + y * 131);
    const odd = [
      solidHextile({ x: 0, y: 0, w: 16, h: 16 }, 0x112233),
      solidHextile({ x: 16, y: 16, w: 32, h: 16 }, 0x445566),
      solidHextile({ x: 0, y: 32, w: 48, h: 16 }, 0x778899),
    ];
    expect(odd.map((u) => u.length % 4)).toEqual([1, 2, 3]);
    const steps: ScriptStep[] = [
      { at: 0, op: 'keyframe', width: HEADER.width, height: HEADER.height, update: keyframe },
      ...odd.map((update, i): ScriptStep => ({ at: 1000 * (i + 1), op: 'update', update })),
    ];
    const source = tmp.path('odd.vnc.gz');
    await recordScript(source, steps, { writer: { header: { ...HEADER, desktopName: 'eleven char' } } });
    const out = tmp.path('odd.fbs');
    await exportFbs(source, out);
    const file = readFileSync(out);
    // Walk by hand: length, data, zeros up to a multiple of 4, then the time; the next block right after it.
    const expected = [
      { length: 53, data: null, t: 0 },
      { length: keyframe.length, data: keyframe, t: 0 },
      ...odd.map((u, i) => ({ length: u.length, data: u, t: 1000 * (i + 1) })),
    ];
    let p = 12;
    for (const [i, e] of expected.entries()) {
      expect(file.readUInt32BE(p), `length of block ${i}`).toBe(e.length);
      const padded = Math.ceil(e.length / 4) * 4;
      expect([...file.subarray(p + 4 + e.length, p + 4 + padded)], `padding of block ${i}`).toEqual(new Array(padded - e.length).fill(0));
      expect(file.readUInt32BE(p + 4 + padded), `time of block ${i}`).toBe(e.t);
      if (e.data) expect(file.subarray(p + 4, p + 4 + e.length), `data of block ${i}`).toEqual(e.data);
      p += 4 + padded + 4;
    }
    expect(p).toBe(file.length);
    // And the data still makes one stream an RFB client follows.
    const rfb = await followRfbStream(Buffer.concat(readFbs(file).map((b) => b.data)));
    expect(rfb.init.name).toBe('eleven char');
    expect(rfb.encodings.has(Encoding.Hextile)).toBe(true);
    expect(diffFrames(rfb.frame, await playRecording(source))).toEqual({ count: 0, first: [] });
  });

  it('ends a recording cut short where it ends, on the picture playing it gives', async () => {
    const whole = readFileSync(live.summary.path);
    const indexMember = walkGzipMembers(whole).at(-1)!;
    expect(indexMember.tv?.kind).toBe(2);
    // Cut in the last keyframe member's trailer (everything recorded is there), and in the middle of the file.
    for (const [name, at, last] of [
      ['cut-late', indexMember.offset - 3, live.lastFrame],
      ['cut-middle', Math.floor(whole.length * 0.6), null],
    ] as const) {
      const cut = tmp.path(`${name}.vnc.gz`);
      writeFileSync(cut, whole.subarray(0, at));
      const reader = await RecordingReader.open(cut);
      const info = reader.info();
      await reader.close();
      expect(info.complete, name).toBe(false);
      const out = tmp.path(`${name}.fbs`);
      const summary = await exportFbs(cut, out);
      expect(summary.truncatedAtMs, name).toBe(info.truncatedAtMs);
      const blocks = readFbs(readFileSync(out));
      expectTimes(blocks, info.truncatedAtMs!);
      const rfb = await followRfbStream(Buffer.concat(blocks.map((b) => b.data)));
      expect(rfb.updates, name).toBe(info.updates + info.keyframes);
      expect(diffFrames(rfb.frame, await playRecording(cut)), name).toEqual({ count: 0, first: [] });
      if (last) expect(diffFrames(rfb.frame, last), name).toEqual({ count: 0, first: [] });
    }
  });

  it("says DesktopSize when the first picture's size is not the HEADER's (a resize before it)", async () => {
    const source = tmp.path('early-resize.vnc.gz');
    const steps = script({ durationMs: 500, stepMs: 100, keyframeEveryMs: 10_000, w: 80, h: 56 });
    await recordScript(source, steps);
    const out = tmp.path('early-resize.fbs');
    await exportFbs(source, out);
    const rfb = await followRfbStream(Buffer.concat(readFbs(readFileSync(out)).map((b) => b.data)));
    expect([rfb.init.width, rfb.init.height]).toEqual([HEADER.width, HEADER.height]);
    expect(rfb.resizes).toEqual([{ width: 80, height: 56 }]);
    expect(diffFrames(rfb.frame, await playRecording(source))).toEqual({ count: 0, first: [] });
  });

  it('never replaces a file unless asked, never writes over the recording itself, and refuses a PyVNCServer recording', async () => {
    const out = tmp.path('exists.fbs');
    writeFileSync(out, 'precious');
    await expect(exportFbs(live.summary.path, out)).rejects.toThrow(`${out} already exists`);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    await exportFbs(live.summary.path, out, { force: true });
    expect(readFbs(readFileSync(out)).length).toBeGreaterThan(2);

    await expect(exportFbs(live.summary.path, live.summary.path, { force: true })).rejects.toThrow('is the recording itself');
    const again = await RecordingReader.open(live.summary.path);
    expect(again.complete).toBe(true);
    await again.close();

    const py = tmp.path('py.vnc.gz');
    writePyVncRecording(py, { footer: true });
    const pyOut = tmp.path('py.fbs');
    await expect(exportFbs(py, pyOut)).rejects.toThrow(
      'This is a PyVNCServer recording: it holds no pictures, only a timeline (changed areas, input, clipboard)',
    );
    expect(existsSync(pyOut)).toBe(false);

    const junk = tmp.path('junk.vnc.gz');
    writeFileSync(junk, rawUpdate(0, 0, 2, 2, () => 0));
    await expect(exportFbs(junk, tmp.path('junk.fbs'))).rejects.toThrow('is not a TrayVNC recording');
    expect(existsSync(tmp.path('junk.fbs'))).toBe(false);
  });
});
