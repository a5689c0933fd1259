import type { FileHandle } from 'node:fs/promises';
import { decodeRecord, MemberKind, RecordType, type RecordingIndex } from './format.js';
import { IndexBuilder } from './index-builder.js';
import { MemberStream } from './member-stream.js';
import { RecordFramer } from './record-parser.js';

/**
 * Rebuilding the index of a recording cut short (the server was killed, the
 * disk filled): walk the members from the start, each one inflated to learn
 * where it ends and what it holds, and count as the writer would have. Only
 * whole records count, so the result describes exactly what a player can
 * play. Pictures are counted, not kept: scanning an hour holds one piece of
 * inflated data at a time.
 */

export interface ScanResult {
  index: RecordingIndex;
  /** Time of the last whole record: where the recording stops playing. */
  lastT: number;
  /** Offset of the last member looked at: the one cut short, damaged, or (for a whole file) the index member. */
  lastMemberOffset: number;
  /** Set when the walk met an index member after all (a finished file whose index lies beyond the tail search). */
  end: { durationMs: number; reason: string } | null;
  /** Why the walk stopped before the end of the file, other than the file ending: damaged data, a member out of order. */
  damage: string | null;
}

/** Payloads worth holding while scanning: the small JSON ones. */
const KEPT = new Set<number>([RecordType.Event, RecordType.Index, RecordType.End]);

export async function scanRecording(file: FileHandle, fileSize: number): Promise<ScanResult> {
  const builder = new IndexBuilder();
  let lastT = 0;
  // An index member met on the way (INDEX, then END).
  let foundIndex: RecordingIndex | null = null;
  let foundEnd: { durationMs: number; reason: string } | null = null;
  let damage: string | null = null;
  let offset = 0;
  let lastMemberOffset = 0;
  for (let ordinal = 0; offset < fileSize; ordinal++) {
    lastMemberOffset = offset;
    let member: MemberStream | null;
    try {
      member = await MemberStream.open(file, offset, fileSize);
    } catch (e) {
      damage = (e as Error).message;
      break;
    }
    if (!member) break; // the file ends inside this member's header
    const tag = member.header.tag;
    if (!tag || tag.ordinal !== ordinal) {
      damage = `the gzip member at byte ${offset} is not member ${ordinal} of this recording`;
      break;
    }
    const framer = new RecordFramer((type) => KEPT.has(type));
    let keyframeSeen = false;
    try {
      for await (const piece of member.chunks()) {
        for (const raw of framer.push(piece)) {
          lastT = raw.t;
          if (raw.type === RecordType.Keyframe && !keyframeSeen) {
            // The member's own keyframe, and only once it is whole: a seek there must find a picture.
            keyframeSeen = true;
            builder.keyframe(raw.t, offset);
          } else if (raw.type === RecordType.Update) builder.update();
          else if (raw.type === RecordType.Event || raw.type === RecordType.Index || raw.type === RecordType.End) {
            const record = decodeRecord(raw);
            if (record?.type === 'event') builder.event(record.event);
            else if (record?.type === 'index') foundIndex = record.index;
            else if (record?.type === 'end' && foundIndex) foundEnd = { durationMs: record.durationMs, reason: record.reason };
          }
        }
      }
    } catch (e) {
      damage = (e as Error).message;
      break;
    }
    if (tag.kind === MemberKind.Index || !member.result || member.result.truncated || member.result.next === null) break;
    offset = member.result.next;
  }
  const end = foundIndex && foundEnd ? foundEnd : null;
  return { index: end && foundIndex ? foundIndex : builder.build(lastT), lastT, lastMemberOffset, end, damage };
}
