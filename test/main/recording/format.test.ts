import { describe, expect, it } from 'vitest';
import {
  decodeRecord,
  encodeRecord,
  RECORD_HEADER_BYTES,
  recordBytes,
  RecordingFormatError,
  RecordType,
  type RawRecord,
  type RecordingRecord,
} from '../../../src/main/recording/format.js';
import { EVERY_EVENT, frameRecords, HEADER, rawUpdate } from '../../support/recording-fixtures.js';

/** Frame with the test's own framer, decode with the module's decoder. */
function roundTrip(record: RecordingRecord): RecordingRecord | null {
  const [framed, ...rest] = frameRecords(recordBytes(record));
  expect(rest).toEqual([]);
  const raw: RawRecord = { type: framed!.type, t: framed!.t, length: framed!.payload.length, payload: framed!.payload };
  return decodeRecord(raw);
}

describe('record framing', () => {
  it('lays a record out as type, big-endian milliseconds, big-endian length, payload', () => {
    const bytes = encodeRecord(RecordType.Update, 0x01020304, Buffer.from([0xaa, 0xbb, 0xcc]));
    expect([...bytes]).toEqual([3, 1, 2, 3, 4, 0, 0, 0, 3, 0xaa, 0xbb, 0xcc]);
    expect(RECORD_HEADER_BYTES).toBe(9);
    expect(encodeRecord(RecordType.End, 0xffff_ffff, new Uint8Array(0))).toEqual(Buffer.from([6, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
  });

  it('refuses times and types the layout cannot hold', () => {
    expect(() => encodeRecord(RecordType.Event, -1, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => encodeRecord(RecordType.Event, 2 ** 32, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => encodeRecord(RecordType.Event, 1.5, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => encodeRecord(256, 0, Buffer.alloc(0))).toThrow(RangeError);
  });

  it('stores KEYFRAME as u16 width, u16 height (big-endian), then the update', () => {
    const update = rawUpdate(0, 0, 2, 1, () => 0x123456);
    const bytes = recordBytes({ type: 'keyframe', t: 7, width: 0x0780, height: 0x0438, update });
    const [framed] = frameRecords(bytes);
    expect(framed!.type).toBe(RecordType.Keyframe);
    expect([...framed!.payload.subarray(0, 4)]).toEqual([0x07, 0x80, 0x04, 0x38]);
    expect(framed!.payload.subarray(4)).toEqual(update);
  });

  it('writes HEADER, EVENT, INDEX and END payloads as UTF-8 JSON', () => {
    const [h] = frameRecords(recordBytes({ type: 'header', t: 0, header: HEADER }));
    expect(JSON.parse(h!.payload.toString('utf8'))).toEqual(HEADER);
    const [e] = frameRecords(recordBytes({ type: 'event', t: 5, event: { kind: 'marker', label: 'ünïcode ☕' } }));
    expect(JSON.parse(e!.payload.toString('utf8'))).toEqual({ kind: 'marker', label: 'ünïcode ☕' });
    const [end] = frameRecords(recordBytes({ type: 'end', t: 9, durationMs: 9, reason: 'stopped by the user' }));
    expect(JSON.parse(end!.payload.toString('utf8'))).toEqual({ durationMs: 9, reason: 'stopped by the user' });
  });
});

describe('decodeRecord', () => {
  it('round-trips every record type and every event kind', () => {
    const records: RecordingRecord[] = [
      { type: 'header', t: 0, header: HEADER },
      { type: 'keyframe', t: 1, width: 64, height: 48, update: rawUpdate(0, 0, 64, 48, (x, y) => x ^ y) },
      { type: 'update', t: 2, update: rawUpdate(3, 4, 5, 6, () => 0xabcdef) },
      ...EVERY_EVENT.map((event, i): RecordingRecord => ({ type: 'event', t: 10 + i, event })),
      {
        type: 'index',
        t: 100,
        index: {
          keyframes: [{ t: 1, offset: 0 }],
          durationMs: 100,
          updates: 1,
          events: { connect: 2 },
          viewers: [{ client: 'c1', address: 'a:1', connects: 1, pointer: 0, keys: 0, clipboard: 0 }],
        },
      },
      { type: 'end', t: 100, durationMs: 100, reason: 'finished' },
    ];
    for (const r of records) expect(roundTrip(r), r.type).toEqual(r);
  });

  it('returns null for a type it does not know, and for a skipped payload', () => {
    expect(decodeRecord({ type: 99, t: 1, length: 2, payload: Buffer.from('hi') })).toBeNull();
    expect(decodeRecord({ type: RecordType.Update, t: 1, length: 2, payload: null })).toBeNull();
  });

  it('says which record is damaged when JSON is not JSON or a KEYFRAME is too short', () => {
    const bad = (type: number, payload: string) => () => decodeRecord({ type, t: 42, length: payload.length, payload: Buffer.from(payload) });
    expect(bad(RecordType.Event, '{"kind":')).toThrow(/EVENT record at 42 ms is damaged \(not JSON\)/);
    expect(bad(RecordType.Event, '[1]')).toThrow(/not a JSON object/);
    expect(bad(RecordType.Event, '{"label":"x"}')).toThrow(/has no kind/);
    expect(bad(RecordType.Keyframe, 'abc')).toThrow(RecordingFormatError);
    expect(bad(RecordType.Index, '{}')).toThrow(/INDEX record at 42 ms has no keyframe list/);
  });

  it('refuses a HEADER of another format or a newer version, in words', () => {
    const header = (h: object) => () => decodeRecord({ type: 1, t: 0, length: 0, payload: Buffer.from(JSON.stringify(h)) });
    expect(header({ ...HEADER, format: 'other' })).toThrow(/format "other", not trayvnc-recording/);
    expect(header({ ...HEADER, version: 2 })).toThrow(/format version 2; this TrayVNC reads version 1/);
    expect(header({ ...HEADER, width: -1 })).toThrow(/width \(-1\) is not a screen size/);
    expect(header({ ...HEADER, extra: 'kept' })).not.toThrow();
  });
});
