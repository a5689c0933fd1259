import { open, realpath, rm, type FileHandle } from 'node:fs/promises';
import { SecurityType } from '../rfb/constants.js';
import {
  beginFramebufferUpdate,
  endFramebufferUpdate,
  PROTOCOL_VERSION,
  securityResultOk,
  securityTypes,
  serverInit,
  writeDesktopSize,
} from '../rfb/server-messages.js';
import { ByteWriter } from '../rfb/wire.js';
import { RecordingFormatError, type RecordingHeader } from './format.js';
import { PYVNC_NO_PICTURES, recordingKind } from './pyvnc-recording.js';
import { RecordingReader } from './reader.js';
import { desktopSizeOf } from './recorder.js';
import { fileProblem, RecordingError } from './recording-file.js';

/**
 * A recording as an FBS 001.001 file, the format of rfbproxy and TightVNC's
 * player: the 12-byte signature, then blocks of u32 BE length, the data
 * zero-padded to a multiple of 4, and u32 BE milliseconds since the start.
 * The padding comes before the time (node-rfb2 writes it after, which other
 * readers cannot follow). The blocks' data, joined, is what a viewer would
 * have received from a server offering security None: the RFB 3.8 handshake,
 * ServerInit, then every update of the recording at its time.
 */

export const FBS_SIGNATURE = Buffer.from('FBS 001.001\n', 'latin1');

/** Bytes gathered before a write to the file: few writes, bounded memory. */
const WRITE_CHUNK = 1024 * 1024;

export interface FbsExportOptions {
  /** Replace `target` if it exists (otherwise an existing file is never touched). */
  force?: boolean;
}

export interface FbsExportSummary {
  path: string;
  bytes: number;
  blocks: number;
  /** FramebufferUpdates written (keyframes and updates, and any DesktopSize the stream needed). */
  updates: number;
  /** The last block's time. */
  lastMs: number;
  /** The recording was cut short: the export ends where it does. */
  truncatedAtMs: number | null;
}

/** One FBS block: length, data, zero padding to a multiple of 4, then the time. */
export function fbsBlock(data: Uint8Array, t: number): Buffer {
  const padded = Math.ceil(data.length / 4) * 4;
  const out = Buffer.alloc(4 + padded + 4); // zero-filled: the padding is zeros
  out.writeUInt32BE(data.length, 0);
  out.set(data, 4);
  out.writeUInt32BE(t >>> 0, 4 + padded);
  return out;
}

/** What a server offering only security None sends before the first update, for this recording's desktop. */
export function fbsHandshake(header: RecordingHeader): Buffer {
  return Buffer.concat([
    PROTOCOL_VERSION,
    securityTypes(8, [SecurityType.None]),
    securityResultOk(),
    serverInit(header.width, header.height, header.pixelFormat, header.desktopName),
  ]);
}

/** A FramebufferUpdate holding only a DesktopSize pseudo-rectangle. */
function desktopSizeUpdate(width: number, height: number): Buffer {
  const out = new ByteWriter(16);
  const at = beginFramebufferUpdate(out);
  writeDesktopSize(out, width, height);
  endFramebufferUpdate(out, at, 1);
  return out.toBuffer();
}

/** Write `source` (a TrayVNC recording) to `target` as FBS 001.001. */
export async function exportFbs(source: string, target: string, opts: FbsExportOptions = {}): Promise<FbsExportSummary> {
  if ((await recordingKind(source)) === 'pyvncserver') {
    throw new RecordingFormatError(`${source}: ${PYVNC_NO_PICTURES}. There is nothing to export.`);
  }
  const reader = await RecordingReader.open(source);
  try {
    if (await sameFile(source, target)) throw new RecordingError(`${target} is the recording itself: export it to another file`, 'EINVAL');
    let file: FileHandle;
    try {
      file = await open(target, opts.force ? 'w' : 'wx', 0o600); // it shows the screen, as the recording does
    } catch (e) {
      const { code, words } = fileProblem(e);
      throw new RecordingError(code === 'EEXIST' ? `${target} already exists` : `cannot write ${target}: ${words}`, code, { cause: e });
    }
    try {
      const summary = await writeBlocks(reader, file, target);
      await file.close();
      return summary;
    } catch (e) {
      // Half a file is no FBS file: take it away (it is ours, just created or replaced on request).
      await file.close().catch(() => undefined);
      await rm(target, { force: true }).catch(() => undefined);
      throw e;
    }
  } finally {
    await reader.close();
  }
}

async function writeBlocks(reader: RecordingReader, file: FileHandle, target: string): Promise<FbsExportSummary> {
  const info = reader.info();
  let pending: Buffer[] = [FBS_SIGNATURE];
  let pendingBytes = FBS_SIGNATURE.length;
  let bytes = 0;
  let blocks = 0;
  let updates = 0;
  let lastMs = 0;
  const flush = async () => {
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    try {
      await file.write(data, 0, data.length, null);
    } catch (e) {
      const { code, words } = fileProblem(e);
      throw new RecordingError(`cannot write ${target}: ${words}`, code, { cause: e });
    }
    bytes += data.length;
  };
  const block = async (data: Buffer, t: number) => {
    // Times never go back in a recording; the FBS reader relies on it, so hold to it whatever the file says.
    lastMs = Math.max(lastMs, t);
    const b = fbsBlock(data, lastMs);
    pending.push(b);
    pendingBytes += b.length;
    blocks++;
    if (pendingBytes >= WRITE_CHUNK) await flush();
  };

  await block(fbsHandshake(info.header), 0);
  // The size the stream's reader believes in: ServerInit's, then each DesktopSize's.
  let width = info.header.width;
  let height = info.header.height;
  for await (const record of reader.records(0)) {
    if (record.type === 'keyframe') {
      // A resize before the first picture is not in the recording (nothing to apply it to): say it here.
      if (record.width !== width || record.height !== height) {
        width = record.width;
        height = record.height;
        await block(desktopSizeUpdate(width, height), record.t);
        updates++;
      }
      await block(record.update, record.t);
      updates++;
    } else if (record.type === 'update') {
      const size = desktopSizeOf(record.update);
      if (size) ({ width, height } = size);
      await block(record.update, record.t);
      updates++;
    }
  }
  await flush();
  return { path: target, bytes, blocks, updates, lastMs, truncatedAtMs: info.truncatedAtMs };
}

/** Whether both paths name one file (so writing one would destroy the other as it is read). */
async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    return (await realpath(a)) === (await realpath(b));
  } catch {
    return false; // the target does not exist yet
  }
}
