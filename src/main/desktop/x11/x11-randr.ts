import type { RandrExt, RandrOutputInfo } from 'x11';
import { openX11, type X11Connection } from './x11-connection.js';

/** One lit RandR output (a monitor) and where it sits on the X screen. */
export interface X11Monitor {
  name: string;
  x: number;
  y: number;
  w: number;
  h: number;
  primary: boolean;
}

const CONNECTED = 0;

/**
 * The outputs that show part of the screen (connected, with a CRTC), in
 * RandR's order. Empty when the server has no RANDR.
 */
export async function listMonitors(conn: X11Connection): Promise<X11Monitor[]> {
  const randr = await conn.extension('randr');
  if (!randr) return [];
  return listWith(conn, randr);
}

/** `listMonitors` on its own short-lived connection to `display`. */
export async function listX11Monitors(display: string): Promise<X11Monitor[]> {
  const conn = await openX11(display, { shm: false });
  try {
    return await listMonitors(conn);
  } finally {
    await conn.close();
  }
}

async function listWith(conn: X11Connection, randr: RandrExt): Promise<X11Monitor[]> {
  const res = await conn.request<{ outputs: number[]; config_timestamp: number }>((cb) => randr.GetScreenResourcesCurrent(conn.root, cb));
  let primary = 0;
  try {
    primary = await conn.request<number>((cb) => randr.GetOutputPrimary(conn.root, cb));
  } catch {
    primary = 0; // RandR < 1.3
  }
  const infos = await Promise.all(
    res.outputs.map((id) => conn.request<RandrOutputInfo>((cb) => randr.GetOutputInfo(id, res.config_timestamp, cb)).then((info) => ({ id, info }))),
  );
  const out: X11Monitor[] = [];
  for (const { id, info } of infos) {
    if (info.connection !== CONNECTED || info.crtc === 0) continue;
    const crtc = await conn.request<{ x: number; y: number; width: number; height: number }>((cb) =>
      randr.GetCrtcInfo(info.crtc, res.config_timestamp, cb),
    );
    if (crtc.width === 0 || crtc.height === 0) continue;
    out.push({ name: info.name, x: crtc.x, y: crtc.y, w: crtc.width, h: crtc.height, primary: id === primary });
  }
  return out;
}
