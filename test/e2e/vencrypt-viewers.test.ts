/**
 * VeNCrypt with real viewers: libvncclient (Debian's, built with GnuTLS)
 * and TigerVNC's vncviewer 1.12 on Xvfb, each through its own TLS stack and
 * its own reading of the protocol, up to ServerInit. And a packet capture
 * on loopback: after the VeNCrypt exchange every byte either way is a TLS
 * record, and neither the password nor the desktop's name is in it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import des from 'des.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTlsCertificate, type TlsCertificate } from '../../src/main/app/tls-certificate.js';
import type { Credentials, SecurityKeys } from '../../src/main/rfb/security/security-type.js';
import { VeNCrypt, VeNCryptSubtype as S, type VeNCryptSubtypeId } from '../../src/main/rfb/security/vencrypt.js';
import { startRefClient } from '../support/libvncclient.js';
import { startCapture, tlsRecords } from '../support/pcap.js';
import { serveSecurityType, type ConnectionResult, type Harness } from '../support/security-harness.js';
import { startTigerViewer, writePasswordFile } from '../support/tigervnc-viewer.js';
import { startXvfb, type XvfbHandle } from '../support/xvfb.js';

const VNC_PASSWORD = 'Vnc-pw-93';
const USER = 'alice';
const USER_PASSWORD = 'plain-secret-5821';
const DESKTOP_NAME = 'desktop-name-d41f9';

/** RFC 6143 §7.2.2, written here: DES under the password with each key byte's bits mirrored. */
function vncResponse(password: string, challenge: Buffer): Buffer {
  const key = Buffer.alloc(8);
  Buffer.from(password, 'latin1').copy(key, 0, 0, 8);
  for (let i = 0; i < 8; i++) key[i] = parseInt(key[i]!.toString(2).padStart(8, '0').split('').reverse().join(''), 2);
  return Buffer.from(des.DES.create({ type: 'encrypt', key, padding: false }).update(challenge));
}

const credentials: Credentials = {
  hasVncPassword: true,
  hasUsers: true,
  checkVncResponse: (challenge, response) => (vncResponse(VNC_PASSWORD, challenge).equals(response) ? 'full' : null),
  checkPassword: () => null,
  checkUser: async (user, password) => (user === USER && password === USER_PASSWORD ? 'view-only' : null),
};

let dir: string;
let xvfb: XvfbHandle;
let certificate: TlsCertificate;
let otherCertificate: TlsCertificate;
let keys: SecurityKeys;
let passwdFile: string;
const harnesses: Harness[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trayvnc-vencrypt-e2e-'));
  xvfb = await startXvfb({ width: 640, height: 480 });
  certificate = await loadTlsCertificate({ dir: join(dir, 'server'), hosts: ['localhost', '127.0.0.1'] });
  otherCertificate = await loadTlsCertificate({ dir: join(dir, 'other'), hosts: ['localhost', '127.0.0.1'] });
  keys = { tls: async () => ({ cert: certificate.cert, key: certificate.key }), rsa: () => Promise.reject(new Error('not used')) };
  passwdFile = join(dir, 'passwd');
  await writePasswordFile(passwdFile, VNC_PASSWORD);
});
afterAll(async () => {
  for (const h of harnesses) await h.close();
  await xvfb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A server that offers security type 19 with `subtypes`, then answers the
 * viewer's ClientInit with a 64×48 ServerInit named DESKTOP_NAME.
 */
async function serve(subtypes: VeNCryptSubtypeId[]): Promise<Harness> {
  const h = await serveSecurityType(
    new VeNCrypt(subtypes),
    credentials,
    keys,
    async (io) => {
      await io.read(1); // ClientInit
      const name = Buffer.from(DESKTOP_NAME);
      const init = Buffer.alloc(24);
      init.writeUInt16BE(64, 0);
      init.writeUInt16BE(48, 2);
      Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0]).copy(init, 4);
      init.writeUInt32BE(name.length, 20);
      io.write(Buffer.concat([init, name]));
      // Hold the connection while the viewer settles; it is closed by the harness afterwards.
      await new Promise((r) => setTimeout(r, 300));
    },
    true,
  );
  harnesses.push(h);
  return h;
}

const handshakeTimes: Record<string, number[]> = {};
function noteTime(label: string, r: ConnectionResult): void {
  if (r.tls) (handshakeTimes[label] ??= []).push(r.tls.handshakeMs);
}
afterAll(() => {
  // The TLS handshake as the server saw it (from the go-ahead byte to 'secure'), for the record.
  const lines = Object.entries(handshakeTimes).map(([k, v]) => `${k}: ${v.map((ms) => ms.toFixed(1)).join(', ')} ms`);
  if (lines.length > 0 && process.env['TRAYVNC_REPORT_TIMES']) process.stdout.write(`TLS handshake times\n  ${lines.join('\n  ')}\n`);
});

describe('libvncclient', () => {
  it.each([
    ['X509Vnc', S.X509Vnc, 'full', /^ECDHE-/],
    ['TLSVnc', S.TLSVnc, 'full', /^ADH-AES256-GCM/],
    ['X509Plain', S.X509Plain, 'view-only', /^ECDHE-/],
    ['TLSPlain', S.TLSPlain, 'view-only', /^ADH-AES256-GCM/],
  ] as const)('connects with %s', async (label, subtype, access, cipher) => {
    const h = await serve([subtype]);
    const plain = label.endsWith('Plain');
    const c = await startRefClient({
      host: '127.0.0.1',
      port: h.port,
      format: 'rgb888le',
      encodings: 'raw',
      password: plain ? USER_PASSWORD : VNC_PASSWORD,
      ...(plain ? { user: USER } : {}),
      caFile: certificate.certPath,
    });
    try {
      expect(await c.waitConnected(10_000)).toEqual({ width: 64, height: 48, name: DESKTOP_NAME });
      const r = await h.next();
      noteTime(`libvncclient ${label}`, r);
      expect(r.outcome).toEqual(plain ? { ok: true, access, user: USER } : { ok: true, access });
      expect(r.tls?.protocol).toBe('TLSv1.2');
      expect(r.tls?.cipher).toMatch(cipher);
    } finally {
      await c.close();
    }
  });

  it('is refused with a wrong password, inside TLS', async () => {
    const h = await serve([S.X509Vnc]);
    const c = await startRefClient({ host: '127.0.0.1', port: h.port, format: 'rgb888le', encodings: 'raw', password: 'wrong', caFile: certificate.certPath });
    try {
      await expect(c.waitConnected(10_000)).rejects.toThrow(/authentication failed|VNC connection failed|handshake failed/i);
      expect((await h.next()).outcome).toEqual({ ok: false, reason: 'authentication failed' });
    } finally {
      await c.close();
    }
  });

  it('refuses a server whose certificate is not the one it trusts', async () => {
    const h = await serve([S.X509Vnc]);
    const c = await startRefClient({
      host: '127.0.0.1',
      port: h.port,
      format: 'rgb888le',
      encodings: 'raw',
      password: VNC_PASSWORD,
      caFile: otherCertificate.certPath,
    });
    try {
      await expect(c.waitConnected(10_000)).rejects.toThrow(/certificate|verif|TLS|handshake failed/i);
      const r = await h.next();
      expect(r.outcome).toBeUndefined();
    } finally {
      await c.close();
    }
  });
});

describe('TigerVNC vncviewer', () => {
  it.each([
    ['X509Vnc', S.X509Vnc, { passwordFile: true }, 'full'],
    ['TLSVnc', S.TLSVnc, { passwordFile: true }, 'full'],
    ['TLSPlain', S.TLSPlain, { user: true }, 'view-only'],
    ['X509Plain', S.X509Plain, { user: true }, 'view-only'],
  ] as const)('connects with %s', async (label, subtype, how, access) => {
    // The server offers every subtype, in an order where the one under test is last: the viewer picks by its -SecurityTypes.
    const h = await serve([...[S.X509Plain, S.X509Vnc, S.TLSPlain, S.TLSVnc].filter((s) => s !== subtype), subtype]);
    const v = startTigerViewer({
      display: xvfb.display,
      port: h.port,
      securityTypes: label,
      caFile: certificate.certPath,
      ...('passwordFile' in how ? { passwordFile: passwdFile } : { user: USER, password: USER_PASSWORD }),
    });
    try {
      const r = await h.next();
      noteTime(`TigerVNC ${label}`, r);
      expect(r.error, v.log()).toBeUndefined();
      expect(r.outcome).toEqual(label.endsWith('Plain') ? { ok: true, access, user: USER } : { ok: true, access });
      expect(v.log()).toContain(`Choosing security type ${label} (${subtype})`);
      expect(v.log()).toMatch(/Authentication success/);
    } finally {
      await v.stop();
    }
  });
});

describe('on the wire', () => {
  /** What precedes TLS, byte for byte, from the document: version, type list and choice, VeNCrypt 0.2 and its subtype. */
  const clearFromServer = (subtype: number) =>
    Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([1, 19, 0, 2, 0, 1]), u32(subtype), Buffer.from([1])]);
  const clearFromClient = (subtype: number) => Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([19, 0, 2]), u32(subtype)]);

  it.each([
    ['libvncclient X509Plain', S.X509Plain],
    ['TigerVNC TLSPlain', S.TLSPlain],
  ] as const)('%s: nothing but TLS records after the VeNCrypt exchange, and no password anywhere', async (label, subtype) => {
    const h = await serve([subtype]);
    const cap = await startCapture(h.port);
    let stopViewer: () => Promise<void>;
    if (label.startsWith('libvncclient')) {
      const c = await startRefClient({ host: '127.0.0.1', port: h.port, format: 'rgb888le', encodings: 'raw', password: USER_PASSWORD, user: USER, caFile: certificate.certPath });
      await c.waitConnected(10_000);
      stopViewer = () => c.close();
    } else {
      const v = startTigerViewer({ display: xvfb.display, port: h.port, securityTypes: 'TLSPlain', user: USER, password: USER_PASSWORD });
      stopViewer = () => v.stop();
    }
    const r = await h.next();
    expect(r.outcome?.ok).toBe(true);
    await stopViewer();
    await new Promise((res) => setTimeout(res, 200));
    const [conversation, ...more] = await cap.stop();
    expect(more).toEqual([]);
    const { toServer, toClient } = conversation!;
    const fromServer = clearFromServer(subtype);
    const fromClient = clearFromClient(subtype);
    expect(toClient.subarray(0, fromServer.length)).toEqual(fromServer);
    expect(toServer.subarray(0, fromClient.length)).toEqual(fromClient);
    // Everything after is TLS: records of known types, lengths that add up to the end of each stream.
    const serverRecords = tlsRecords(toClient.subarray(fromServer.length));
    const clientRecords = tlsRecords(toServer.subarray(fromClient.length));
    expect(serverRecords.filter((rec) => rec.type === 23).length).toBeGreaterThan(0);
    expect(clientRecords.filter((rec) => rec.type === 23).length).toBeGreaterThan(0);
    for (const secret of [USER_PASSWORD, USER, DESKTOP_NAME, 'RFB 003.008']) {
      const needle = Buffer.from(secret);
      const count = (buf: Buffer) => {
        let n = 0;
        for (let i = buf.indexOf(needle); i >= 0 && n < 100; i = buf.indexOf(needle, i + 1)) n++;
        return n;
      };
      // The version strings are in the clear part, once each way; nothing else is anywhere.
      const expected = secret === 'RFB 003.008' ? 1 : 0;
      expect(count(toClient), `${secret} from the server`).toBe(expected);
      expect(count(toServer), `${secret} from the client`).toBe(expected);
    }
  });
});

describe('on the wire, the control', () => {
  it('the same capture does find the password when Plain runs without TLS (TigerVNC, Plain)', async () => {
    const h = await serve([S.Plain]);
    const cap = await startCapture(h.port);
    const v = startTigerViewer({ display: xvfb.display, port: h.port, securityTypes: 'Plain', user: USER, password: USER_PASSWORD });
    try {
      expect((await h.next()).outcome).toEqual({ ok: true, access: 'view-only', user: USER });
    } finally {
      await v.stop();
    }
    const [conversation] = await cap.stop();
    expect(conversation!.toServer.includes(Buffer.from(USER_PASSWORD))).toBe(true);
    expect(conversation!.toClient.includes(Buffer.from(DESKTOP_NAME))).toBe(true);
    expect(() => tlsRecords(conversation!.toClient.subarray(22))).toThrow(/not TLS/);
  });
});

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
}
