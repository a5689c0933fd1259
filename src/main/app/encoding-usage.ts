import type { EncodingUse } from '../../shared/control-contract.js';
import { encodingName } from '../rfb/constants.js';
import type { UpdateStats } from '../rfb/session.js';

interface Tally {
  rectangles: number;
  bytes: number;
}

/**
 * What each client has been sent, per encoding, since it connected:
 * rectangles and bytes on the wire (headers included). The Clients table
 * shows the encodings most bytes first, so a viewer being sent ZRLE reads
 * "ZRLE, CopyRect" however small the last update was.
 */
export class EncodingUsage {
  private readonly bySession = new Map<string, Map<number, Tally>>();

  /** One update went to a client. */
  record(sessionId: string, stats: UpdateStats): void {
    if (stats.rects.length === 0) return;
    let tallies = this.bySession.get(sessionId);
    if (!tallies) this.bySession.set(sessionId, (tallies = new Map()));
    for (const r of stats.rects) {
      const t = tallies.get(r.encoding);
      if (t) {
        t.rectangles++;
        t.bytes += r.bytes;
      } else {
        tallies.set(r.encoding, { rectangles: 1, bytes: r.bytes });
      }
    }
  }

  /** The client left. */
  forget(sessionId: string): void {
    this.bySession.delete(sessionId);
  }

  /** A client's encodings, most bytes first (then most rectangles, then by name). */
  of(sessionId: string): EncodingUse[] {
    const tallies = this.bySession.get(sessionId);
    if (!tallies) return [];
    return [...tallies]
      .map(([encoding, t]) => ({ encoding: encodingName(encoding), rectangles: t.rectangles, bytes: t.bytes }))
      .sort((a, b) => b.bytes - a.bytes || b.rectangles - a.rectangles || a.encoding.localeCompare(b.encoding));
  }
}
