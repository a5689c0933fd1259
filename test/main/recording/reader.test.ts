import { readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeRecord, recordBytes, RecordingFormatError, type RecordingRecord } from '../../../src/main/recording/format.js';
import { encodeMember } from '../../../src/main/recording/gzip-member.js';
import { isTrayVncRecording, RecordingReader } from '../../../src/main/recording/reader.js';
import { RecordingError } from '../../../src/main/recording/recording-file.js';
import { prng } from '../../support/prng.js';
import {
  EVERY_EVENT,
  expectedRecords,
  HEADER,
  rawUpdate,
  recordScript,
  recordsInFile,
  script,
  tempDir,
  walkGzipMembers,
} from '../../support/recording-fixtures.js';

const tmp = tempDir();
afterAll(() => tmp.remove());
let n = 0;
const newPath = (name = 'rec') => tmp.path(`${name}-${n++}.vnc.gz`);

const STEPS = script({ durationMs: 35_000, stepMs: 50, keyframeEveryMs: 10_000 });
const WANT: RecordingRecord[] = [{ type: 'header', t: 0, header: HEADER }, ...expectedRecords(STEPS)];
const KEYFRAME_TIMES = [0, 10_000, 20_000, 30_000];

async function readAll(path: string, fromMs?: number): Promise<RecordingRecord[]> {
  const r = await RecordingReader.open(path);
  try {
    const out: RecordingRecord[] = [];
    for await (const rec of r.records(fromMs)) out.push(rec);
    return out;
  } finally {
    await r.close();
  }
}

/** Records compared by their bytes: exact, and quick enough for many cuts. */
const bytesOf = (records: RecordingRecord[]) => Buffer.concat(records.map(recordBytes));

let finished: { path: string; file: Buffer; finishAt: number };
beforeAll(async () => {
  const path = newPath('finished');
  const { finishAt } = await recordScript(path, STEPS);
  finished = { path, file: readFileSync(path), finishAt };
});

describe('RecordingReader: a finished recording', () => {
  it('plays back HEADER, every record as written (every event kind among them), INDEX and END', async () => {
    const got = await readAll(finished.path);
    expect(got.length).toBe(WANT.length + 2);
    expect(got.slice(0, -2)).toEqual(WANT);
    expect(new Set(got.filter((r) => r.type === 'event').map((r) => (r.type === 'event' ? r.event.kind : '')))).toEqual(
      new Set(EVERY_EVENT.map((e) => e.kind)),
    );
    const [index, end] = got.slice(-2);
    expect(index).toMatchObject({ type: 'index', t: finished.finishAt, index: { durationMs: finished.finishAt } });
    expect(end).toEqual({ type: 'end', t: finished.finishAt, durationMs: finished.finishAt, reason: 'test over' });
  });

  it('tells what the index says in info()', async () => {
    const r = await RecordingReader.open(finished.path);
    try {
      const info = r.info();
      const updates = STEPS.filter((s) => s.op === 'update').length;
      const events: Record<string, number> = {};
      for (const s of STEPS) if (s.op === 'event') events[s.event.kind] = (events[s.event.kind] ?? 0) + 1;
      expect(info).toMatchObject({
        path: finished.path,
        header: HEADER,
        complete: true,
        durationMs: finished.finishAt,
        bytes: finished.file.length,
        updates,
        keyframes: 4,
        events,
        truncatedAtMs: null,
        endReason: 'test over',
      });
      expect(info.viewers.map((v) => v.client)).toEqual(['c1', 'c2']);
      expect(r.header).toEqual(HEADER);
      expect(r.complete).toBe(true);
      expect(r.durationMs).toBe(finished.finishAt);
      const offsets = walkGzipMembers(finished.file).slice(0, -1).map((m) => m.offset);
      expect(r.keyframes).toEqual(KEYFRAME_TIMES.map((t, i) => ({ t, offset: offsets[i] })));
    } finally {
      await r.close();
    }
  });

  it('plays from the keyframe at or before the time asked for, to the end', async () => {
    for (const from of [0, 5, 9_999, 10_000, 10_001, 25_000, 30_000, 35_000, 1_000_000]) {
      const got = await readAll(finished.path, from);
      const kt = KEYFRAME_TIMES.filter((t) => t <= from).at(-1)!;
      const startAt = kt === 0 ? 0 : WANT.findIndex((r) => r.type === 'keyframe' && r.t === kt);
      expect(got[0], `from ${from}`).toMatchObject(kt === 0 ? { type: 'header' } : { type: 'keyframe', t: kt });
      expect(bytesOf(got.slice(0, -2)).equals(bytesOf(WANT.slice(startAt))), `from ${from}`).toBe(true);
      expect(got.at(-1)!.type).toBe('end');
    }
  });
});

describe('RecordingReader: what it reads', () => {
  /** A few MB: 20 keyframes of noise a second apart, so reads far from a seek target would show. */
  let big: { path: string; size: number; offsets: number[] };
  beforeAll(async () => {
    const rand = prng(5);
    const steps = [];
    for (let k = 0; k < 20; k++) {
      steps.push({ at: k * 1000, op: 'keyframe' as const, width: 256, height: 256, update: rawUpdate(0, 0, 256, 256, () => Math.floor(rand() * 2 ** 32)) });
      for (let u = 1; u < 5; u++) steps.push({ at: k * 1000 + u * 200, op: 'update' as const, update: rawUpdate(0, 0, 16, 16, () => k * u) });
    }
    const path = newPath('big');
    await recordScript(path, steps);
    const file = readFileSync(path);
    big = { path, size: file.length, offsets: walkGzipMembers(file).map((m) => m.offset) };
    expect(big.size).toBeGreaterThan(5_000_000);
  });

  /** Every FileHandle.read while `run` runs: [position, length]. */
  async function readsDuring<T>(run: () => Promise<T>): Promise<{ result: T; reads: Array<[number, number]> }> {
    const probe = await open(big.path, 'r');
    const proto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => unknown };
    await probe.close();
    const spy = vi.spyOn(proto, 'read');
    try {
      const result = await run();
      const reads = spy.mock.calls.map((c) => [c[3] as number, c[2] as number] as [number, number]);
      return { result, reads };
    } finally {
      spy.mockRestore();
    }
  }

  it('opens with the first member header, the HEADER and the last 64 KiB', async () => {
    const { result: r, reads } = await readsDuring(() => RecordingReader.open(big.path));
    await r.close();
    expect(reads.length).toBeGreaterThan(0);
    for (const [position, length] of reads) {
      const nearStart = position + length <= 256 * 1024;
      const inTail = position >= big.size - 64 * 1024;
      expect(nearStart || inTail, `read of ${length} at ${position} of ${big.size}`).toBe(true);
    }
    expect(reads.reduce((sum, [, length]) => sum + length, 0)).toBeLessThan(400 * 1024);
  });

  it("plays from a time reading only from that keyframe's member on", async () => {
    const r = await RecordingReader.open(big.path);
    try {
      for (const from of [7_300, 12_000, 19_500]) {
        const k = Math.floor(from / 1000);
        const { result: first, reads } = await readsDuring(async () => {
          for await (const rec of r.records(from)) if (rec.type === 'update' && rec.t >= from) return rec;
          return null;
        });
        // Updates come at 200, 400, 600 and 800 ms into each second; the keyframe at the second itself.
        let want = Math.ceil(from / 200) * 200;
        if (want % 1000 === 0) want += 200;
        expect(first?.t).toBe(want);
        const memberStart = big.offsets[k]!;
        expect(Math.min(...reads.map(([p]) => p))).toBe(memberStart);
        // The keyframe's member and no more than one read beyond it.
        const memberEnd = big.offsets[k + 1]!;
        expect(Math.max(...reads.map(([p, l]) => p + l))).toBeLessThanOrEqual(memberEnd + 128 * 1024);
      }
    } finally {
      await r.close();
    }
  });
});

describe('RecordingReader: a recording cut short', () => {
  const INTERVAL = 1000;
  /** A recording and where, as it was written, each sync flush ended: everything before `records` is in the first `bytes`. */
  let cut: { file: Buffer; flushes: Array<{ bytes: number; records: number; t: number }> };

  beforeAll(async () => {
    const path = newPath('flushes');
    const flushes: Array<{ bytes: number; records: number; t: number }> = [];
    let lastFlush = 0;
    await recordScript(path, STEPS, {
      writer: { flushIntervalMs: INTERVAL },
      between: async (_w, step, i) => {
        if (step.at - lastFlush < INTERVAL) return;
        lastFlush = step.at;
        // The writer's clock says flush now: wait (briefly, in real time) until the file holds this record.
        const count = i + 2; // HEADER + steps so far
        const bytes = await waitForRecords(path, count);
        flushes.push({ bytes, records: count, t: step.at });
      },
    });
    cut = { file: readFileSync(path), flushes };
    expect(flushes.length).toBeGreaterThan(30);
  });

  async function waitForRecords(path: string, count: number): Promise<number> {
    const deadline = Date.now() + 500;
    for (let i = 0; i < 200; i++) {
      const file = readFileSync(path);
      if (recordsInFile(file).length >= count) return file.length;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    throw new Error(`the record ${count} did not reach the file within 500 ms of the flush the clock called for`);
  }

  async function checkCut(at: number): Promise<void> {
    const path = newPath('cut');
    const prefix = cut.file.subarray(0, at);
    writeFileSync(path, prefix);
    const r = await RecordingReader.open(path);
    try {
      const got: RecordingRecord[] = [];
      for await (const rec of r.records()) got.push(rec);
      const info = r.info();
      const where = `cut at ${at} of ${cut.file.length}`;
      expect(info.complete, where).toBe(false);
      expect(info.endReason).toBeNull();
      // What plays is exactly the start of what was written, and all that the test's own walker can inflate.
      expect(bytesOf(got).equals(bytesOf(WANT.slice(0, got.length))), where).toBe(true);
      expect(got.length, where).toBe(recordsInFile(prefix).length);
      expect(info.truncatedAtMs, where).toBe(got.at(-1)!.t);
      expect(info.durationMs).toBe(info.truncatedAtMs);
      // Everything flushed before the cut is there; what was lost was written within one flush interval.
      const flushed = cut.flushes.filter((f) => f.bytes <= at).at(-1);
      const next = cut.flushes.find((f) => f.bytes > at);
      if (flushed) {
        expect(got.length, where).toBeGreaterThanOrEqual(flushed.records);
        expect(info.truncatedAtMs!).toBeGreaterThanOrEqual(flushed.t);
        if (next) expect(next.t - flushed.t).toBeLessThanOrEqual(INTERVAL + 50);
      }
      // The rebuilt index counts what plays.
      expect(info.updates).toBe(got.filter((x) => x.type === 'update').length);
      expect(info.keyframes).toBe(got.filter((x) => x.type === 'keyframe').length);
      expect(Object.values(info.events).reduce((a, b) => a + b, 0)).toBe(got.filter((x) => x.type === 'event').length);
      // Seeking in it works, up to the same last record.
      const last: RecordingRecord[] = [];
      for await (const rec of r.records(info.truncatedAtMs!)) last.push(rec);
      expect(last.at(-1)).toEqual(got.at(-1));
      expect(last[0]!.type).toBe(r.keyframes.length > 1 ? 'keyframe' : 'header');
    } finally {
      await r.close();
    }
  }

  it('reads a file cut at every member boundary as cut short, playing to the end of the last whole member', async () => {
    const members = walkGzipMembers(cut.file);
    expect(members.length).toBe(5);
    for (const m of members.slice(1)) await checkCut(m.offset);
  });

  it('reads a file cut anywhere inside a member up to its last flush', async () => {
    const rand = prng(11);
    const members = walkGzipMembers(cut.file).slice(0, -1);
    const cuts = new Set<number>();
    for (const m of members) for (let i = 0; i < 12; i++) cuts.add(m.offset + 25 + Math.floor(rand() * (m.end - m.offset - 25)));
    for (const f of cut.flushes.slice(0, 12)) {
      cuts.add(f.bytes);
      cuts.add(f.bytes - 1);
    }
    for (const m of members.slice(1)) for (const d of [1, 10, 24, 25, 26]) cuts.add(m.offset + d); // inside and just past a member header
    for (const at of [...cuts].sort((a, b) => a - b)) await checkCut(at);
  });

  it('reads a file holding only what open() wrote as a recording with its HEADER alone', async () => {
    const path = newPath('header-only');
    const memberZero = walkGzipMembers(cut.file)[0]!;
    // The bytes open() flushes: the member header and the HEADER record, sync-flushed.
    const w = zlib.createDeflateRaw();
    const flushedHeader = await new Promise<Buffer>((resolve) => {
      const out: Buffer[] = [];
      w.on('data', (b: Buffer) => out.push(b));
      w.write(recordBytes(WANT[0]!));
      w.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve(Buffer.concat(out)));
    });
    w.destroy();
    writeFileSync(path, Buffer.concat([cut.file.subarray(memberZero.offset, memberZero.offset + 25), flushedHeader]));
    const r = await RecordingReader.open(path);
    try {
      expect(r.info()).toMatchObject({ complete: false, truncatedAtMs: 0, durationMs: 0, keyframes: 0, updates: 0 });
      const got: RecordingRecord[] = [];
      for await (const rec of r.records(5000)) got.push(rec);
      expect(got).toEqual([WANT[0]]);
    } finally {
      await r.close();
    }
  });

  it('refuses a file cut before its HEADER record is whole', async () => {
    const path = newPath('no-header');
    writeFileSync(path, cut.file.subarray(0, 30));
    await expect(RecordingReader.open(path)).rejects.toThrow(/cut short before the end of its HEADER record/);
  });

  it('reads a file with garbage where its end should be (zeros after a crash) up to the garbage', async () => {
    const members = walkGzipMembers(cut.file);
    const path = newPath('zeros');
    const kept = cut.file.subarray(0, members.at(-1)!.offset);
    writeFileSync(path, Buffer.concat([kept, Buffer.alloc(4096)]));
    const got = await readAll(path);
    expect(bytesOf(got).equals(bytesOf(WANT))).toBe(true);
    const r = await RecordingReader.open(path);
    expect(r.info()).toMatchObject({ complete: false, truncatedAtMs: WANT.at(-1)!.t });
    await r.close();
  });
});

describe('RecordingReader: unusual but valid files', () => {
  it('finds an index member that begins before the last 64 KiB by walking the file', async () => {
    const members = walkGzipMembers(finished.file);
    const indexMember = members.at(-1)!;
    const [indexRecord, endRecord] = recordsInFile(finished.file.subarray(indexMember.offset));
    const index = JSON.parse(indexRecord!.payload.toString('utf8')) as Record<string, unknown>;
    const rand = prng(3);
    const padding = Array.from({ length: 120_000 }, () => String.fromCharCode(33 + Math.floor(rand() * 90))).join('');
    const bigIndex = encodeRecord(5, indexRecord!.t, Buffer.from(JSON.stringify({ ...index, padding })));
    const end = encodeRecord(6, endRecord!.t, endRecord!.payload);
    const member = encodeMember(indexMember.tv!, Buffer.concat([bigIndex, end]));
    expect(member.length).toBeGreaterThan(64 * 1024);
    const path = newPath('big-index');
    writeFileSync(path, Buffer.concat([finished.file.subarray(0, indexMember.offset), member]));
    const r = await RecordingReader.open(path);
    try {
      expect(r.info()).toMatchObject({ complete: true, endReason: 'test over', keyframes: 4, durationMs: finished.finishAt, truncatedAtMs: null });
      expect(r.keyframes.map((k) => k.t)).toEqual(KEYFRAME_TIMES);
    } finally {
      await r.close();
    }
  });

  it('skips record types it does not know, in a finished file and in one cut short', async () => {
    const keyframe = (t: number) => recordBytes({ type: 'keyframe', t, width: 2, height: 1, update: rawUpdate(0, 0, 2, 1, () => t) });
    const m0 = encodeMember({ kind: 1, t: 0, ordinal: 0 }, Buffer.concat([
      recordBytes({ type: 'header', t: 0, header: HEADER }),
      encodeRecord(99, 1, Buffer.from('from the future')),
      keyframe(2),
      encodeRecord(200, 3, Buffer.alloc(300_000, 0x5a)),
      recordBytes({ type: 'event', t: 4, event: { kind: 'marker', label: 'm' } }),
    ]));
    const m1 = encodeMember({ kind: 1, t: 50, ordinal: 1 }, Buffer.concat([keyframe(50), encodeRecord(77, 51, Buffer.alloc(0)), recordBytes({ type: 'update', t: 52, update: Buffer.from([0, 0, 0, 0]) })]));
    const index = { keyframes: [{ t: 2, offset: 0 }, { t: 50, offset: m0.length }], durationMs: 60, updates: 1, events: { marker: 1 }, viewers: [] };
    const m2 = encodeMember({ kind: 2, t: 60, ordinal: 2 }, Buffer.concat([recordBytes({ type: 'index', t: 60, index }), encodeRecord(123, 60, Buffer.from('x')), recordBytes({ type: 'end', t: 60, durationMs: 60, reason: 'r' })]));
    const whole = newPath('unknown');
    writeFileSync(whole, Buffer.concat([m0, m1, m2]));
    const typesOf = (records: RecordingRecord[]) => records.map((r) => `${r.type}@${r.t}`);
    expect(typesOf(await readAll(whole))).toEqual(['header@0', 'keyframe@2', 'event@4', 'keyframe@50', 'update@52', 'index@60', 'end@60']);
    expect(typesOf(await readAll(whole, 55))).toEqual(['keyframe@50', 'update@52', 'index@60', 'end@60']);
    const cutShort = newPath('unknown-cut');
    writeFileSync(cutShort, Buffer.concat([m0, m1]));
    const r = await RecordingReader.open(cutShort);
    expect(r.info()).toMatchObject({ complete: false, truncatedAtMs: 52, updates: 1, keyframes: 2, events: { marker: 1 } });
    await r.close();
  });
});

describe('RecordingReader: a damaged recording', () => {
  it('plays up to a damaged member of a finished file, then says where and what the damage is', async () => {
    const members = walkGzipMembers(finished.file);
    const damaged = Buffer.from(finished.file);
    damaged[members[1]!.end - 8]! ^= 0xff; // member 1's CRC
    const path = newPath('damaged');
    writeFileSync(path, damaged);
    const r = await RecordingReader.open(path);
    try {
      expect(r.complete).toBe(true);
      const got: RecordingRecord[] = [];
      await expect(async () => {
        for await (const rec of r.records()) got.push(rec);
      }).rejects.toThrow(`${path}: the gzip member at byte ${members[1]!.offset} is damaged (CRC mismatch)`);
      // Everything of member 0 and member 1 came out before the check at member 1's end.
      expect(got.length).toBe(recordsInFile(finished.file.subarray(0, members[2]!.offset)).length);
      // Member 2 on is whole: playing from there works.
      const fromThree: RecordingRecord[] = [];
      for await (const rec of r.records(KEYFRAME_TIMES[2]!)) fromThree.push(rec);
      expect(fromThree.at(-1)!.type).toBe('end');
    } finally {
      await r.close();
    }
  });
});

describe('not a recording', () => {
  const write = (name: string, bytes: Buffer) => {
    const path = newPath(name);
    writeFileSync(path, bytes);
    return path;
  };
  const noise = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff));

  it('is refused by open with a sentence that says what it is', async () => {
    const empty = write('empty', Buffer.alloc(0));
    await expect(RecordingReader.open(empty)).rejects.toThrow(`${empty} is not a TrayVNC recording: the file is empty`);
    const random = write('random', noise);
    await expect(RecordingReader.open(random)).rejects.toThrow(`${random} is not a TrayVNC recording: it is not gzip data`);
    const gz = write('text', zlib.gzipSync(Buffer.from('just some text\n'.repeat(100))));
    await expect(RecordingReader.open(gz)).rejects.toThrow(`${gz} is not a TrayVNC recording: it is gzip data, but without a recording's member header`);
    await expect(RecordingReader.open(gz)).rejects.toBeInstanceOf(RecordingFormatError);
    const missing = tmp.path('missing.vnc.gz');
    await expect(RecordingReader.open(missing)).rejects.toThrow(`cannot open the recording ${missing}: there is no such file (ENOENT)`);
    await expect(RecordingReader.open(missing)).rejects.toBeInstanceOf(RecordingError);
  });

  it('is told apart by isTrayVncRecording from its first bytes', () => {
    expect(isTrayVncRecording(finished.file.subarray(0, 64))).toBe(true);
    expect(isTrayVncRecording(finished.file.subarray(0, 25))).toBe(true);
    expect(isTrayVncRecording(finished.file.subarray(0, 24))).toBe(false);
    expect(isTrayVncRecording(Buffer.alloc(0))).toBe(false);
    expect(isTrayVncRecording(noise)).toBe(false);
    expect(isTrayVncRecording(zlib.gzipSync(Buffer.from('hello')))).toBe(false);
    const indexFirst = walkGzipMembers(finished.file).at(-1)!;
    expect(isTrayVncRecording(finished.file.subarray(indexFirst.offset))).toBe(false);
    const second = walkGzipMembers(finished.file)[1]!;
    expect(isTrayVncRecording(finished.file.subarray(second.offset))).toBe(false);
  });
});
