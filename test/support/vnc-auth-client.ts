import des from 'des.js';
import { WireSocket } from './wire-socket.js';

/**
 * The client side of the RFB handshake with VNC Authentication, written
 * from RFC 6143 (§7.1–7.3) and not from the server's code. It announces any
 * version string: "RFB 003.889\n" is what macOS Screen Sharing sends (the
 * server speaks 3.8 to it), "RFB 003.003\n" makes the server choose the
 * security type (§7.1.2: a 3.3 server sends one type as a U32).
 */

/** The 16-byte answer to `challenge` (§7.2.2): DES with the password as key, each key byte's bits mirrored. */
export function vncAuthAnswer(password: string, challenge: Buffer): Buffer {
  const key = Buffer.alloc(8);
  Buffer.from(password, 'latin1').copy(key, 0, 0, 8);
  for (let i = 0; i < 8; i++) {
    let b = key[i]!;
    let mirrored = 0;
    for (let bit = 0; bit < 8; bit++, b >>= 1) mirrored = (mirrored << 1) | (b & 1);
    key[i] = mirrored;
  }
  const cipher = des.DES.create({ type: 'encrypt', key, padding: false });
  return Buffer.from(cipher.update(challenge).concat(cipher.final()));
}

export type Login =
  | { ok: true; sock: WireSocket; width: number; height: number; name: string; serverVersion: string }
  /** `reason`: what the server said (3.8 failures, refusals), or null when the version gives none. */
  | { ok: false; reason: string | null; serverVersion: string };

async function reasonText(sock: WireSocket): Promise<string> {
  return (await sock.read(await sock.u32())).toString('utf8');
}

/** Connect to 127.0.0.1:`port`, announce `version`, and log in with VNC Authentication (type 2). */
export async function vncAuthLogin(port: number, password: string, version = 'RFB 003.008\n', shared = true): Promise<Login> {
  const sock = await WireSocket.connect(port);
  const serverVersion = (await sock.read(12)).toString('latin1');
  sock.write(version);
  const minor = Number(/^RFB 003\.(\d{3})\n$/.exec(version)?.[1] ?? '8');
  const fail = (reason: string | null): Login => {
    sock.destroy();
    return { ok: false, reason, serverVersion };
  };
  if (minor < 7) {
    // §7.1.2, version 3.3: the server decides. 0 = refused, with a reason.
    const type = await sock.u32();
    if (type === 0) return fail(await reasonText(sock));
    if (type !== 2) return fail(`server chose security type ${type}, not VNC Authentication`);
  } else {
    const count = await sock.u8();
    if (count === 0) return fail(await reasonText(sock));
    const types = [...(await sock.read(count))];
    if (!types.includes(2)) return fail(`VNC Authentication not offered (offered: ${types.join(', ')})`);
    sock.write(Buffer.from([2]));
  }
  const challenge = await sock.read(16);
  sock.write(vncAuthAnswer(password, challenge));
  // §7.1.3: SecurityResult; only 3.8 (and what the server treats as 3.8) follows a failure with a reason.
  if ((await sock.u32()) !== 0) return fail(minor >= 8 ? await reasonText(sock) : null);
  sock.write(Buffer.from([shared ? 1 : 0]));
  const width = await sock.u16();
  const height = await sock.u16();
  await sock.read(16); // pixel format
  const name = await reasonText(sock);
  return { ok: true, sock, width, height, name, serverVersion };
}
