import type { RecordingImportChunk, RecordingImportResult, RecordingListItem } from '../../shared/recording-contract.js';

/**
 * Sending a recording file to the server (the control API's
 * importRecording), a chunk at a time and in order, each waiting for the
 * last's answer: the server writes them in order and checks the whole file
 * once the last has come. Pure apart from reading the file: the unit tests
 * run it in Node with a Blob.
 */

/**
 * Bytes per chunk. The server takes up to 1 MiB, but the dashboard's
 * WebSocket refuses messages over 256 KiB (app/control-ws.ts), and base64
 * makes 128 KiB into ~171 KiB: this size fits both transports.
 */
export const UPLOAD_CHUNK_BYTES = 128 * 1024;

/** What is read of a file (a File or a Blob). */
export interface UploadSource {
  readonly name: string;
  readonly size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

export interface ChunkRange {
  offset: number;
  end: number;
  last: boolean;
}

/** The chunks of a file of `size` bytes: in order, none empty except for an empty file's one. */
export function chunkRanges(size: number, chunkBytes = UPLOAD_CHUNK_BYTES): ChunkRange[] {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new RangeError('a chunk holds at least one byte');
  if (size <= 0) return [{ offset: 0, end: 0, last: true }];
  const out: ChunkRange[] = [];
  for (let offset = 0; offset < size; offset += chunkBytes) {
    const end = Math.min(size, offset + chunkBytes);
    out.push({ offset, end, last: end === size });
  }
  return out;
}

/** Bytes to base64 (how the control API carries them), a slice at a time: String.fromCharCode takes only so many arguments. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** An id for one upload. getRandomValues works on plain-HTTP pages too (randomUUID needs a secure context). */
export function newUploadId(): string {
  const b = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
}

/** Whether the file starts as gzip does (1f 8b): anything else is no recording, and is refused before it is sent. */
export async function looksLikeGzip(file: UploadSource): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  return head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

export interface UploadOptions {
  chunkBytes?: number;
  id?: string;
  /** After each chunk: bytes sent so far, of `total`. */
  onProgress?: (sent: number, total: number) => void;
}

/** Send `file` chunk by chunk through `send` (client.importRecording); resolves to the file as the list shows it. */
export async function uploadRecording(
  file: UploadSource,
  send: (chunk: RecordingImportChunk) => Promise<RecordingImportResult>,
  opts: UploadOptions = {},
): Promise<RecordingListItem> {
  const upload = opts.id ?? newUploadId();
  for (const r of chunkRanges(file.size, opts.chunkBytes)) {
    const bytes = new Uint8Array(await file.slice(r.offset, r.end).arrayBuffer());
    const reply = await send({ upload, name: file.name, offset: r.offset, data: bytesToBase64(bytes), last: r.last });
    opts.onProgress?.(r.end, file.size);
    if (r.last) {
      if (!reply.item) throw new Error(`the server did not list ${file.name} after its last chunk`);
      return reply.item;
    }
  }
  throw new Error('unreachable: the last chunk returns'); // chunkRanges always ends with a last chunk
}
