import type { EncodingUse, Endpoint, PixelFormatInfo } from '../shared/control-contract.js';
import { hostPort } from '../shared/hosts.js';

/**
 * Number and time formatting for the UI. Pure functions: the unit tests run
 * them in Node.
 */

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** Few significant digits: 3.4, 34, 340 (a table column stays narrow and steady). */
function compact(v: number): string {
  if (v === 0) return '0';
  if (v < 10) return v.toFixed(1);
  return String(Math.round(v));
}

/** 1536 → "1.5 KB" (binary multiples, as file managers show them). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  let v = bytes;
  let unit = 0;
  // Switch units before the value would round up to four digits ("1024 KB").
  while (v >= 999.5 && unit < BYTE_UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${unit === 0 ? Math.round(v) : compact(v)} ${BYTE_UNITS[unit]}`;
}

/** Bytes per second → "1.2 MB/s". */
export function formatRate(bytesPerSecond: number | null | undefined): string {
  const b = formatBytes(bytesPerSecond);
  return b === '—' ? b : `${b}/s`;
}

export function formatFps(fps: number | null | undefined): string {
  if (fps === null || fps === undefined || !Number.isFinite(fps)) return '—';
  return `${fps.toFixed(1)} fps`;
}

/** Milliseconds with precision where it matters: "0.42 ms", "3.1 ms", "120 ms". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

/** Raw bytes per byte sent: "12.3:1". */
export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio) || ratio <= 0) return '—';
  return `${ratio < 100 ? ratio.toFixed(1) : Math.round(ratio)}:1`;
}

/** How long ago: "just now", "45 s ago", "2 min ago", "3 h 5 min ago", "2 d ago". */
export function formatAgo(at: number, now: number): string {
  // Clocks of server and browser may differ a little; never show the future.
  const s = Math.max(0, Math.floor((now - at) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 === 0 ? `${h} h ago` : `${h} h ${min % 60} min ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** Local clock time with seconds, for tooltips and chart read-outs. */
export function formatClock(at: number): string {
  return new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function formatCount(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A client's encodings with what each carried: "ZRLE: 1.2 MB in 340 rectangles; CopyRect: 48 B in 3 rectangles". */
export function formatEncodingUsage(usage: readonly EncodingUse[]): string {
  return usage.map((u) => `${u.encoding}: ${formatBytes(u.bytes)} in ${formatCount(u.rectangles, 'rectangle', 'rectangles')}`).join('; ');
}

/** host:port, with IPv6 hosts in brackets ("[::1]:5900"). */
export function formatEndpoint(e: Endpoint): string {
  return hostPort(e.host, e.port);
}

const channelBits = (max: number) => Math.round(Math.log2(max + 1));

/** A pixel format in a few characters: ["RGB888", "32 bpp"], ["Palette", "8 bpp"]. */
export function formatPixelFormatShort(pf: PixelFormatInfo): [layout: string, size: string] {
  const layout = pf.trueColour ? `RGB${channelBits(pf.redMax)}${channelBits(pf.greenMax)}${channelBits(pf.blueMax)}` : 'Palette';
  return [layout, `${pf.bitsPerPixel} bpp`];
}
