import { stat } from 'node:fs/promises';
import { readPyVncRecording, type PyVncHeader } from './pyvnc-recording.js';

/**
 * The summary of a PyVNCServer recording, counted while the file streams by
 * (no event is kept): what `trayvnc recording info` prints for one.
 */
export interface PyVncInfo {
  kind: 'pyvncserver';
  path: string;
  bytes: number;
  header: PyVncHeader;
  /** The footer is there: the recorder finished. */
  complete: boolean;
  /** The footer's duration; for a file without one, the last event's time. */
  durationMs: number;
  /** Where a file without a footer ends: its last event's time. */
  truncatedAtMs: number | null;
  /** Why it is truncated (no footer, or the gzip data ends early); null when complete. */
  truncatedBecause: string | null;
  endTime: string | null;
  /** Events read, and how many the footer says were written (null without a footer). */
  eventCount: number;
  footerEventCount: number | null;
  /** How many events of each PyVNCServer type. */
  events: Record<string, number>;
  /** The desktop as the INIT event gave it (and the last DESKTOP_RESIZE), if there was one. */
  desktop: { width: number; height: number; name: string } | null;
  input: {
    pointer: number;
    /** Pointer events that pressed a button no earlier event held. */
    clicks: number;
    keys: number;
    keyPresses: number;
  };
  clipboard: { fromViewer: number; toViewers: number; bytes: number };
  /** Changed areas: the FRAMEBUFFER_UPDATE events' rectangles, their pixels, and the encoded bytes they cost. */
  changes: { updates: number; rects: number; pixels: number; bytes: number };
  /** Lines that were neither events nor the footer (skipped). */
  damagedLines: number;
}

export async function pyVncInfo(path: string): Promise<PyVncInfo> {
  let header: PyVncHeader | null = null;
  let footer: { endTime: string | null; durationMs: number; eventCount: number | null } | null = null;
  let cutWhy: string | null = null;
  let lastT = 0;
  let eventCount = 0;
  let damagedLines = 0;
  let desktop: PyVncInfo['desktop'] = null;
  let desktopName = '';
  let buttons = 0;
  const events: Record<string, number> = {};
  const input = { pointer: 0, clicks: 0, keys: 0, keyPresses: 0 };
  const clipboard = { fromViewer: 0, toViewers: 0, bytes: 0 };
  const changes = { updates: 0, rects: 0, pixels: 0, bytes: 0 };
  for await (const item of readPyVncRecording(path)) {
    if (item.type === 'header') header = item.header;
    else if (item.type === 'footer') footer = item.footer;
    else if (item.type === 'cut') cutWhy = item.why;
    else if (item.type === 'damaged') damagedLines++;
    else {
      const e = item.entry;
      eventCount++;
      events[item.eventType] = (events[item.eventType] ?? 0) + 1;
      lastT = Math.max(lastT, e.t);
      switch (e.kind) {
        case 'init':
          desktopName = e.name;
          desktop = { width: e.width, height: e.height, name: e.name };
          break;
        case 'resize':
          desktop = { width: e.width, height: e.height, name: desktopName };
          break;
        case 'pointer':
          input.pointer++;
          if (e.buttons & ~buttons) input.clicks++;
          buttons = e.buttons;
          break;
        case 'key':
          input.keys++;
          if (e.down) input.keyPresses++;
          break;
        case 'clipboard':
          if (e.direction === 'from-viewer') clipboard.fromViewer++;
          else clipboard.toViewers++;
          clipboard.bytes += e.bytes;
          break;
        case 'update':
          changes.updates++;
          changes.rects += e.rects.length;
          changes.pixels += e.area;
          changes.bytes += e.bytes ?? 0;
          break;
        default:
          break;
      }
    }
  }
  const bytes = (await stat(path)).size;
  // readPyVncRecording yields the header first or throws: it is there.
  const complete = footer !== null;
  return {
    kind: 'pyvncserver',
    path,
    bytes,
    header: header!,
    complete,
    durationMs: footer ? Math.max(footer.durationMs, lastT) : lastT,
    truncatedAtMs: complete ? null : lastT,
    truncatedBecause: complete ? null : cutWhy,
    endTime: footer?.endTime ?? null,
    eventCount,
    footerEventCount: footer?.eventCount ?? null,
    events,
    desktop,
    input,
    clipboard,
    changes,
    damagedLines,
  };
}
