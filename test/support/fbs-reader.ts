/**
 * Reading an FBS file as its players do, written here from the format's
 * description and nothing in src/main/recording: the 12-byte signature
 * `FBS 001.001\n`, then blocks of a u32 BE data length, the data zero-padded
 * to a multiple of 4, and a u32 BE time in milliseconds (after the padding).
 * The joined data is then followed as an RFB client would, decoding every
 * rectangle with noVNC's decoders. Also: playing a recording through
 * RecordingReader with the same decoders, to compare the two.
 */
import { createFrame, type Frame } from '../../src/main/framebuffer/frame.js';
import { RecordingReader } from '../../src/main/recording/reader.js';
import type { FakeDisplay } from './novnc-decoder.js';
import { NoVncClient } from './novnc-decoder.js';

export interface FbsBlock {
  /** Where the block starts in the file (its length field). */
  offset: number;
  length: number;
  data: Buffer;
  /** The padding's bytes, as found. */
  padding: Buffer;
  t: number;
}

/** The blocks of an FBS file; throws on a wrong signature or a block that runs past the end. */
export function readFbs(file: Buffer): FbsBlock[] {
  const signature = file.subarray(0, 12).toString('latin1');
  if (signature !== 'FBS 001.001\n') throw new Error(`not FBS 001.001: the file starts ${JSON.stringify(signature)}`);
  const blocks: FbsBlock[] = [];
  let p = 12;
  while (p < file.length) {
    if (p + 4 > file.length) throw new Error(`a block's length is cut at ${p}`);
    const length = file.readUInt32BE(p);
    const padded = length % 4 === 0 ? length : length + 4 - (length % 4);
    if (p + 4 + padded + 4 > file.length) throw new Error(`the block at ${p} (${length} bytes) runs past the end of the file`);
    blocks.push({
      offset: p,
      length,
      data: file.subarray(p + 4, p + 4 + length),
      padding: file.subarray(p + 4 + length, p + 4 + padded),
      t: file.readUInt32BE(p + 4 + padded),
    });
    p += 4 + padded + 4;
  }
  return blocks;
}

export interface FollowedStream {
  version: string;
  securityTypes: number[];
  securityResult: number;
  init: { width: number; height: number; pixelFormat: Buffer; name: string };
  /** FramebufferUpdate messages read. */
  updates: number;
  /** Every DesktopSize pseudo-rectangle, in order. */
  resizes: Array<{ width: number; height: number }>;
  /** Encodings of the rectangles noVNC decoded. */
  encodings: Set<number>;
  /** The picture at the end of the stream, as 0x00RRGGBB. */
  frame: Frame;
}

const DESKTOP_SIZE = -223;

/**
 * Follow a server→client RFB 3.8 stream with security None to its end: the
 * handshake, ServerInit, then FramebufferUpdates only (this is what an
 * exported recording holds). A DesktopSize makes a new client at the new
 * size, as a viewer re-creates its canvas. Throws when a byte is missing or
 * left over, or a message is not an update.
 */
export async function followRfbStream(stream: Buffer): Promise<FollowedStream> {
  let client = await NoVncClient.create(1, 1);
  client.sock.push(stream);
  const s = () => client.sock;
  const need = (n: number, what: string) => {
    if (s().rQlen() < n) throw new Error(`the stream ends in the ${what}`);
  };
  need(12, 'ProtocolVersion');
  const version = s().rQshiftStr(12);
  need(1, 'security types');
  const n = s().rQshift8();
  need(n, 'security types');
  const securityTypes = [...s().rQshiftBytes(n)];
  need(4, 'SecurityResult');
  const securityResult = s().rQshift32();
  need(24, 'ServerInit');
  const width = s().rQshift16();
  const height = s().rQshift16();
  const pixelFormat = Buffer.from(s().rQshiftBytes(16));
  const nameLength = s().rQshift32();
  need(nameLength, 'desktop name');
  const name = Buffer.from(s().rQshiftBytes(nameLength)).toString('utf8');
  const resize = async (w: number, h: number) => {
    const next = await NoVncClient.create(w, h);
    for (const e of client.seen) next.seen.push(e);
    next.sock.push(client.sock.rQshiftBytes(client.sock.rQlen()));
    client = next;
  };
  await resize(width, height);
  let updates = 0;
  const resizes: FollowedStream['resizes'] = [];
  while (s().rQlen() > 0) {
    need(4, `header of message ${updates + 1}`);
    const type = s().rQshift8();
    if (type !== 0) throw new Error(`message ${updates + 1} is of type ${type}, not a FramebufferUpdate`);
    s().rQskipBytes(1);
    const count = s().rQshift16();
    updates++;
    for (let r = 0; r < count; r++) {
      need(12, `header of rectangle ${r} of update ${updates}`);
      const x = s().rQshift16();
      const y = s().rQshift16();
      const w = s().rQshift16();
      const h = s().rQshift16();
      const encoding = s().rQshift32() | 0;
      if (encoding === DESKTOP_SIZE) {
        resizes.push({ width: w, height: h });
        await resize(w, h);
      } else if (!client.decodeQueuedRect(x, y, w, h, encoding)) {
        throw new Error(`the stream ends in rectangle ${r} of update ${updates} (encoding ${encoding})`);
      }
    }
  }
  return {
    version,
    securityTypes,
    securityResult,
    init: { width, height, pixelFormat, name },
    updates,
    resizes,
    encodings: new Set(client.seen),
    frame: frameOf(client.display),
  };
}

/** noVNC's RGBA picture as a Frame of 0x00RRGGBB. */
export function frameOf(display: FakeDisplay): Frame {
  const f = createFrame(display.width, display.height);
  const p = display.rgba;
  for (let i = 0; i < f.pixels.length; i++) f.pixels[i] = (p[i * 4]! << 16) | (p[i * 4 + 1]! << 8) | p[i * 4 + 2]!;
  return f;
}

/**
 * The picture at the end of a recording, playing every record from the
 * start through RecordingReader: a keyframe starts a client at its size, and
 * so does a DesktopSize, as a viewer re-creates its canvas (blank until the
 * keyframe that follows it, which a file cut short may not hold).
 */
export async function playRecording(path: string): Promise<Frame> {
  const reader = await RecordingReader.open(path);
  let client: NoVncClient | null = null;
  try {
    for await (const r of reader.records(0)) {
      if (r.type === 'keyframe') client = await NoVncClient.create(r.width, r.height);
      if (r.type !== 'keyframe' && r.type !== 'update') continue;
      const count = r.update.readUInt16BE(2);
      if (count === 1 && r.update.readInt32BE(4 + 8) === DESKTOP_SIZE) {
        client = await NoVncClient.create(r.update.readUInt16BE(4 + 4), r.update.readUInt16BE(4 + 6));
        continue;
      }
      if (!client) throw new Error(`an update at ${r.t} ms comes before any keyframe`);
      client.decodeRects(r.update.subarray(4), count);
    }
  } finally {
    await reader.close();
  }
  if (!client) throw new Error(`${path} holds no picture`);
  return frameOf(client.display);
}
