import { describe, expect, it } from 'vitest';
import type { RecordingImportChunk, RecordingImportResult, RecordingListItem } from '../../src/shared/recording-contract.js';
import { bytesToBase64, chunkRanges, looksLikeGzip, newUploadId, UPLOAD_CHUNK_BYTES, uploadRecording } from '../../src/renderer/recordings/upload.js';

/**
 * Opening a recording file from the page, without a page: how a file is cut
 * into chunks, encoded, and sent in order, with a fake server that puts the
 * bytes back together.
 */

const item = (name: string, bytes: number): RecordingListItem => ({
  name,
  kind: 'trayvnc',
  bytes,
  startedAt: 0,
  durationMs: 0,
  complete: true,
  live: false,
  width: 1,
  height: 1,
  viewers: 0,
});

describe('the upload chunker', () => {
  it('cuts a file into chunks in order, the last one marked', () => {
    expect(chunkRanges(10, 4)).toEqual([
      { offset: 0, end: 4, last: false },
      { offset: 4, end: 8, last: false },
      { offset: 8, end: 10, last: true },
    ]);
    expect(chunkRanges(8, 4).map((r) => r.last)).toEqual([false, true]);
    expect(chunkRanges(0)).toEqual([{ offset: 0, end: 0, last: true }]);
    expect(chunkRanges(UPLOAD_CHUNK_BYTES * 3 + 1)).toHaveLength(4);
    expect(() => chunkRanges(10, 0)).toThrow(RangeError);
  });

  it('fits a chunk in one WebSocket message of the dashboard (256 KiB) and in the server\u2019s 1 MiB', () => {
    const encoded = bytesToBase64(new Uint8Array(UPLOAD_CHUNK_BYTES).fill(255));
    const message = JSON.stringify({ id: 1, method: 'importRecording', params: { upload: newUploadId(), name: 'x'.repeat(1024), offset: 2 ** 31, data: encoded, last: false } });
    expect(message.length).toBeLessThan(256 * 1024);
    expect(UPLOAD_CHUNK_BYTES).toBeLessThanOrEqual(1024 * 1024);
  });

  it('encodes bytes as base64, however many', () => {
    const bytes = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 31) & 255);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    expect(bytesToBase64(new Uint8Array(0))).toBe('');
  });

  it('makes a new id for every upload, of the characters the server takes', () => {
    const ids = new Set(Array.from({ length: 100 }, newUploadId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it('sends the whole file in order, reports progress, and returns the listed file', async () => {
    const bytes = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) & 255);
    const file = new File([bytes], 'session.vnc.gz');
    const got: RecordingImportChunk[] = [];
    const progress: number[] = [];
    let received = Buffer.alloc(0);
    const send = async (c: RecordingImportChunk): Promise<RecordingImportResult> => {
      got.push(c);
      expect(c.offset).toBe(received.length); // in order, each where the last ended
      received = Buffer.concat([received, Buffer.from(c.data, 'base64')]);
      return { upload: c.upload, received: received.length, item: c.last ? item('session.vnc.gz', received.length) : null };
    };
    const listed = await uploadRecording(file, send, { chunkBytes: 3000, id: 'u1', onProgress: (sent) => progress.push(sent) });
    expect(listed.name).toBe('session.vnc.gz');
    expect(received.equals(Buffer.from(bytes))).toBe(true);
    expect(got.map((c) => [c.upload, c.name, c.offset, c.last])).toEqual([
      ['u1', 'session.vnc.gz', 0, false],
      ['u1', 'session.vnc.gz', 3000, false],
      ['u1', 'session.vnc.gz', 6000, false],
      ['u1', 'session.vnc.gz', 9000, true],
    ]);
    expect(progress).toEqual([3000, 6000, 9000, 10_000]);
  });

  it('stops at the first refused chunk', async () => {
    const file = new File([new Uint8Array(10)], 'x.vnc.gz');
    let calls = 0;
    const send = async (): Promise<RecordingImportResult> => {
      calls++;
      throw new Error('"x.vnc.gz" is not a recording');
    };
    await expect(uploadRecording(file, send, { chunkBytes: 4 })).rejects.toThrow(/not a recording/);
    expect(calls).toBe(1);
  });

  it('tells gzip from anything else by its first two bytes', async () => {
    expect(await looksLikeGzip(new File([new Uint8Array([0x1f, 0x8b, 8, 0])], 'a.vnc.gz'))).toBe(true);
    expect(await looksLikeGzip(new File(['hello'], 'notes.vnc.gz'))).toBe(false);
    expect(await looksLikeGzip(new File([], 'empty.vnc.gz'))).toBe(false);
  });
});
