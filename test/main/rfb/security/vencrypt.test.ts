/**
 * VeNCrypt (security type 19) against a client written here from the
 * community RFB document's VeNCrypt section (and the go-ahead byte every
 * implementation sends before TLS), over real loopback TCP and Node's TLS
 * client: version refusal, the subtype list, each subtype, wrong
 * credentials, bad lengths and truncated input — each a clear refusal,
 * never a crash or a hang.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import des from 'des.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTlsCertificate, type TlsCertificate } from '../../../../src/main/app/tls-certificate.js';
import type { Access, Credentials, SecurityKeys } from '../../../../src/main/rfb/security/security-type.js';
import { createFrame } from '../../../../src/main/framebuffer/frame.js';
import { offeredSecurityTypes, vencryptSecurity } from '../../../../src/main/rfb/security/registry.js';
import { RfbServer } from '../../../../src/main/rfb/server.js';
import type { Session } from '../../../../src/main/rfb/session.js';
import { OPEN_ADMISSION } from '../../../support/admission.js';
import { DEFAULT_VENCRYPT_SUBTYPES, VeNCrypt, VeNCryptSubtype as S, vencryptSubtypeByName, type VeNCryptSubtypeId } from '../../../../src/main/rfb/security/vencrypt.js';
import { serveSecurityType, StreamReader, type Harness } from '../../../support/security-harness.js';

const VNC_PASSWORD = 'sesame42';
const USERS: Record<string, { password: string; access: Access }> = {
  alice: { password: 'correct horse battery staple', access: 'full' },
  bob: { password: 'pässwörd', access: 'view-only' },
};

/** VNC Authentication's response from RFC 6143 §7.2.2: DES with each key byte's bits mirrored. */
function vncResponse(password: string, challenge: Buffer): Buffer {
  const key = Buffer.alloc(8);
  Buffer.from(password, 'latin1').copy(key, 0, 0, 8);
  for (let i = 0; i < 8; i++) key[i] = parseInt(key[i]!.toString(2).padStart(8, '0').split('').reverse().join(''), 2);
  return Buffer.from(des.DES.create({ type: 'encrypt', key, padding: false }).update(challenge));
}

function credentials(opts: { vnc?: boolean; users?: boolean }): Credentials {
  return {
    hasVncPassword: opts.vnc === true,
    hasUsers: opts.users === true,
    checkVncResponse: (challenge, response) => (opts.vnc && vncResponse(VNC_PASSWORD, challenge).equals(response) ? 'full' : null),
    checkPassword: () => null,
    checkUser: async (user, password) => (opts.users && USERS[user]?.password === password ? USERS[user]!.access : null),
  };
}

const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};

/** The viewer's side, from the document. */
class Client {
  private stream: Duplex;
  private reader: StreamReader;
  private constructor(readonly raw: net.Socket) {
    this.stream = raw;
    this.reader = new StreamReader(raw);
  }
  static async connect(port: number): Promise<Client> {
    const s = net.connect({ port, host: '127.0.0.1' });
    await once(s, 'connect');
    return new Client(s);
  }
  read(n: number): Promise<Buffer> {
    return this.reader.read(n);
  }
  write(b: Buffer | number[]): void {
    this.stream.write(Buffer.isBuffer(b) ? b : Buffer.from(b));
  }
  /** Version 0.2 agreed; returns the subtypes the server lists. */
  async negotiate(): Promise<number[]> {
    expect([...(await this.read(2))]).toEqual([0, 2]);
    this.write([0, 2]);
    expect((await this.read(1))[0]).toBe(0);
    const n = (await this.read(1))[0]!;
    const list = await this.read(4 * n);
    return Array.from({ length: n }, (_, i) => list.readUInt32BE(4 * i));
  }
  /** Choose a TLS subtype: the server says go (1), then the TLS handshake. */
  async chooseTls(subtype: number, options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
    this.write(u32(subtype));
    expect((await this.read(1))[0]).toBe(1);
    this.reader.detach();
    const secure = tls.connect({ socket: this.raw, ...options });
    await once(secure, 'secureConnect');
    this.stream = secure;
    this.reader = new StreamReader(secure);
    return secure;
  }
  async plain(user: Buffer | string, password: Buffer | string): Promise<void> {
    const u = Buffer.isBuffer(user) ? user : Buffer.from(user, 'utf8');
    const p = Buffer.isBuffer(password) ? password : Buffer.from(password, 'utf8');
    this.write(Buffer.concat([u32(u.length), u32(p.length), u, p]));
  }
  /** RFC 6143 §7.1.3 SecurityResult (3.8: a reason follows a failure). */
  async result(): Promise<{ ok: boolean; reason?: string }> {
    const status = (await this.read(4)).readUInt32BE(0);
    if (status === 0) return { ok: true };
    const len = (await this.read(4)).readUInt32BE(0);
    return { ok: false, reason: (await this.read(len)).toString('utf8') };
  }
  closed(): Promise<Buffer> {
    return this.reader.closed();
  }
  destroy(): void {
    this.stream.destroy();
    this.raw.destroy();
  }
}

let dir: string;
let certificate: TlsCertificate;
let keys: SecurityKeys;
const harnesses: Harness[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trayvnc-vencrypt-'));
  certificate = await loadTlsCertificate({ dir, hosts: ['localhost', '127.0.0.1'] });
  keys = { tls: async () => ({ cert: certificate.cert, key: certificate.key }), rsa: async () => Promise.reject(new Error('not used')) };
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  for (const h of harnesses) await h.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(subtypes: VeNCryptSubtypeId[], creds: Credentials, k: SecurityKeys = keys): Promise<Harness> {
  const h = await serveSecurityType(new VeNCrypt(subtypes), creds, k);
  harnesses.push(h);
  return h;
}
async function client(h: Harness): Promise<Client> {
  const c = await Client.connect(h.port);
  clients.push(c);
  return c;
}
/** What a viewer checking the server's certificate against the pinned one does. */
const x509Client = () => ({ ca: certificate.cert, host: '127.0.0.1', servername: undefined }) satisfies tls.ConnectionOptions;
/** A viewer asking for anonymous Diffie-Hellman only, as libvncclient and TigerVNC do for the TLS* subtypes. */
const anonClient = () => ({ ciphers: 'aNULL:!eNULL@SECLEVEL=0', maxVersion: 'TLSv1.2', rejectUnauthorized: false }) satisfies tls.ConnectionOptions;

describe('VeNCrypt version', () => {
  it.each([
    [[0, 1], /0\.1; only 0\.2/],
    [[0, 3], /0\.3; only 0\.2/],
    [[1, 0], /1\.0; only 0\.2/],
    [[0, 0], /cannot use version 0\.2/],
  ])('client version %j: the server answers 255 and closes', async (version, message) => {
    const h = await serve([S.X509Vnc], credentials({ vnc: true }));
    const c = await client(h);
    expect([...(await c.read(2))]).toEqual([0, 2]);
    c.write(version);
    expect([...(await c.closed())]).toEqual([255]);
    const r = await h.next();
    expect(r.outcome).toBeUndefined();
    expect(r.error?.message).toMatch(message);
  });
});

describe('VeNCrypt subtype list', () => {
  it('offers the configured subtypes in the configured order, less those the credentials cannot serve', async () => {
    const order = [S.X509Plain, S.TLSVnc, S.X509None, S.X509Vnc, S.TLSPlain, S.TLSNone];
    expect(await (await client(await serve(order, credentials({ vnc: true, users: true })))).negotiate()).toEqual([262, 258, 261, 259]);
    expect(await (await client(await serve(order, credentials({ vnc: true })))).negotiate()).toEqual([258, 261]);
    expect(await (await client(await serve(order, credentials({ users: true })))).negotiate()).toEqual([262, 259]);
    // No password and no users: only the subtypes without authentication, like security type None.
    expect(await (await client(await serve(order, credentials({})))).negotiate()).toEqual([260, 257]);
  });

  it('is usable only when some subtype is, and encrypts unless Plain without TLS is offered', () => {
    expect(new VeNCrypt([S.X509Plain]).usable(credentials({ vnc: true }))).toBe(false);
    expect(new VeNCrypt([S.X509Plain, S.X509Vnc]).usable(credentials({ vnc: true }))).toBe(true);
    expect(new VeNCrypt([S.X509Plain, S.TLSVnc]).encrypts).toBe(true);
    expect(new VeNCrypt([S.X509Plain, S.Plain]).encrypts).toBe(false);
    expect(vencryptSubtypeByName('x509plain')).toBe(262);
    expect(vencryptSubtypeByName('TLSVnc')).toBe(258);
    expect(vencryptSubtypeByName('tls')).toBeNull();
    expect(() => new VeNCrypt([19 as VeNCryptSubtypeId])).toThrow(/unknown VeNCrypt subtype/);
  });

  it.each([
    [0, /supports none of the offered/],
    [S.TLSVnc, /chose subtype 258, which was not offered/],
    [19, /chose subtype 19/],
    [0xffffffff, /chose subtype 4294967295/],
  ])('a choice of %i is refused with a 0 and the connection closes', async (choice, message) => {
    const h = await serve([S.X509Vnc], credentials({ vnc: true }));
    const c = await client(h);
    expect(await c.negotiate()).toEqual([261]);
    c.write(u32(choice));
    expect([...(await c.closed())]).toEqual([0]);
    expect((await h.next()).error?.message).toMatch(message);
  });
});

describe('VeNCrypt in the registry', () => {
  const names = (types: Array<{ name: string }>) => types.map((t) => t.name);

  it('is offered first by default, where the settings put it when they name types, and never to a browser (no TLS inside a WebSocket)', () => {
    const both = credentials({ vnc: true, users: true });
    expect(names(offeredSecurityTypes(null, both))[0]).toBe('vencrypt');
    expect(names(offeredSecurityTypes(null, both)).at(-1)).toBe('vnc');
    expect(names(offeredSecurityTypes(null, both, { transport: 'websocket' }))).not.toContain('vencrypt');
    expect(names(offeredSecurityTypes(['vencrypt', 'vnc'], both))).toEqual(['vencrypt', 'vnc']);
    expect(names(offeredSecurityTypes(['vnc', 'vencrypt'], both))).toEqual(['vnc', 'vencrypt']);
  });

  it('by default offers TLSPlain, TLSVnc, X509Plain, X509Vnc, and never lets a password-less server skip to it over None', () => {
    expect(DEFAULT_VENCRYPT_SUBTYPES).toEqual([259, 258, 262, 261]);
    expect(vencryptSecurity.offered(credentials({ vnc: true, users: true }))).toEqual([259, 258, 262, 261]);
    // No credentials: none of the default subtypes can be served, so None is what is offered.
    expect(names(offeredSecurityTypes(['vencrypt', 'none'], credentials({})))).toEqual(['none']);
  });

  it('takes the subtypes the server is given', () => {
    const [type] = offeredSecurityTypes(['vencrypt'], credentials({ vnc: true }), { vencryptSubtypes: [S.TLSVnc, S.X509Vnc] });
    expect((type as VeNCrypt).offered(credentials({ vnc: true }))).toEqual([258, 261]);
    // The same list gives the same instance: nothing is rebuilt per connection.
    expect(offeredSecurityTypes(['vencrypt'], credentials({ vnc: true }), { vencryptSubtypes: [S.TLSVnc, S.X509Vnc] })[0]).toBe(type);
  });
});

describe('VeNCrypt subtypes', () => {
  it('X509Vnc: TLS with the server certificate, then VNC Authentication inside it', async () => {
    const h = await serve([S.X509Vnc], credentials({ vnc: true }));
    const c = await client(h);
    expect(await c.negotiate()).toEqual([261]);
    const secure = await c.chooseTls(S.X509Vnc, x509Client());
    expect(secure.authorized).toBe(true);
    // The certificate the viewer saw is the one whose fingerprint the user is shown.
    expect(secure.getPeerX509Certificate()?.fingerprint256).toBe(certificate.fingerprint);
    const challenge = await c.read(16);
    c.write(vncResponse(VNC_PASSWORD, challenge));
    expect(await c.result()).toEqual({ ok: true });
    const r = await h.next();
    expect(r.outcome).toEqual({ ok: true, access: 'full' });
    expect(r.tls?.protocol).toBe('TLSv1.2');
    expect(r.tls?.cipher).toMatch(/^ECDHE-RSA-(AES256-GCM|AES128-GCM|CHACHA20)/);
  });

  it('X509Vnc with a wrong password: SecurityResult failed, inside TLS', async () => {
    const h = await serve([S.X509Vnc], credentials({ vnc: true }));
    const c = await client(h);
    await c.negotiate();
    await c.chooseTls(S.X509Vnc, x509Client());
    c.write(vncResponse('wrong', await c.read(16)));
    expect(await c.result()).toEqual({ ok: false, reason: 'authentication failed' });
    expect((await h.next()).outcome).toEqual({ ok: false, reason: 'authentication failed' });
  });

  it('X509Plain: user name and password inside TLS, with the user and their access in the outcome', async () => {
    const h = await serve([S.X509Plain], credentials({ users: true }));
    for (const [name, { password, access }] of Object.entries(USERS)) {
      const c = await client(h);
      await c.negotiate();
      await c.chooseTls(S.X509Plain, x509Client());
      await c.plain(name, password);
      expect(await c.result()).toEqual({ ok: true });
      expect((await h.next()).outcome).toEqual({ ok: true, access, user: name });
    }
  });

  it('X509None: TLS, then nothing more to prove', async () => {
    const h = await serve([S.X509None], credentials({}));
    const c = await client(h);
    await c.chooseTls((await c.negotiate())[0]!, x509Client());
    expect(await c.result()).toEqual({ ok: true });
    expect((await h.next()).outcome).toEqual({ ok: true, access: 'full' });
  });

  it('TLSPlain, TLSVnc, TLSNone: anonymous Diffie-Hellman in TLS 1.2, no certificate', async () => {
    const h = await serve([S.TLSPlain, S.TLSVnc], credentials({ users: true, vnc: true }));
    const c = await client(h);
    expect(await c.negotiate()).toEqual([259, 258]);
    const secure = await c.chooseTls(S.TLSPlain, anonClient());
    expect(secure.getProtocol()).toBe('TLSv1.2');
    expect(secure.getCipher().name).toMatch(/^(ADH|AECDH)-/);
    expect(secure.getPeerCertificate()).toEqual({});
    await c.plain('alice', USERS['alice']!.password);
    expect(await c.result()).toEqual({ ok: true });
    expect((await h.next()).tls?.cipher).toBe('ADH-AES256-GCM-SHA384');

    const v = await client(h);
    await v.negotiate();
    await v.chooseTls(S.TLSVnc, anonClient());
    v.write(vncResponse(VNC_PASSWORD, await v.read(16)));
    expect(await v.result()).toEqual({ ok: true });
    expect((await h.next()).outcome).toEqual({ ok: true, access: 'full' });

    const n = await client(await serve([S.TLSNone], credentials({})));
    await n.chooseTls((await n.negotiate())[0]!, anonClient());
    expect(await n.result()).toEqual({ ok: true });
  });

  it('anonymous TLS uses 3072-bit Diffie-Hellman even for AES-128 (not the 1024 bits of OpenSSL\u2019s automatic choice)', async () => {
    const h = await serve([S.TLSNone], credentials({}));
    const c = await client(h);
    await c.negotiate();
    const secure = await c.chooseTls(S.TLSNone, { ...anonClient(), ciphers: 'ADH-AES128-GCM-SHA256@SECLEVEL=0' });
    expect(secure.getEphemeralKeyInfo()).toMatchObject({ type: 'DH', size: 3072 });
  });

  it('a viewer that wants a certificate on an anonymous subtype fails the TLS handshake, and the server lets go', async () => {
    const h = await serve([S.TLSNone], credentials({}));
    const c = await client(h);
    await c.negotiate();
    c.write(u32(S.TLSNone));
    expect((await c.read(1))[0]).toBe(1);
    const secure = tls.connect({ socket: c.raw, ca: certificate.cert, host: '127.0.0.1' });
    const [err] = (await once(secure, 'error')) as [Error];
    expect(err.message).toMatch(/handshake|alert|cipher/i);
    expect((await h.next()).error).toBeDefined();
  });

  it('Plain without TLS works when explicitly offered (the password then travels in the clear)', async () => {
    const h = await serve([S.Plain], credentials({ users: true }));
    const c = await client(h);
    expect(await c.negotiate()).toEqual([256]);
    c.write(u32(S.Plain)); // no go-ahead byte: straight to the credentials
    await c.plain('bob', USERS['bob']!.password);
    expect(await c.result()).toEqual({ ok: true });
    expect((await h.next()).outcome).toEqual({ ok: true, access: 'view-only', user: 'bob' });
  });

  it('without a certificate the X509 subtypes are not offered; with nothing left, the list is empty and the connection ends', async () => {
    const broken: SecurityKeys = { tls: () => Promise.reject(new Error('cert.pem is damaged')), rsa: () => Promise.reject(new Error('no')) };
    const h = await serve([S.X509Vnc, S.TLSVnc], credentials({ vnc: true }), broken);
    expect(await (await client(h)).negotiate()).toEqual([258]);
    const only = await serve([S.X509Vnc], credentials({ vnc: true }), broken);
    const c = await client(only);
    expect([...(await c.read(2))]).toEqual([0, 2]);
    c.write([0, 2]);
    expect([...(await c.closed())]).toEqual([0, 0]); // version accepted, then a count of 0
    expect((await only.next()).error?.message).toMatch(/no subtype can be offered.*no TLS certificate \(cert\.pem is damaged\)/);
  });
});

describe('Plain credentials', () => {
  async function plainClient(): Promise<{ h: Harness; c: Client }> {
    const h = await serve([S.X509Plain], credentials({ users: true }));
    const c = await client(h);
    await c.negotiate();
    await c.chooseTls(S.X509Plain, x509Client());
    return { h, c };
  }

  it('a wrong password and an unknown user get the same answer', async () => {
    const { h, c } = await plainClient();
    await c.plain('alice', 'not her password');
    const wrong = await c.result();
    const second = await client(h);
    await second.negotiate();
    await second.chooseTls(S.X509Plain, x509Client());
    await second.plain('mallory', 'anything');
    expect(await second.result()).toEqual(wrong);
    expect(wrong).toEqual({ ok: false, reason: 'authentication failed' });
  });

  it.each([
    ['an empty user name', '', 'x'],
    ['a user name that is not UTF-8', Buffer.from([0xff, 0xfe, 0x61]), 'x'],
    ['a password that is not UTF-8', 'alice', Buffer.from([0xc3, 0x28])],
  ])('%s is refused', async (_what, user, password) => {
    const { h, c } = await plainClient();
    await c.plain(user, password);
    expect(await c.result()).toEqual({ ok: false, reason: 'authentication failed' });
    expect((await h.next()).outcome?.ok).toBe(false);
  });

  it.each([
    ['a 4 GiB user name', 0xffffffff, 4],
    ['a 256-byte user name', 256, 4],
    ['a 4 GiB password', 5, 0xffffffff],
    ['a 1025-byte password', 5, 1025],
  ])('%s is refused at once, without waiting for the bytes', async (_what, userLength, passwordLength) => {
    const { h, c } = await plainClient();
    const t0 = Date.now();
    c.write(Buffer.concat([u32(userLength), u32(passwordLength)]));
    expect(await c.result()).toEqual({ ok: false, reason: 'user name or password too long' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect((await h.next()).outcome?.ok).toBe(false);
  });

  it('the longest allowed user name and password still work', async () => {
    const long = { password: 'p'.repeat(1024), access: 'full' as const };
    USERS['u'.repeat(255)] = long;
    try {
      const { c } = await plainClient();
      await c.plain('u'.repeat(255), long.password);
      expect(await c.result()).toEqual({ ok: true });
    } finally {
      delete USERS['u'.repeat(255)];
    }
  });
});

describe('truncated input', () => {
  it.each([
    ['after one byte of the version', (c: Client) => c.write([0])],
    ['after the version', (c: Client) => c.write([0, 2])],
    ['after two bytes of the subtype', async (c: Client) => {
      await c.negotiate();
      c.write([0, 0]);
    }],
    ['before the TLS handshake', async (c: Client) => {
      await c.negotiate();
      c.write(u32(S.X509Plain));
      await c.read(1);
    }],
    ['in the middle of a TLS ClientHello', async (c: Client) => {
      await c.negotiate();
      c.write(u32(S.X509Plain));
      await c.read(1);
      c.write([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]);
    }],
    ['in the middle of Plain\u2019s lengths (in clear)', async (c: Client) => {
      await c.negotiate();
      c.write(u32(S.Plain));
      c.write([0, 0, 0, 5, 0, 0]);
    }],
    ['in the middle of Plain\u2019s user name (in clear)', async (c: Client) => {
      await c.negotiate();
      c.write(u32(S.Plain));
      c.write(Buffer.concat([u32(5), u32(3), Buffer.from('ali')]));
    }],
  ])('a client that hangs up %s ends only its own connection', async (_what, act) => {
    const h = await serve([S.X509Plain, S.Plain], credentials({ users: true }));
    const c = await client(h);
    await act(c);
    await new Promise((r) => setTimeout(r, 50));
    c.raw.end();
    const r = await h.next();
    expect(r.outcome).toBeUndefined();
    expect(r.error).toBeInstanceOf(Error);
    // The server goes on serving the next viewer.
    const next = await client(h);
    expect(await next.negotiate()).toEqual([262, 256]);
  });
});

describe('through the server\u2019s handshake runner', () => {
  let server: RfbServer;
  let port: number;
  const refused: string[] = [];
  beforeAll(async () => {
    server = new RfbServer({
      password: VNC_PASSWORD,
      securityTypes: ['vencrypt', 'vnc'],
      vencryptSubtypes: [S.X509Vnc, S.TLSVnc],
      keys,
      desktopName: 'inside-tls',
      admission: OPEN_ADMISSION,
      handshakeTimeoutMs: 5000,
    });
    server.setFrame(createFrame(64, 48));
    server.on('refused', (_a, reason) => refused.push(reason));
    port = (await server.listen(0, '127.0.0.1')).port;
  });
  afterAll(() => server.close());

  async function rfbClient(): Promise<Client> {
    const c = await Client.connect(port);
    clients.push(c);
    expect((await c.read(12)).toString('latin1')).toBe('RFB 003.008\n');
    c.write(Buffer.from('RFB 003.008\n'));
    expect([...(await c.read(3))]).toEqual([2, 19, 2]);
    c.write([19]);
    return c;
  }

  it('X509Vnc to ServerInit, all of it after VeNCrypt inside TLS', async () => {
    const c = await rfbClient();
    expect(await c.negotiate()).toEqual([261, 258]);
    await c.chooseTls(S.X509Vnc, x509Client());
    c.write(vncResponse(VNC_PASSWORD, await c.read(16)));
    expect(await c.result()).toEqual({ ok: true });
    c.write([1]); // ClientInit, shared
    const init = await c.read(24);
    expect([init.readUInt16BE(0), init.readUInt16BE(2)]).toEqual([64, 48]);
    expect((await c.read(init.readUInt32BE(20))).toString()).toBe('inside-tls');
  });

  /** Resolves with how long the socket took to close, or null if it is still open after `ms`. */
  async function closesWithin(raw: net.Socket, ms: number): Promise<number | null> {
    const started = Date.now();
    if (raw.destroyed) return 0;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), ms);
      raw.once('close', () => {
        clearTimeout(timer);
        resolve(Date.now() - started);
      });
    });
  }

  // Node gives a server TLSSocket's errors to its user only when a tls.Server made it; before the
  // fix a bare TLSSocket swallowed every error after the handshake and the connection stayed open.
  it('bytes that are no TLS record, once TLS is up, end the connection at once (not at the handshake timeout)', async () => {
    const c = await rfbClient();
    await c.negotiate();
    const secure = await c.chooseTls(S.X509Vnc, x509Client());
    secure.on('error', () => undefined); // the server's alert
    await c.read(16);
    c.raw.write(Buffer.from('this is not a TLS record at all'));
    const ms = await closesWithin(c.raw, 2000);
    expect(ms).not.toBeNull();
    for (let i = 0; i < 100 && !refused.some((r) => /socket error/.test(r)); i++) await new Promise((r) => setTimeout(r, 20));
    expect(refused.some((r) => /socket error: .*(wrong version number|record)/i.test(r))).toBe(true);
  });

  it('a corrupt TLS record in a session past ServerInit ends the session, which no timeout would', async () => {
    const c = await rfbClient();
    await c.negotiate();
    const secure = await c.chooseTls(S.TLSVnc, anonClient());
    secure.on('error', () => undefined);
    c.write(vncResponse(VNC_PASSWORD, await c.read(16)));
    expect(await c.result()).toEqual({ ok: true });
    const connected = once(server, 'connected');
    c.write([1]);
    const init = await c.read(24);
    await c.read(init.readUInt32BE(20));
    const [session] = (await connected) as [Session];
    const gone = new Promise<string>((resolve) => server.on('disconnected', (s: Session, reason: string) => s === session && resolve(reason)));
    // A TLS application-data record header, then bytes that fail its authentication.
    c.raw.write(Buffer.concat([Buffer.from([23, 3, 3, 0, 40]), Buffer.alloc(40, 0x5a)]));
    expect(await closesWithin(c.raw, 3000)).not.toBeNull();
    expect(await gone).toMatch(/socket error/);
    expect(session.closed).toBe(true);
    expect(server.clients).not.toContain(session);
  });

  it('a refused VeNCrypt version ends the connection with 255, and the server says why', async () => {
    const c = await rfbClient();
    expect([...(await c.read(2))]).toEqual([0, 2]);
    c.write([0, 1]);
    expect([...(await c.closed())]).toEqual([255]);
    for (let i = 0; i < 100 && !refused.some((r) => /version 0\.1/.test(r)); i++) await new Promise((r) => setTimeout(r, 20));
    expect(refused.some((r) => /VeNCrypt: the client asked for version 0\.1; only 0\.2 is served/.test(r))).toBe(true);
  });
});
