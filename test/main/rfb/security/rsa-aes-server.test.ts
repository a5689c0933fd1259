import { generateKeyPairSync } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFrame } from '../../../../src/main/framebuffer/frame.js';
import { offeredSecurityTypes } from '../../../../src/main/rfb/security/registry.js';
import { ServerCredentials } from '../../../../src/main/rfb/security/server-credentials.js';
import { RfbServer } from '../../../../src/main/rfb/server.js';
import type { Session } from '../../../../src/main/rfb/session.js';
import { OPEN_ADMISSION } from '../../../support/admission.js';
import { ByteQueue, runProtocolClient, type ProtocolClientOptions } from '../../../support/rsa-aes-client.js';

/**
 * RSA-AES through the real server: the listener, the connection (which seals
 * and opens once a type hands it a cipher) and the async handshake, with the
 * client written from the registry text. What follows the credentials shows
 * what each type leaves encrypted.
 */

const PASSWORD = 'open sesame';
const VIEW_PASSWORD = 'just looking';
let PEM = '';
let server: RfbServer;
let port = 0;
const connected: Session[] = [];

beforeAll(async () => {
  PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  server = new RfbServer({
    password: PASSWORD,
    viewOnlyPassword: VIEW_PASSWORD,
    desktopName: 'ra2 desk',
    handshakeTimeoutMs: 10_000,
    admission: OPEN_ADMISSION,
    // All four RSA-AES types, named: over TCP the default leaves out 5 and 6 (RealVNC's numbers).
    securityTypes: ['vencrypt', 'ra2_256', 'ra2', 'ra2ne_256', 'ra2ne', 'vnc'],
    keys: { rsa: async () => PEM, tls: () => Promise.reject(new Error('no TLS')) },
  });
  server.setFrame(createFrame(32, 16));
  server.on('connected', (s: Session) => connected.push(s));
  port = (await server.listen(0, '127.0.0.1')).port;
});

afterAll(async () => {
  await server?.close();
});

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, fail) => setTimeout(() => fail(new Error(`timed out: ${what}`)), ms).unref())]);
}

async function open(): Promise<{ q: ByteQueue; socket: net.Socket; closed: Promise<void> }> {
  const socket = net.connect(port, '127.0.0.1');
  const q = new ByteQueue();
  socket.on('data', (d: Buffer) => q.push(d));
  const closed = new Promise<void>((resolve) => socket.once('close', () => (q.close(), resolve())));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { q, socket, closed };
}

/** Version and the choice of `type`; returns the types offered. */
async function chooseType(q: ByteQueue, socket: net.Socket, type: number): Promise<number[]> {
  expect((await q.read(12)).toString('latin1')).toBe('RFB 003.008\n');
  socket.write('RFB 003.008\n');
  const offered = [...(await q.read((await q.read(1))[0]!))];
  socket.write(Buffer.from([type]));
  return offered;
}

const SERVER_INIT_HEAD = Buffer.from([0, 32, 0, 16]); // 32×16

describe('RSA-AES through RfbServer', () => {
  it('offers the four types before VNC Authentication when it keeps a key, none of them when it does not', () => {
    expect(server.offeredSecurityTypes().map((t) => t.id)).toEqual([19, 129, 5, 130, 6, 2]);
    expect(server.offeredSecurityTypes('websocket').map((t) => t.id)).toEqual([129, 5, 130, 6, 2]);
    // The default: over TCP not 5 and 6, which RealVNC's viewer would take for its own secret types; browsers get all.
    const withKeys = { hasKeys: true };
    const pw = new ServerCredentials({ full: PASSWORD, viewOnly: null }, null);
    expect(offeredSecurityTypes(null, pw, withKeys).map((t) => t.id)).toEqual([19, 129, 130, 2]);
    expect(offeredSecurityTypes(null, pw, { ...withKeys, transport: 'websocket' }).map((t) => t.id)).toEqual([129, 5, 130, 6, 2]);
    const creds = new ServerCredentials({ full: PASSWORD, viewOnly: null }, null);
    expect(offeredSecurityTypes(null, creds, { hasKeys: false }).map((t) => t.id)).toEqual([19, 2]); // anonymous TLS needs no key
    expect(offeredSecurityTypes(['ra2ne', 'vnc'], creds, { hasKeys: true }).map((t) => t.id)).toEqual([6, 2]);
  });

  const cases: Array<{ type: number; whole: boolean; opts?: Partial<ProtocolClientOptions> }> = [
    { type: 5, whole: true },
    // The random and the first record in one write: the connection must open the record bytes that arrived before the switch.
    { type: 5, whole: true, opts: { coalesceRandomAndHash: true } },
    { type: 129, whole: true, opts: { coalesceRandomAndHash: true } },
    { type: 6, whole: false },
    { type: 130, whole: false, opts: { coalesceRandomAndHash: true } },
  ];
  for (const c of cases) {
    it(`type ${c.type}${c.opts?.coalesceRandomAndHash ? ' (random and hash in one write)' : ''}: SecurityResult, ClientInit and ServerInit are ${c.whole ? 'records' : 'plain'}`, async () => {
      const { q, socket } = await open();
      try {
        expect(await chooseType(q, socket, c.type)).toEqual([19, 129, 5, 130, 6, 2]);
        const before = connected.length;
        const client = await withTimeout(runProtocolClient(q, (b) => socket.write(b), { type: c.type, password: PASSWORD, ...c.opts }), 20_000, 'handshake');
        expect(client.subtype).toBe(2);
        if (c.whole) {
          expect([...(await withTimeout(client.fromServer.readRecord(q), 5000, 'SecurityResult'))]).toEqual([0, 0, 0, 0]);
          socket.write(await client.toServer.seal(Buffer.from([1]))); // ClientInit, shared
          // ServerInit may span records; gather plain text until its head is in.
          let plain = Buffer.alloc(0);
          for (let i = 0; i < 10 && plain.length < 24; i++) plain = Buffer.concat([plain, await withTimeout(client.fromServer.readRecord(q), 5000, 'ServerInit')]);
          expect(plain.subarray(0, 4)).toEqual(SERVER_INIT_HEAD);
        } else {
          expect([...(await withTimeout(q.read(4), 5000, 'SecurityResult'))]).toEqual([0, 0, 0, 0]);
          socket.write(Buffer.from([1]));
          expect(await withTimeout(q.read(4), 5000, 'ServerInit')).toEqual(SERVER_INIT_HEAD);
        }
        await withTimeout(
          (async () => {
            for (let i = 0; i < 100 && connected.length === before; i++) await new Promise((r) => setTimeout(r, 20));
          })(),
          5000,
          'connected',
        );
        const session = connected[connected.length - 1]!;
        expect(session.securityType).toBe({ 5: 'ra2', 6: 'ra2ne', 129: 'ra2_256', 130: 'ra2ne_256' }[c.type]);
        expect(session.access).toBe('full');
      } finally {
        socket.destroy();
      }
    });
  }

  it('the view-only password gives a view-only session; a wrong one is refused with a reason', async () => {
    {
      const { q, socket } = await open();
      await chooseType(q, socket, 6);
      const before = connected.length;
      await withTimeout(runProtocolClient(q, (b) => socket.write(b), { type: 6, password: VIEW_PASSWORD }), 20_000, 'handshake');
      expect([...(await q.read(4))]).toEqual([0, 0, 0, 0]);
      socket.write(Buffer.from([1]));
      await q.read(4);
      for (let i = 0; i < 100 && connected.length === before; i++) await new Promise((r) => setTimeout(r, 20));
      expect(connected[connected.length - 1]!.access).toBe('view-only');
      socket.destroy();
    }
    {
      const { q, socket, closed } = await open();
      await chooseType(q, socket, 129);
      const client = await withTimeout(runProtocolClient(q, (b) => socket.write(b), { type: 129, password: 'guess' }), 20_000, 'handshake');
      // RA2_256: the failure, reason and all, comes as a record.
      const result = await withTimeout(client.fromServer.readRecord(q), 5000, 'SecurityResult');
      expect(result.readUInt32BE(0)).toBe(1);
      expect(result.subarray(8).toString()).toBe('authentication failed');
      await withTimeout(closed, 5000, 'the server to close');
    }
  });

  it('a forged record after the switch closes the connection', async () => {
    const { q, socket, closed } = await open();
    await chooseType(q, socket, 5);
    const forged = await withTimeout(runProtocolClient(q, (b) => socket.write(b), { type: 5, password: PASSWORD }), 20_000, 'handshake');
    await forged.fromServer.readRecord(q); // SecurityResult ok
    const record = await forged.toServer.seal(Buffer.from([1]));
    record[3]! ^= 0x40;
    socket.write(record);
    await withTimeout(closed, 5000, 'the server to close');
  });
});
