import { readdir, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { RecordingDetails, RecordingListItem, RecordingSegment, RecordingWireRecord } from '../../shared/recording-contract.js';
import { pyVncInfo } from '../recording/pyvnc-info.js';
import { pyVncTimeline, recordingKind } from '../recording/pyvnc-recording.js';
import { RecordingReader } from '../recording/reader.js';
import { ControlError } from '../../shared/control-contract.js';
import { TimelineBuilder } from './recording-timeline.js';

/** A recording's name: a plain file name in the folder (no path, nothing hidden). */
const NAME = /^[A-Za-z0-9][\w.-]{0,200}\.vnc\.gz$/;

/**
 * The recordings folder as the control API shows it: the list, one file's
 * details (summary, timeline, heat-map), its segments for the player, and
 * deleting. Files are named by name only; nothing outside the folder can be
 * reached (no separators, no "..", no hidden files), and the one being
 * written cannot be deleted.
 */
export class RecordingLibrary {
  /** Details of finished files, by name, kept while the file is unchanged (a timeline means reading it all). */
  private readonly cache = new Map<string, { size: number; mtimeMs: number; details: RecordingDetails }>();

  constructor(
    private readonly dir: () => string,
    /** The file being written now, if any (full path). */
    private readonly activePath: () => string | null,
  ) {}

  /** The full path of a recording in the folder, or a ControlError for a name that could reach elsewhere. */
  resolve(name: unknown): string {
    if (typeof name !== 'string' || !NAME.test(name) || name.includes('..')) {
      throw new ControlError(`not a recording name: ${JSON.stringify(String(name).slice(0, 80))}`, 'invalid-params');
    }
    return join(this.dir(), name);
  }

  async list(): Promise<RecordingListItem[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir())).filter((n) => NAME.test(n));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []; // nothing recorded yet
      throw e;
    }
    const items = await Promise.all(names.map((n) => this.summary(n)));
    return items.sort((a, b) => b.startedAt - a.startedAt);
  }

  /** One file as the list shows it. */
  async summary(name: string): Promise<RecordingListItem> {
    const path = this.resolve(name);
    const st = await stat(path);
    const live = this.activePath() === path;
    const base = { name, bytes: st.size, startedAt: st.mtimeMs, durationMs: 0, complete: false, live, width: 0, height: 0, viewers: 0 };
    let reader: RecordingReader;
    try {
      reader = await RecordingReader.open(path);
    } catch (e) {
      if ((await recordingKind(path).catch(() => 'unknown')) === 'pyvncserver') return this.pyVncSummary(path, base);
      return { ...base, kind: 'unknown', problem: (e as Error).message };
    }
    try {
      const info = reader.info();
      return {
        ...base,
        kind: 'trayvnc',
        startedAt: Date.parse(info.header.startedAt) || st.mtimeMs,
        durationMs: info.durationMs,
        complete: info.complete,
        width: info.header.width,
        height: info.header.height,
        viewers: info.viewers.length,
      };
    } finally {
      await reader.close();
    }
  }

  async details(name: string): Promise<RecordingDetails> {
    const path = this.resolve(name);
    const st = await stat(path).catch(() => {
      throw new ControlError(`no recording named ${name}`, 'not-found');
    });
    const cached = this.cache.get(name);
    if (cached && cached.size === st.size && cached.mtimeMs === st.mtimeMs) return cached.details;
    const item = await this.summary(name);
    if (item.kind === 'pyvncserver') return this.pyVncDetails(path, item);
    if (item.kind !== 'trayvnc') throw new ControlError(`${name} cannot be played: ${item.problem ?? 'not a TrayVNC recording'}`, 'failed');
    const reader = await RecordingReader.open(path);
    try {
      const info = reader.info();
      const timeline = new TimelineBuilder();
      for await (const r of reader.records(0)) {
        if (r.type === 'update' || r.type === 'keyframe') timeline.update(r.t);
        else if (r.type === 'event') timeline.event(r.t, r.event);
      }
      const { timeline: events, activity } = timeline.finish();
      const details: RecordingDetails = {
        ...item,
        keyframes: reader.keyframes.map((k) => k.t),
        events: info.events,
        viewerList: info.viewers,
        timeline: events,
        activity,
        keys: info.header.keys,
        clipboardText: info.header.clipboardText,
        truncatedAtMs: info.truncatedAtMs,
      };
      if (details.complete) this.cache.set(name, { size: st.size, mtimeMs: st.mtimeMs, details });
      return details;
    } finally {
      await reader.close();
    }
  }

  /** A PyVNCServer recording in the list: a timeline, no pictures. */
  private async pyVncSummary(path: string, base: Omit<RecordingListItem, 'kind'>): Promise<RecordingListItem> {
    const info = await pyVncInfo(path);
    return {
      ...base,
      kind: 'pyvncserver',
      startedAt: Date.parse(info.header.startTime) || base.startedAt,
      durationMs: info.durationMs,
      complete: info.complete,
      width: info.desktop?.width ?? 0,
      height: info.desktop?.height ?? 0,
      viewers: 1, // PyVNCServer recorded one connection per file
    };
  }

  /** A PyVNCServer recording's timeline: changed areas, input and clipboard, shown as the player shows ours. */
  private async pyVncDetails(path: string, item: RecordingListItem): Promise<RecordingDetails> {
    const timeline = new TimelineBuilder();
    const events: Record<string, number> = {};
    for await (const e of pyVncTimeline(path)) {
      events[e.kind] = (events[e.kind] ?? 0) + 1;
      // One viewer per file, unnamed: PyVNCServer kept no address.
      const client = 'viewer';
      switch (e.kind) {
        case 'init':
          timeline.event(e.t, { kind: 'connect', client, address: 'the viewer', viewOnly: false });
          break;
        case 'update':
          timeline.update(e.t);
          break;
        case 'pointer':
          timeline.event(e.t, { kind: 'pointer', client, x: e.x, y: e.y, buttons: e.buttons });
          break;
        case 'key':
          timeline.event(e.t, { kind: 'key', client, keysym: e.keysym, down: e.down });
          break;
        case 'clipboard':
          timeline.event(e.t, { kind: 'clipboard', direction: e.direction, ...(e.direction === 'from-viewer' ? { client } : {}), bytes: e.bytes });
          break;
        case 'resize':
          timeline.event(e.t, { kind: 'resize', width: e.width, height: e.height });
          break;
        case 'error':
          timeline.event(e.t, { kind: 'marker', label: `error: ${e.message}` });
          break;
      }
    }
    const { timeline: list, activity } = timeline.finish();
    return {
      ...item,
      keyframes: [],
      events,
      viewerList: [],
      timeline: list,
      activity,
      keys: (events['key'] ?? 0) > 0,
      clipboardText: false,
      truncatedAtMs: item.complete ? null : item.durationMs,
    };
  }

  /**
   * Segment `index`: its keyframe and every update up to the next keyframe;
   * with `keyframeOnly`, reading stops at the keyframe (a thumbnail needs no
   * more, and the rest of the member is never inflated).
   */
  async segment(name: string, index: number, keyframeOnly = false): Promise<RecordingSegment> {
    const path = this.resolve(name);
    let reader: RecordingReader;
    try {
      reader = await RecordingReader.open(path);
    } catch (e) {
      throw new ControlError((e as Error).message, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not-found' : 'failed');
    }
    try {
      const keyframe = reader.keyframes[index];
      if (!Number.isInteger(index) || !keyframe) throw new ControlError(`${name} has no segment ${index}`, 'not-found');
      const records: RecordingWireRecord[] = [];
      let seenKeyframe = false;
      for await (const r of reader.records(keyframe.t)) {
        if (r.type === 'keyframe') {
          if (seenKeyframe) break; // the next segment starts here
          seenKeyframe = true;
          records.push({ t: r.t, type: 'keyframe', width: r.width, height: r.height, data: r.update.toString('base64') });
          if (keyframeOnly) break;
        } else if (r.type === 'update' && seenKeyframe) {
          records.push({ t: r.t, type: 'update', data: r.update.toString('base64') });
        }
      }
      return { name, index, records, more: index + 1 < reader.keyframes.length || this.activePath() === path };
    } finally {
      await reader.close();
    }
  }

  async delete(name: string): Promise<void> {
    const path = this.resolve(name);
    if (this.activePath() === path) throw new ControlError(`${name} is being recorded: stop the recording first`, 'failed');
    try {
      await unlink(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ControlError(`no recording named ${name}`, 'not-found');
      throw e;
    }
    this.cache.delete(name);
  }
}

/**
 * Why the file at `path` is not a recording the list can show, or null when
 * it is one: a TrayVNC recording that opens (a file cut short does), or
 * PyVNCServer's. The content decides, never the name.
 */
export async function notARecording(path: string): Promise<string | null> {
  try {
    const reader = await RecordingReader.open(path);
    await reader.close();
    return null;
  } catch {
    const kind = await recordingKind(path).catch(() => 'unknown' as const);
    if (kind === 'pyvncserver') return null;
    return kind === 'trayvnc' ? 'a TrayVNC recording too damaged to read' : "neither a TrayVNC recording nor PyVNCServer's";
  }
}

/** The name of a recording file as the control API shows it. */
export function recordingName(path: string): string {
  return basename(path);
}
