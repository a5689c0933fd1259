import { describe, expect, it } from 'vitest';
import { encodeRecord, recordBytes, RecordingFormatError, RecordType, type RecordingRecord } from '../../../src/main/recording/format.js';
import { MAX_KEPT_PAYLOAD, RecordFramer, RecordParser } from '../../../src/main/recording/record-parser.js';
import { prng } from '../../support/prng.js';
import { EVERY_EVENT, HEADER, rawUpdate } from '../../support/recording-fixtures.js';

const RECORDS: RecordingRecord[] = [
  { type: 'header', t: 0, header: HEADER },
  { type: 'keyframe', t: 3, width: 16, height: 8, update: rawUpdate(0, 0, 16, 8, (x, y) => x * y) },
  { type: 'update', t: 40, update: rawUpdate(1, 1, 2, 2, () => 7) },
  ...EVERY_EVENT.map((event, i): RecordingRecord => ({ type: 'event', t: 50 + i, event })),
  { type: 'update', t: 90, update: Buffer.alloc(0) },
  { type: 'end', t: 100, durationMs: 100, reason: 'done' },
];
const STREAM = Buffer.concat(RECORDS.map(recordBytes));

/** Records compared by their bytes: as strict as a deep comparison, and fast enough to run thousands of times. */
const sameAs = (records: RecordingRecord[], stream: Buffer) => Buffer.concat(records.map(recordBytes)).equals(stream);

function parseInPieces(stream: Buffer, cuts: number[]): RecordingRecord[] {
  const parser = new RecordParser();
  const out: RecordingRecord[] = [];
  let from = 0;
  for (const cut of [...cuts, stream.length]) {
    out.push(...parser.push(stream.subarray(from, cut)));
    from = cut;
  }
  expect(parser.inRecord).toBe(false);
  return out;
}

describe('RecordParser', () => {
  it('gives the same records however the bytes are cut in two', () => {
    expect(parseInPieces(STREAM, [100])).toEqual(RECORDS);
    for (let cut = 0; cut <= STREAM.length; cut++) expect(sameAs(parseInPieces(STREAM, [cut]), STREAM), `cut at ${cut}`).toBe(true);
  });

  it('gives the same records from one byte at a time and from random pieces', () => {
    const oneByOne = Array.from({ length: STREAM.length - 1 }, (_, i) => i + 1);
    expect(parseInPieces(STREAM, oneByOne)).toEqual(RECORDS);
    const rand = prng(7);
    for (let run = 0; run < 100; run++) {
      const cuts: number[] = [];
      for (let at = Math.floor(rand() * 64); at < STREAM.length && cuts.length < 1000; at += 1 + Math.floor(rand() * 300)) cuts.push(at);
      expect(sameAs(parseInPieces(STREAM, cuts), STREAM), `cuts ${cuts.join(',')}`).toBe(true);
    }
  });

  it('skips record types it does not know by their length, wherever the pieces fall', () => {
    const unknown = [encodeRecord(99, 1, Buffer.alloc(5000, 1)), encodeRecord(200, 2, Buffer.alloc(0)), encodeRecord(7, 3, Buffer.from('x'))];
    const stream = Buffer.concat([recordBytes(RECORDS[0]!), unknown[0]!, recordBytes(RECORDS[1]!), unknown[1]!, unknown[2]!, recordBytes(RECORDS[2]!)]);
    for (const step of [1, 3, 100, 4999, stream.length]) {
      const cuts = Array.from({ length: Math.ceil(stream.length / step) - 1 }, (_, i) => (i + 1) * step);
      expect(parseInPieces(stream, cuts)).toEqual(RECORDS.slice(0, 3));
    }
  });

  it('holds back a record until it is whole, and says the input ended inside one', () => {
    const parser = new RecordParser();
    const first = recordBytes(RECORDS[1]!);
    expect(parser.push(first.subarray(0, 5))).toEqual([]);
    expect(parser.inRecord).toBe(true);
    expect(parser.push(first.subarray(5, first.length - 1))).toEqual([]);
    expect(parser.push(first.subarray(first.length - 1))).toEqual([RECORDS[1]]);
    expect(parser.inRecord).toBe(false);
  });
});

describe('RecordFramer', () => {
  it('counts past payloads it need not keep, and emits them only once they have all gone by', () => {
    const framer = new RecordFramer((type) => type === RecordType.Event);
    const big = encodeRecord(RecordType.Update, 5, Buffer.alloc(100_000, 9));
    const event = recordBytes({ type: 'event', t: 6, event: { kind: 'marker', label: 'm' } });
    expect(framer.push(big.subarray(0, 50_000))).toEqual([]);
    expect(framer.inRecord).toBe(true);
    const out = framer.push(Buffer.concat([big.subarray(50_000), event]));
    expect(out.map((r) => [r.type, r.t, r.length, r.payload === null])).toEqual([
      [RecordType.Update, 5, 100_000, true],
      [RecordType.Event, 6, event.length - 9, false],
    ]);
    expect(framer.inRecord).toBe(false);
  });

  it('refuses to hold a payload longer than any recording writes (damaged lengths)', () => {
    const head = Buffer.alloc(9);
    head.writeUInt8(RecordType.Update, 0);
    head.writeUInt32BE(MAX_KEPT_PAYLOAD + 1, 5);
    expect(() => new RecordFramer().push(head)).toThrow(RecordingFormatError);
    // The same length on a record that is only counted past is not held, so it is no danger.
    expect(new RecordFramer(() => false).push(head)).toEqual([]);
  });

  it('hands out a payload that lies inside one piece without copying it', () => {
    const bytes = encodeRecord(RecordType.Update, 1, Buffer.alloc(1000, 3));
    const [raw] = new RecordFramer().push(bytes);
    expect(raw!.payload!.buffer).toBe(bytes.buffer);
    expect(raw!.payload!.byteOffset).toBe(bytes.byteOffset + 9);
  });
});
