import { readFileSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { recordBytes, RecordType } from '../../../src/main/recording/format.js';
import { RecordingError } from '../../../src/main/recording/recording-file.js';
import { RecordingWriter } from '../../../src/main/recording/writer.js';
import { waitFor } from '../../support/wait.js';
import {
  expectedRecords,
  frameRecords,
  gzipDc,
  HEADER,
  rawUpdate,
  recordScript,
  recordsInFile,
  script,
  tempDir,
  walkGzipMembers,
  type FramedRecord,
} from '../../support/recording-fixtures.js';

const tmp = tempDir();
afterAll(() => tmp.remove());
let n = 0;
const newPath = () => tmp.path(`rec-${n++}.vnc.gz`);

const STEPS = script({ durationMs: 35_000, stepMs: 50, keyframeEveryMs: 10_000 });
const json = (r: FramedRecord) => JSON.parse(r.payload.toString('utf8')) as Record<string, unknown>;

describe('RecordingWriter: the file', () => {
  it('is gzip that gzip and node:zlib read as HEADER, the records in order, INDEX and END', async () => {
    const path = newPath();
    const { finishAt } = await recordScript(path, STEPS);
    const gz = gzipDc(path);
    expect(gz.stderr).toBe('');
    expect(gz.status).toBe(0);
    expect(zlib.gunzipSync(readFileSync(path)).equals(gz.stdout)).toBe(true);

    const records = recordsInFile(readFileSync(path));
    const framed = frameRecords(gz.stdout);
    expect(framed.length).toBe(records.length);
    expect(framed[0]!.type).toBe(RecordType.Header);
    expect(framed[0]!.t).toBe(0);
    expect(json(framed[0]!)).toEqual(HEADER);
    const middle = framed.slice(1, -2);
    const want = expectedRecords(STEPS).map(recordBytes);
    expect(middle.length).toBe(want.length);
    middle.forEach((r, i) => {
      const bytes = Buffer.concat([Buffer.from([r.type]), Buffer.alloc(8), r.payload]);
      bytes.writeUInt32BE(r.t, 1);
      bytes.writeUInt32BE(r.payload.length, 5);
      expect(bytes.equals(want[i]!), `record ${i + 1}`).toBe(true);
    });
    const [index, end] = framed.slice(-2);
    expect([index!.type, index!.t, end!.type, end!.t]).toEqual([RecordType.Index, finishAt, RecordType.End, finishAt]);
    expect(json(end!)).toEqual({ durationMs: finishAt, reason: 'test over' });
  });

  it('starts a member at every keyframe, tagged with its kind, time and ordinal; the index lists their offsets', async () => {
    const path = newPath();
    const { finishAt, summary } = await recordScript(path, STEPS);
    const file = readFileSync(path);
    const members = walkGzipMembers(file);
    const keyframeTimes = STEPS.filter((s) => s.op === 'keyframe').map((s) => s.at);
    expect(keyframeTimes).toEqual([0, 10_000, 20_000, 30_000]);
    expect(members.map((m) => m.tv)).toEqual([
      ...keyframeTimes.map((t, i) => ({ kind: 1, t, ordinal: i })),
      { kind: 2, t: finishAt, ordinal: keyframeTimes.length },
    ]);
    expect(members.every((m) => m.complete && m.flags === 0x04)).toBe(true);
    expect(members.at(-1)!.end).toBe(file.length);
    // Member 0: HEADER then KEYFRAME; every other keyframe member opens with its KEYFRAME; the index member holds INDEX, END.
    const firstTypes = members.map((m) => (recordsInFile(file.subarray(m.offset, m.end)) as FramedRecord[]).slice(0, 2).map((r) => r.type));
    expect(firstTypes[0]).toEqual([RecordType.Header, RecordType.Keyframe]);
    for (const types of firstTypes.slice(1, -1)) expect(types[0]).toBe(RecordType.Keyframe);
    expect(firstTypes.at(-1)).toEqual([RecordType.Index, RecordType.End]);

    const index = json(recordsInFile(file.subarray(members.at(-1)!.offset)).find((r) => r.type === RecordType.Index)!);
    expect(index['keyframes']).toEqual(members.slice(0, -1).map((m, i) => ({ t: keyframeTimes[i], offset: m.offset })));
    const kinds: Record<string, number> = {};
    for (const s of STEPS) if (s.op === 'event') kinds[s.event.kind] = (kinds[s.event.kind] ?? 0) + 1;
    const updates = STEPS.filter((s) => s.op === 'update').length;
    expect(index['events']).toEqual(kinds);
    expect(index['updates']).toBe(updates);
    expect(index['durationMs']).toBe(finishAt);
    expect((index['viewers'] as Array<{ client: string }>).map((v) => v.client)).toEqual(['c1', 'c2']);

    expect(summary).toEqual({
      path,
      durationMs: finishAt,
      bytes: file.length,
      updates,
      keyframes: 4,
      events: Object.values(kinds).reduce((a, b) => a + b, 0),
      complete: true,
    });
  });

  it('is created readable by its owner only, and never over an existing file', async () => {
    const path = newPath();
    await recordScript(path, STEPS.slice(0, 3));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const before = readFileSync(path);
    const refused = RecordingWriter.open({ path, header: HEADER });
    await expect(refused).rejects.toThrow(RecordingError);
    await expect(refused).rejects.toThrow(`cannot record to ${path}: a file of that name already exists (EEXIST)`);
    expect(readFileSync(path).equals(before)).toBe(true);
    const nowhere = tmp.path('no/such/folder/rec.vnc.gz');
    await expect(RecordingWriter.open({ path: nowhere, header: HEADER })).rejects.toThrow(`cannot record to ${nowhere}: its folder does not exist (ENOENT)`);
  });

  it('drops updates before the first keyframe and keeps events there, between HEADER and KEYFRAME', async () => {
    const path = newPath();
    const { summary } = await recordScript(path, [
      { at: 1, op: 'update', update: rawUpdate(0, 0, 1, 1, () => 1) },
      { at: 2, op: 'event', event: { kind: 'marker', label: 'early' } },
      { at: 3, op: 'keyframe', width: 2, height: 2, update: rawUpdate(0, 0, 2, 2, () => 2) },
      { at: 4, op: 'update', update: rawUpdate(1, 1, 1, 1, () => 3) },
    ]);
    const types = recordsInFile(readFileSync(path)).map((r) => [r.type, r.t]);
    expect(types).toEqual([
      [RecordType.Header, 0],
      [RecordType.Event, 2],
      [RecordType.Keyframe, 3],
      [RecordType.Update, 4],
      [RecordType.Index, 14],
      [RecordType.End, 14],
    ]);
    expect(summary.updates).toBe(1);
  });

  it("copies the caller's buffers: changing one after the call changes nothing in the file", async () => {
    const path = newPath();
    let now = 0;
    const w = await RecordingWriter.open({ path, header: HEADER, now: () => now });
    const buf = rawUpdate(0, 0, 4, 4, () => 0x112233);
    const copy = Buffer.from(buf);
    w.keyframe(4, 4, buf);
    now = 5;
    w.update(buf);
    buf.fill(0xee);
    await w.finish('done');
    const records = recordsInFile(readFileSync(path));
    expect(records[1]!.payload.subarray(4).equals(copy)).toBe(true);
    expect(records[2]!.payload.equals(copy)).toBe(true);
  });

  it('counts what waits to be compressed or written in queuedBytes, down to nothing once flushed', async () => {
    const path = newPath();
    const w = await RecordingWriter.open({ path, header: HEADER });
    expect(w.queuedBytes).toBe(0);
    const big = rawUpdate(0, 0, 256, 256, (x, y) => x * y);
    w.keyframe(256, 256, big);
    expect(w.queuedBytes).toBeGreaterThanOrEqual(big.length);
    w.update(big);
    expect(w.queuedBytes).toBeGreaterThanOrEqual(2 * big.length);
    await w.flushed();
    expect(w.queuedBytes).toBe(0);
    w.keyframe(256, 256, big); // a second member, while the first one ends
    await w.flushed();
    expect(w.queuedBytes).toBe(0);
    expect(w.stats.bytesWritten).toBe(statSync(path).size);
    await w.finish('done');
    expect(w.queuedBytes).toBe(0);
  });

  it('keeps times whole milliseconds that never go back, and ignores calls after finish', async () => {
    const path = newPath();
    const times = [0.4, 7.9, 7.2, 3, 12.5];
    let now = 1000;
    const w = await RecordingWriter.open({ path, header: HEADER, now: () => now });
    w.keyframe(1, 1, rawUpdate(0, 0, 1, 1, () => 0));
    for (const t of times) {
      now = 1000 + t;
      w.event({ kind: 'marker', label: String(t) });
    }
    expect(w.elapsed()).toBe(12.5);
    const finishing = w.finish('done');
    expect(w.finish('again')).toBe(finishing);
    w.event({ kind: 'marker', label: 'after' });
    w.update(Buffer.alloc(10));
    const summary = await finishing;
    expect(summary.events).toBe(times.length);
    expect(w.stats).toEqual({ bytesWritten: summary.bytes, updates: 0, keyframes: 1, events: times.length });
    const events = recordsInFile(readFileSync(path)).filter((r) => r.type === RecordType.Event);
    expect(events.map((r) => r.t)).toEqual([0, 7, 7, 7, 12]);
  });

  it('abort closes the file without an index, holding everything recorded up to it', async () => {
    const path = newPath();
    let now = 0;
    const w = await RecordingWriter.open({ path, header: HEADER, now: () => now });
    for (const s of STEPS.slice(0, 300)) {
      now = s.at;
      if (s.op === 'keyframe') w.keyframe(s.width, s.height, s.update);
      else if (s.op === 'update') w.update(s.update);
      else w.event(s.event);
    }
    await w.abort();
    await w.abort();
    const file = readFileSync(path);
    expect(walkGzipMembers(file).map((m) => m.tv?.kind)).toEqual([1, 1]);
    expect(walkGzipMembers(file).at(-1)!.complete).toBe(false);
    const records = recordsInFile(file);
    expect(records.length).toBe(301);
    expect(records.at(-1)!.t).toBe(STEPS[299]!.at);
    expect(await w.finish('late')).toMatchObject({ complete: false });
  });
});

describe('RecordingWriter: flushing', () => {
  it('flushes by its clock once flushIntervalMs has passed since the last flush, without waiting for the timer', async () => {
    const path = newPath();
    let now = 0;
    const w = await RecordingWriter.open({ path, header: HEADER, now: () => now, flushIntervalMs: 1000 });
    const inFile = () => recordsInFile(readFileSync(path));
    expect(inFile().map((r) => r.type)).toEqual([RecordType.Header]);
    w.keyframe(HEADER.width, HEADER.height, rawUpdate(0, 0, HEADER.width, HEADER.height, (x, y) => x + y));
    for (now = 100; now < 1000; now += 100) w.event({ kind: 'marker', label: `at ${now}` });
    // Nothing forces the data out yet: the deflate stream holds it.
    await new Promise((r) => setTimeout(r, 250));
    expect(inFile().length).toBe(1);
    now = 1000;
    const asked = performance.now();
    w.event({ kind: 'marker', label: 'at 1000' });
    const records = await waitFor('the records up to 1000 ms in the file', () => (inFile().length === 12 ? inFile() : null), 500, 5);
    // The timer armed by the keyframe would fire about 750 ms from here: this was the clock rule.
    expect(performance.now() - asked).toBeLessThan(500);
    expect(records.at(-1)!.t).toBe(1000);
    await w.finish('done');
  });

  it('flushes within a second of real time when data is pending and nothing more comes', async () => {
    const path = newPath();
    const w = await RecordingWriter.open({ path, header: HEADER });
    const start = performance.now();
    w.keyframe(HEADER.width, HEADER.height, rawUpdate(0, 0, HEADER.width, HEADER.height, () => 0x336699));
    w.event({ kind: 'marker', label: 'pending' });
    const records = await waitFor('the marker in the file', () => {
      const r = recordsInFile(readFileSync(path));
      return r.some((x) => x.type === RecordType.Event) ? r : null;
    }, 3000, 20);
    const took = performance.now() - start;
    expect(records.map((r) => r.type)).toEqual([RecordType.Header, RecordType.Keyframe, RecordType.Event]);
    expect(took).toBeLessThan(1400);
    expect(took).toBeGreaterThan(800); // it was the one-second timer, not a flush per record
    await w.finish('done');
  });
});

describe('RecordingWriter: options', () => {
  it('compresses at the level asked for', async () => {
    const sizes: number[] = [];
    for (const level of [0, 9]) {
      const path = newPath();
      await recordScript(path, STEPS.slice(0, 200), { writer: { level } });
      sizes.push(statSync(path).size);
      expect(recordsInFile(readFileSync(path)).length).toBe(203);
    }
    expect(sizes[0]!).toBeGreaterThan(sizes[1]! * 1.2);
  });
});
