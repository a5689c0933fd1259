import des from 'des.js';
import { WireSocket } from './wire-socket.js';

/**
 * The client side of an RFB 3.8 handshake written from RFC 6143 for tests
 * about what happens around authentication: None, or VNC Authentication
 * with a password, up to SecurityResult and (when it succeeded) through
 * ServerInit.
 */

/** VNC Authentication's response, computed from RFC 6143 §7.2.2 (DES, each key byte's bits mirrored). */
export function vncResponse(password: string, challenge: Buffer): Buffer {
  const key = Buffer.alloc(8);
  Buffer.from(password, 'latin1').copy(key, 0, 0, 8);
  for (let i = 0; i < 8; i++) key[i] = parseInt(key[i]!.toString(2).padStart(8, '0').split('').reverse().join(''), 2);
  return Buffer.from(des.DES.create({ type: 'encrypt', key, padding: false }).update(challenge));
}

export type HandshakeOutcome =
  | { ok: true; sock: WireSocket; width: number; height: number }
  /** SecurityResult failed, with the reason 3.8 carries. */
  | { ok: false; sock: WireSocket; reason: string };

/**
 * Connect from `from` (another loopback address is another client), speak
 * 3.8, choose None (no password) or VNC Authentication, and read
 * SecurityResult; on success send ClientInit (shared) and read ServerInit.
 * `resultTimeoutMs` bounds the wait for SecurityResult (a prompt may hold it).
 */
export async function handshake38(
  port: number,
  opts: { from?: string; password?: string; resultTimeoutMs?: number; onSocket?: (sock: WireSocket) => void } = {},
): Promise<HandshakeOutcome> {
  const sock = await WireSocket.connect(port, '127.0.0.1', opts.from);
  opts.onSocket?.(sock);
  try {
    if ((await sock.read(12)).toString('latin1') !== 'RFB 003.008\n') throw new Error('not an RFB 3.8 server');
    sock.write('RFB 003.008\n');
    const types = [...(await sock.read(await sock.u8()))];
    const type = opts.password !== undefined ? 2 : 1;
    if (!types.includes(type)) throw new Error(`security type ${type} not offered (offered: ${types.join(', ')})`);
    sock.write(Buffer.from([type]));
    if (type === 2) sock.write(vncResponse(opts.password!, await sock.read(16)));
    const result = (await sock.read(4, opts.resultTimeoutMs ?? 5000)).readUInt32BE(0);
    if (result !== 0) {
      const reason = (await sock.read(await sock.u32())).toString('utf8');
      return { ok: false, sock, reason };
    }
    sock.write(Buffer.from([1]));
    const width = await sock.u16();
    const height = await sock.u16();
    await sock.read(16);
    await sock.read(await sock.u32());
    return { ok: true, sock, width, height };
  } catch (e) {
    sock.destroy();
    throw e;
  }
}

/** A PointerEvent (button mask, position). */
export function pointerEvent(mask: number, x: number, y: number): Buffer {
  const b = Buffer.alloc(6);
  b[0] = 5;
  b[1] = mask;
  b.writeUInt16BE(x, 2);
  b.writeUInt16BE(y, 4);
  return b;
}

/** A ClientCutText with latin-1 `text`. */
export function clientCutText(text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const b = Buffer.alloc(8 + body.length);
  b[0] = 6;
  b.writeUInt32BE(body.length, 4);
  body.copy(b, 8);
  return b;
}
