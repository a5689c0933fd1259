/**
 * Times as the player and the recordings list show them. Pure: the unit
 * tests run them in Node.
 */

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A position in a recording: "0:07", "12:34", "1:02:03" (a media player's
 * clock; whole seconds, rounded down so the clock never runs ahead of the
 * picture).
 */
export function formatPlayTime(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** A recording's length in words: "4 s", "2 min 5 s", "1 h 3 min" (whole seconds down, as the player's clock counts). */
export function formatLength(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const total = Math.floor(ms / 1000);
  if (total < 60) return `${total} s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor(total / 60) % 60;
  const s = total % 60;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return s > 0 ? `${m} min ${s} s` : `${m} min`;
}

/** When a recording started, in the viewer's locale: date and time to the minute. */
export function formatRecordingDate(at: number): string {
  if (!Number.isFinite(at)) return '—';
  return new Date(at).toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A speed as the speed menu shows it: "0.25×", "1×", "16×". */
export function formatSpeed(speed: number): string {
  return `${speed}×`;
}
