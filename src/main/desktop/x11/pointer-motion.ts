import type { XEvent } from 'x11';
import type { X11Connection } from './x11-connection.js';

/** X's GenericEvent, the wire type of every XI2 event. */
const GENERIC_EVENT = 35;

/**
 * Calls `onMotion` whenever the pointer moves, through XInput 2 on the root
 * window: RawMotion (every motion of a pointing device, XTest's included,
 * delivered to the root whatever window the pointer is over) and Motion
 * (what raw events leave out: a client warping the pointer). So a still
 * pointer costs nothing, where polling its position cost an X round trip
 * every second or faster. Returns the function that stops listening, or null
 * when the server has no XI2 (then the position must be polled).
 */
export async function watchPointerMotion(conn: X11Connection, onMotion: () => void): Promise<(() => void) | null> {
  const xi = await conn.extension('xinput');
  if (!xi?.xi2) return null;
  const { Motion, RawMotion } = xi.EventType;
  xi.XISelectEvents(conn.root, { deviceId: xi.AllMasterDevices, mask: [RawMotion, Motion] });
  const listener = (ev: XEvent): void => {
    if ((ev.type & 0x7f) !== GENERIC_EVENT || ev['extension'] !== xi.majorOpcode) return;
    if (ev['evtype'] === RawMotion || ev['evtype'] === Motion) onMotion();
  };
  conn.client.on('event', listener);
  return () => {
    conn.client.removeListener('event', listener);
    if (!conn.closed) xi.XISelectEvents(conn.root, { deviceId: xi.AllMasterDevices, mask: 0 });
  };
}
