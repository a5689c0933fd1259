import { basename } from 'node:path';
import type { PyVncInfo } from './recording/pyvnc-info.js';
import { PYVNC_NO_PICTURES } from './recording/pyvnc-recording.js';
import type { RecordingInfo } from './recording/reader.js';

/**
 * What `trayvnc recording info` and `list` print for a person: short lines,
 * a label and its value, times as mm:ss (h:mm:ss past an hour).
 */

/** 65 000 ms → "01:05"; 3 723 000 → "1:02:03". Whole seconds, rounded down (where playing has got to). */
export function clock(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  return h > 0 ? `${h}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${two(Math.floor(s / 60))}:${two(s % 60)}`;
}

export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let u = 0;
  for (; v >= 1024 && u < units.length - 1; u++) v /= 1024;
  return `${v.toFixed(1)} ${units[u]}`;
}

/** A date as the local wall clock reads it ("2026-12-06 21:58:00"), or the text as given when it is no date. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "complete" or "truncated at 00:42", as both formats' summaries say it. */
export function status(info: { complete: boolean; truncatedAtMs: number | null }): string {
  return info.complete ? 'complete' : `truncated at ${clock(info.truncatedAtMs ?? 0)}`;
}

/** `counts` as "connect 2, pointer 40", biggest first (ties by name, so the order is stable). */
function counts(c: Record<string, number>): string {
  const entries = Object.entries(c).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return entries.length ? entries.map(([k, n]) => `${k} ${n}`).join(', ') : 'none';
}

function lines(rows: Array<[string, string] | string>): string {
  const width = Math.max(...rows.map((r) => (typeof r === 'string' ? 0 : r[0].length)));
  return rows.map((r) => (typeof r === 'string' ? r : `${r[0].padEnd(width)}  ${r[1]}`)).join('\n') + '\n';
}

export function trayVncInfoText(info: RecordingInfo): string {
  const h = info.header;
  const resizes = info.events['resize'] ?? 0;
  const fromViewers = info.viewers.reduce((n, v) => n + v.clipboard, 0);
  const clipboard = info.events['clipboard'] ?? 0;
  const rows: Array<[string, string] | string> = [
    `${basename(info.path)}: a TrayVNC recording, ${status(info)}`,
    ['status', info.complete ? `complete${info.endReason ? ` (${info.endReason})` : ''}` : `truncated at ${clock(info.truncatedAtMs ?? 0)}: the file was cut short, and plays to there`],
    ['duration', clock(info.durationMs)],
    ['started', `${localTime(h.startedAt)} by ${h.server} on ${h.host}`],
    ['file size', size(info.bytes)],
    ['desktop', `${h.width}x${h.height} "${h.desktopName}"${resizes ? `, resized ${plural(resizes, 'time')}` : ''}`],
    ['updates', String(info.updates)],
    ['keyframes', String(info.keyframes)],
    ['viewers', String(info.viewers.length)],
    ...info.viewers.map(
      (v): [string, string] => ['', `${v.address || '(address unknown)'} [${v.client}]: ${plural(v.connects, 'connect')}, pointer ${v.pointer}, keys ${v.keys}, clipboard ${v.clipboard}`],
    ),
    ['clipboard', `${plural(clipboard, 'transfer')}${clipboard ? ` (${fromViewers} from viewers, ${clipboard - fromViewers} to viewers)` : ''}`],
    ['events', counts(info.events)],
    ['recorded', `keys ${h.keys ? 'yes' : 'no'}, clipboard text ${h.clipboardText ? 'yes' : 'no (sizes only)'}`],
  ];
  return lines(rows);
}

export function pyVncInfoText(info: PyVncInfo): string {
  const d = info.desktop;
  const c = info.changes;
  const ratio = d && d.width * d.height > 0 ? c.pixels / (d.width * d.height) : null;
  const screens = ratio === null ? '' : ratio < 1 ? ` (${Math.round(ratio * 100)}% of a screen)` : ` (${ratio.toFixed(1)} screens' worth)`;
  const rows: Array<[string, string] | string> = [
    `${basename(info.path)}: a PyVNCServer recording (session ${info.header.sessionId}), ${status(info)}`,
    `${PYVNC_NO_PICTURES}.`,
    ['status', info.complete ? 'complete' : `truncated at ${clock(info.truncatedAtMs ?? 0)}: ${info.truncatedBecause ?? 'no footer'}`],
    ['duration', clock(info.durationMs)],
    ['started', localTime(info.header.startTime)],
    ['file size', size(info.bytes)],
    ['desktop', d ? `${d.width}x${d.height}${d.name ? ` "${d.name}"` : ''}` : 'not recorded'],
    ['events', `${info.eventCount}${info.footerEventCount !== null && info.footerEventCount !== info.eventCount ? ` (the footer says ${info.footerEventCount})` : ''}`],
    ['', counts(info.events)],
    ['input', `pointer ${info.input.pointer} (${plural(info.input.clicks, 'click')}), keys ${info.input.keys} (${info.input.keyPresses} pressed)`],
    ['clipboard', `${info.clipboard.fromViewer} from the viewer, ${info.clipboard.toViewers} to the viewer, ${size(info.clipboard.bytes)}`],
    ['changed', `${plural(c.updates, 'update')}, ${plural(c.rects, 'rectangle')}, ${c.pixels} pixels${screens}, ${size(c.bytes)} encoded`],
  ];
  if (info.damagedLines > 0) rows.push(['skipped', `${plural(info.damagedLines, 'line')} that were not events`]);
  return lines(rows);
}

/** One row of `recording list`. */
export interface ListRow {
  file: string;
  kind: 'trayvnc' | 'pyvncserver' | 'unknown';
  /** The recording's start (ISO), or the file's modification time when it is not a recording. */
  date: string;
  durationMs: number | null;
  bytes: number;
  viewers: number | null;
  complete: boolean | null;
  truncatedAtMs: number | null;
  /** Why the file is not listed as a recording (not one, damaged, unreadable). */
  problem: string | null;
}

export function listText(rows: readonly ListRow[]): string {
  const table = rows.map((r) => [
    localTime(r.date),
    r.durationMs === null ? '-' : clock(r.durationMs),
    size(r.bytes),
    r.viewers === null ? '-' : String(r.viewers),
    r.problem ?? (r.complete === null ? '-' : status({ complete: r.complete, truncatedAtMs: r.truncatedAtMs })),
    r.kind === 'pyvncserver' ? `${r.file} (PyVNCServer: a timeline, no pictures)` : r.file,
  ]);
  const head = ['DATE', 'LENGTH', 'SIZE', 'VIEWERS', 'STATUS', 'FILE'];
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  // Numbers right-aligned, words left; the last column is not padded.
  const right = [false, true, true, true, false, false];
  const fmt = (row: string[]) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
  return [fmt(head), ...table.map(fmt)].join('\n') + '\n';
}
