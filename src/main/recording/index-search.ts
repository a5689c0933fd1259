import type { FileHandle } from 'node:fs/promises';
import { MemberKind, type RecordingIndex } from './format.js';
import { inflateMember, parseMemberHeader } from './gzip-member.js';
import { readAt } from './member-stream.js';
import { RecordParser } from './record-parser.js';

/**
 * Finding a finished recording's index without reading the recording: the
 * index member is the file's last member, small, and found by searching the
 * last 64 KiB backwards for a member header whose `TV` subfield says "index"
 * (docs/recording-format.md, "Finding things"). A candidate counts only when
 * it inflates whole, checks out against its trailer, ends exactly at the end
 * of the file and holds INDEX then END; anything less means the file was cut
 * short and must be scanned.
 */

/** How far from the end the index member is looked for. */
export const TAIL_SEARCH_BYTES = 64 * 1024;

export interface FoundIndex {
  /** Where the index member starts: the keyframe members end here. */
  offset: number;
  index: RecordingIndex;
  durationMs: number;
  reason: string;
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b, 0x08]);

export async function findIndexMember(file: FileHandle, fileSize: number): Promise<FoundIndex | null> {
  const from = Math.max(0, fileSize - TAIL_SEARCH_BYTES);
  const tail = await readAt(file, from, fileSize - from);
  for (let p = tail.lastIndexOf(GZIP_MAGIC); p >= 0; p = p > 0 ? tail.lastIndexOf(GZIP_MAGIC, p - 1) : -1) {
    const found = indexMemberAt(tail, p);
    if (found) return { ...found, offset: from + p };
  }
  return null;
}

/** The index member at `p`, when there is a whole, valid one there that ends the buffer. */
function indexMemberAt(tail: Buffer, p: number): Omit<FoundIndex, 'offset'> | null {
  try {
    const header = parseMemberHeader(tail, p);
    if (header?.tag?.kind !== MemberKind.Index) return null;
    const member = inflateMember(tail, p);
    if (member.truncated || member.end !== tail.length) return null;
    const records = new RecordParser().push(member.data);
    const index = records.find((r) => r.type === 'index');
    const end = records.find((r) => r.type === 'end');
    if (index?.type !== 'index' || end?.type !== 'end') return null;
    return { index: index.index, durationMs: end.durationMs, reason: end.reason };
  } catch {
    // Compressed data can look like a header by chance; such a candidate is simply not the index.
    return null;
  }
}
