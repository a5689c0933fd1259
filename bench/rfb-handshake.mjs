// The benchmark client's RFB 3.8 handshake, from the server's banner to the
// security result: None security, or VNC Authentication when given a password.

import des from 'des.js';

/** VNC Authentication's answer (RFC 6143 §7.2.2): the challenge DES-encrypted with the password, each key byte's bits reversed. */
export function vncAuthResponse(password, challenge) {
  const key = Buffer.alloc(8);
  const pw = Buffer.from(password, 'latin1');
  for (let i = 0; i < 8 && i < pw.length; i++) {
    let b = pw[i];
    let r = 0;
    for (let bit = 0; bit < 8; bit++) {
      r = (r << 1) | (b & 1);
      b >>= 1;
    }
    key[i] = r;
  }
  const cipher = des.DES.create({ type: 'encrypt', key, padding: false });
  return Buffer.from(cipher.update(challenge).concat(cipher.final()));
}

/**
 * One handshake step in `phase` ('banner', 'sectypes', 'challenge',
 * 'secresult') from `buf` at `off`: { used, reply?, phase, version? }, or null
 * while its bytes have not all arrived. Throws when the server refuses.
 */
export function handshakeStep(phase, buf, off, password) {
  const avail = buf.length - off;
  if (phase === 'banner') {
    if (avail < 12) return null;
    return { used: 12, version: buf.toString('latin1', off, off + 11), reply: 'RFB 003.008\n', phase: 'sectypes' };
  }
  if (phase === 'sectypes') {
    if (avail < 1) return null;
    const n = buf[off];
    if (n === 0) {
      if (avail < 5) return null;
      const len = buf.readUInt32BE(off + 1);
      if (avail < 5 + len) return null;
      throw new Error(`server refused: ${buf.toString('latin1', off + 5, off + 5 + len)}`);
    }
    if (avail < 1 + n) return null;
    const types = [...buf.subarray(off + 1, off + 1 + n)];
    if (password !== null) {
      if (!types.includes(2)) throw new Error(`server offers no VNC Authentication (types ${types.join(',')})`);
      return { used: 1 + n, reply: Buffer.from([2]), phase: 'challenge' };
    }
    if (!types.includes(1)) throw new Error(`server offers no None security (types ${types.join(',')})`);
    return { used: 1 + n, reply: Buffer.from([1]), phase: 'secresult' };
  }
  if (phase === 'challenge') {
    if (avail < 16) return null;
    return { used: 16, reply: vncAuthResponse(password, buf.subarray(off, off + 16)), phase: 'secresult' };
  }
  if (phase === 'secresult') {
    if (avail < 4) return null;
    const r = buf.readUInt32BE(off);
    if (r !== 0) {
      if (avail < 8) return null;
      const len = buf.readUInt32BE(off + 4);
      if (avail < 8 + len) return null;
      throw new Error(`security result ${r}: ${buf.toString('latin1', off + 8, off + 8 + len)}`);
    }
    return { used: 4, reply: Buffer.from([1]), phase: 'serverinit' }; // ClientInit: shared
  }
  throw new Error(`unknown handshake phase ${phase}`);
}
