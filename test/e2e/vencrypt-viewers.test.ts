/**
 * VeNCrypt with real viewers: libvncclient (Debian's, built with GnuTLS)
 * and TigerVNC's vncviewer 1.12 on Xvfb, each through its own TLS stack and
 * its own reading of the protocol, against the real server (RfbServer and
 * its handshake runner) through to framebuffer updates. And a packet
 * capture on loopback: after the VeNCrypt exchange every byte either way is
 * a TLS record, and neither the password nor the desktop's name is in it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTlsCertificate, type TlsCertificate } from '../../src/main/app/tls-certificate.js';
import { UserStore } from '../../src/main/app/user-store.js';
import { createFrame } from '../../src/main/framebuffer/frame.js';
import type { SecurityKeys } from '../../src/main/rfb/security/security-type.js';
import { VeNCryptSubtype as S, type VeNCryptSubtypeId } from '../../src/main/rfb/security/vencrypt.js';
import { RfbServer } from '../../src/main/rfb/server.js';
import type { Session } from '../../src/main/rfb/session.js';
import { OPEN_ADMISSION } from '../support/admission.js';
import { startRefClient } from '../support/libvncclient.js';
import { startCapture, tlsRecords } from '../support/pcap.js';
import { startTigerViewer, writePasswordFile } from '../support/tigervnc-viewer.js';
import { startXvfb, type XvfbHandle } from '../support/xvfb.js';

const VNC_PASSWORD = 'Vnc-pw-93';
const USER = 'alice';
const USER_PASSWORD = 'plain-secret-5821';
const DESKTOP_NAME = 'desktop-name-d41f9';

let dir: string;
let xvfb: XvfbHandle;
let certificate: TlsCertificate;
let otherCertificate: TlsCertificate;
let keys: SecurityKeys;
let passwdFile: string;
let users: UserStore;
const servers: RfbServer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trayvnc-vencrypt-e2e-'));
  xvfb = await startXvfb({ width: 640, height: 480 });
  certificate = await loadTlsCertificate({ dir: join(dir, 'server'), hosts: ['localhost', '127.0.0.1'] });
  otherCertificate = await loadTlsCertificate({ dir: join(dir, 'other'), hosts: ['localhost', '127.0.0.1'] });
  keys = { tls: async () => ({ cert: certificate.cert, key: certificate.key }), rsa: () => Promise.reject(new Error('not used')) };
  passwdFile = join(dir, 'passwd');
  await writePasswordFile(passwdFile, VNC_PASSWORD);
  users = await UserStore.open(join(dir, 'users.json'));
  await users.set(USER, USER_PASSWORD, 'view-only');
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await xvfb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Served {
  port: number;
  /** The next viewer that got in, or the next refusal (bounded wait). */
  next(): Promise<{ session: Session } | { refused: string }>;
}

/** Our server, offering only VeNCrypt with `subtypes`, a 64×48 desktop named DESKTOP_NAME. */
async function serve(subtypes: VeNCryptSubtypeId[]): Promise<Served> {
  const server = new RfbServer({
    password: VNC_PASSWORD,
    users,
    securityTypes: ['vencrypt'],
    vencryptSubtypes: subtypes,
    keys,
    desktopName: DESKTOP_NAME,
    admission: OPEN_ADMISSION,
    handshakeTimeoutMs: 10_000,
  });
  servers.push(server);
  server.setFrame(createFrame(64, 48));
  const events: Array<{ session: Session } | { refused: string }> = [];
  server.on('connected', (session) => events.push({ session }));
  server.on('refused', (_address, reason) => events.push({ refused: reason }));
  const { port } = await server.listen(0, '127.0.0.1');
  let taken = 0;
  return {
    port,
    async next() {
      for (let i = 0; i < 300 && events.length <= taken; i++) await new Promise((r) => setTimeout(r, 50));
      const e = events[taken++];
      if (!e) throw new Error('no viewer got in or was refused within 15 s');
      return e;
    },
  };
}

const connectedAs = (e: { session: Session } | { refused: string }) =>
  'session' in e ? { security: e.session.securityType, access: e.session.access, user: e.session.user } : e;

describe('libvncclient', () => {
  it.each([
    ['X509Vnc', S.X509Vnc, 'full'],
    ['TLSVnc', S.TLSVnc, 'full'],
    ['X509Plain', S.X509Plain, 'view-only'],
    ['TLSPlain', S.TLSPlain, 'view-only'],
  ] as const)('connects with %s and gets the desktop', async (label, subtype, access) => {
    const h = await serve([subtype]);
    const plain = label.endsWith('Plain');
    const t0 = performance.now();
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
      connectTimes[`libvncclient ${label}`] = performance.now() - t0;
      expect(connectedAs(await h.next())).toEqual({ security: 'vencrypt', access, user: plain ? USER : null });
      // Pixels flow inside TLS: a whole update arrives and decodes.
      const update = await c.waitUpdates(1, 10_000);
      expect(update.rects).toContainEqual({ x: 0, y: 0, w: 64, h: 48 });
    } finally {
      await c.close();
    }
  });

  it('is refused with a wrong password, inside TLS', async () => {
    const h = await serve([S.X509Vnc]);
    const c = await startRefClient({ host: '127.0.0.1', port: h.port, format: 'rgb888le', encodings: 'raw', password: 'wrong', caFile: certificate.certPath });
    try {
      await expect(c.waitConnected(10_000)).rejects.toThrow(/authentication failed|VNC connection failed|handshake failed/i);
      expect(await h.next()).toEqual({ refused: 'authentication failed' });
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
      // The viewer hangs up in the TLS handshake; the server only sees it go.
      expect('refused' in (await h.next())).toBe(true);
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
  ] as const)('connects with %s and gets the desktop', async (label, subtype, how, access) => {
    // The server offers every subtype, in an order where the one under test is last: the viewer picks by its -SecurityTypes.
    const h = await serve([...[S.X509Plain, S.X509Vnc, S.TLSPlain, S.TLSVnc].filter((s) => s !== subtype), subtype]);
    const t0 = performance.now();
    const v = startTigerViewer({
      display: xvfb.display,
      port: h.port,
      securityTypes: label,
      caFile: certificate.certPath,
      ...('passwordFile' in how ? { passwordFile: passwdFile } : { user: USER, password: USER_PASSWORD }),
    });
    try {
      const e = await h.next();
      connectTimes[`TigerVNC ${label}`] = performance.now() - t0;
      expect(connectedAs(e), v.log()).toEqual({ security: 'vencrypt', access, user: label.endsWith('Plain') ? USER : null });
      expect(v.log()).toContain(`Choosing security type ${label} (${subtype})`);
      // The viewer asks for and gets pixels: an update goes out to it.
      const session = (e as { session: Session }).session;
      for (let i = 0; i < 200 && session.updatesSent === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(session.updatesSent).toBeGreaterThan(0);
      // It takes fences: the fence behind each update comes back, and the server measures its link by it.
      for (let i = 0; i < 200 && session.pacing?.rttMs == null; i++) await new Promise((r) => setTimeout(r, 25));
      expect(session.pacing?.rttMs).toBeGreaterThanOrEqual(0);
      expect(session.pacing?.windowBytes).toBeGreaterThan(0);
    } finally {
      await v.stop();
    }
  });
});

const connectTimes: Record<string, number> = {};
afterAll(() => {
  // From starting the viewer to the server's "connected", for the record (process start included).
  if (process.env['TRAYVNC_REPORT_TIMES']) {
    const lines = Object.entries(connectTimes).map(([k, ms]) => `${k}: ${ms.toFixed(0)} ms`);
    process.stdout.write(`connect times\n  ${lines.join('\n  ')}\n`);
  }
});

describe('on the wire', () => {
  /** What precedes TLS, byte for byte, from the document: version, type list and choice, VeNCrypt 0.2 and its subtype. */
  const clearFromServer = (subtype: number) =>
    Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([1, 19, 0, 2, 0, 1]), u32(subtype), Buffer.from([1])]);
  const clearFromClient = (subtype: number) => Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([19, 0, 2]), u32(subtype)]);

  const count = (buf: Buffer, text: string) => {
    const needle = Buffer.from(text);
    let n = 0;
    for (let i = buf.indexOf(needle); i >= 0 && n < 100; i = buf.indexOf(needle, i + 1)) n++;
    return n;
  };

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
      await c.waitUpdates(1, 10_000);
      stopViewer = () => c.close();
    } else {
      const v = startTigerViewer({ display: xvfb.display, port: h.port, securityTypes: 'TLSPlain', user: USER, password: USER_PASSWORD });
      stopViewer = () => v.stop();
    }
    const e = await h.next();
    expect('session' in e).toBe(true);
    const session = (e as { session: Session }).session;
    for (let i = 0; i < 200 && session.updatesSent === 0; i++) await new Promise((r) => setTimeout(r, 25));
    await stopViewer();
    await new Promise((res) => setTimeout(res, 200));
    const [conversation, ...more] = await cap.stop();
    expect(more).toEqual([]);
    const { toServer, toClient } = conversation!;
    const fromServer = clearFromServer(subtype);
    const fromClient = clearFromClient(subtype);
    expect(toClient.subarray(0, fromServer.length)).toEqual(fromServer);
    expect(toServer.subarray(0, fromClient.length)).toEqual(fromClient);
    // Everything after is TLS: records of known types whose lengths add up to the end of each stream.
    const serverRecords = tlsRecords(toClient.subarray(fromServer.length));
    const clientRecords = tlsRecords(toServer.subarray(fromClient.length));
    const appBytes = serverRecords.filter((rec) => rec.type === 23).reduce((n, rec) => n + rec.length, 0);
    // Updates went out, inside TLS: libvncclient asked for Raw, so the 64×48 picture alone is 12 KiB of it.
    expect(session.updatesSent).toBeGreaterThan(0);
    if (label.startsWith('libvncclient')) expect(appBytes).toBeGreaterThan(64 * 48 * 4);
    expect(clientRecords.some((rec) => rec.type === 23)).toBe(true);
    // The version strings are in the clear part, once each way; the rest is nowhere.
    expect(count(toClient, 'RFB 003.008')).toBe(1);
    expect(count(toServer, 'RFB 003.008')).toBe(1);
    for (const secret of [USER_PASSWORD, USER, DESKTOP_NAME]) {
      expect(count(toClient, secret), `${secret} from the server`).toBe(0);
      expect(count(toServer, secret), `${secret} from the client`).toBe(0);
    }
  });

  it('the control: the same capture finds them all when Plain runs without TLS (TigerVNC, Plain)', async () => {
    const h = await serve([S.Plain]);
    const cap = await startCapture(h.port);
    const v = startTigerViewer({ display: xvfb.display, port: h.port, securityTypes: 'Plain', user: USER, password: USER_PASSWORD });
    try {
      expect(connectedAs(await h.next())).toEqual({ security: 'vencrypt', access: 'view-only', user: USER });
    } finally {
      await v.stop();
    }
    const [conversation] = await cap.stop();
    expect(count(conversation!.toServer, USER_PASSWORD)).toBe(1);
    expect(count(conversation!.toServer, USER)).toBe(1);
    expect(count(conversation!.toClient, DESKTOP_NAME)).toBe(1);
    expect(() => tlsRecords(conversation!.toClient.subarray(clearFromServer(S.Plain).length - 1))).toThrow(/not TLS/);
  });
});

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
}
