/**
 * The recordings part of the control API: what the Recordings page (player)
 * and the tray see. Plain data only (the renderer and the preload load it).
 * Files are named by their name in the recordings folder, never by a path.
 */

/** What is being recorded now. */
export interface RecordingStatusInfo {
  /** off; while-viewed (one file per sharing period); manual (started and stopped by hand). */
  mode: 'off' | 'while-viewed' | 'manual';
  /** The recording in progress. */
  active: { name: string; startedAt: number } | null;
  /** Why the last recording stopped early or could not start (a full disk), until the next one starts. */
  error: string | null;
  /** Whether key events and clipboard text go into new recordings. */
  keys: boolean;
  clipboardText: boolean;
}

/** One file in the recordings folder. */
export interface RecordingListItem {
  name: string;
  /** 'pyvncserver': PyVNCServer's format — a timeline with no pictures. 'unknown': not a recording. */
  kind: 'trayvnc' | 'pyvncserver' | 'unknown';
  bytes: number;
  /** Epoch milliseconds (the file's own start time, else its modification time). */
  startedAt: number;
  durationMs: number;
  /** Finished cleanly; false while being written or when cut short. */
  complete: boolean;
  /** Being written right now. */
  live: boolean;
  width: number;
  height: number;
  viewers: number;
  /** Why it cannot be played, for 'unknown' files. */
  problem?: string;
}

/** A moment worth showing on the timeline (pointer moves are only counted, in `activity`). */
export interface RecordingTimelineEvent {
  /** Milliseconds from the start. */
  t: number;
  kind: 'connect' | 'disconnect' | 'control' | 'keys' | 'clipboard' | 'resize' | 'marker' | 'error' | 'update';
  /** What to show, e.g. "10.0.0.7:51234 joined", "typed: Hello", "clipboard from 10.0.0.7: 42 bytes". */
  label: string;
  client?: string;
}

/** Everything the player needs before it plays. */
export interface RecordingDetails extends RecordingListItem {
  /** Times (ms) of the keyframes: segment i runs from keyframes[i] to keyframes[i + 1]. */
  keyframes: number[];
  events: Record<string, number>;
  viewerList: Array<{ client: string; address: string; connects: number; pointer: number; keys: number; clipboard: number }>;
  timeline: RecordingTimelineEvent[];
  /** Changes and input per second of the recording (the seek bar's heat-map). */
  activity: number[];
  /** Whether the file holds key events / clipboard text at all. */
  keys: boolean;
  clipboardText: boolean;
  /** Where a file cut short stops playing. */
  truncatedAtMs: number | null;
}

/** One record for the player; `data` is the FramebufferUpdate message, base64. */
export type RecordingWireRecord =
  | { t: number; type: 'keyframe'; width: number; height: number; data: string }
  | { t: number; type: 'update'; data: string };

/** One segment: a keyframe and what follows it up to the next keyframe (at most ~10 s). */
export interface RecordingSegment {
  name: string;
  index: number;
  records: RecordingWireRecord[];
  /** Whether there is a segment after this one (so far: a live recording grows). */
  more: boolean;
}

/** Most bytes in one importRecording chunk (before base64). */
export const IMPORT_CHUNK_MAX_BYTES = 1024 * 1024;
/** Most bytes one imported file may have. */
export const IMPORT_MAX_BYTES = 2 * 1024 * 1024 * 1024;

/**
 * One piece of a file being uploaded into the recordings folder. The first
 * chunk (offset 0) starts upload `upload` (an id the uploader picks, unique
 * on its connection); each next one continues at the byte where the last
 * ended; `last` finishes it. An upload left without a chunk for a while, or
 * whose connection closes, is dropped with its partial file.
 */
export interface RecordingImportChunk {
  upload: string;
  /** The file's own name; the folder's name is made from it (safe characters, ends .vnc.gz, never an existing name). */
  name: string;
  /** Where this chunk's bytes go in the file. */
  offset: number;
  /** The bytes, base64; at most IMPORT_CHUNK_MAX_BYTES of them. */
  data: string;
  last: boolean;
}

export interface RecordingImportResult {
  upload: string;
  /** Bytes received so far. */
  received: number;
  /** After the last chunk: the file as the list shows it. */
  item: RecordingListItem | null;
}
