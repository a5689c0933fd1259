import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import des from 'des.js';
import { RfbServer } from '../../../src/main/rfb/server.js';
import { createFrame } from '../../../src/main/framebuffer/frame.js';
import { negotiateVersion } from '../../../src/main/rfb/handshake.js';
import { WireSocket } from '../../support/wire-socket.js';
import { OPEN_ADMISSION } from '../../support/admission.js';

const PASSWORD = 'sesame42';

/** VNC Authentication response computed here from the RFC's description, not from the server's code. */
function vncResponse(password: string, challenge: Buffer): Buffer {
  const key = Buffer.alloc(8);
  Buffer.from(password, 'latin1').copy(key, 0, 0, 8);
  for (let i = 0; i < 8; i++) {
    // Mirror each key byte: bit 0 becomes bit 7 (the VNC quirk).
    key[i] = parseInt(key[i]!.toString(2).padStart(8, '0').split('').reverse().join(''), 2);
  }
  const c = des.DES.create({ type: 'encrypt', key, padding: false });
  return Buffer.from(c.update(challenge));
}

const serverInitFor = (w: number, h: number, name: string): Buffer => {
  const nameBytes = Buffer.from(name);
  return Buffer.concat([
    Buffer.from([w >> 8, w & 255, h >> 8, h & 255]),
    // 32 bpp, depth 24, little-endian, true colour, max 255/255/255, shifts 16/8/0, padding
    Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]),
    Buffer.from([0, 0, 0, nameBytes.length]),
    nameBytes,
  ]);
};

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
}

describe('negotiateVersion', () => {
  it.each([
    ['RFB 003.003\n', 3],
    ['RFB 003.004\n', 3],
    ['RFB 003.005\n', 3],
    ['RFB 003.006\n', 3],
    ['RFB 003.007\n', 7],
    ['RFB 003.008\n', 8],
    ['RFB 003.889\n', 8], // Apple Remote Desktop
    ['RFB 004.001\n', 8],
    ['RFB 003.002\n', null],
    ['RFB 002.009\n', null],
    ['RFB 3.8     \n', null],
    ['HTTP/1.1 200', null],
  ])('serves %j as %s', (text, minor) => {
    expect(negotiateVersion(text)).toBe(minor);
  });
});

describe('handshake over TCP', () => {
  const servers: Record<string, { server: RfbServer; port: number }> = {};

  beforeAll(async () => {
    for (const [key, password] of [
      ['none', null],
      ['vnc', PASSWORD],
    ] as const) {
      // Wrong passwords in a row here are on purpose: the blacklist has its own tests (admission.test.ts).
      // VNC Authentication alone: the steps of RFC 6143 §7.2.2 are what is tested here.
      const server = new RfbServer({ password, securityTypes: ['vnc', 'none'], desktopName: 'matrix', handshakeTimeoutMs: 3000, admission: OPEN_ADMISSION });
      server.setFrame(createFrame(64, 48));
      const { port } = await server.listen(0, '127.0.0.1');
      servers[key] = { server, port };
    }
  });
  afterAll(async () => {
    for (const s of Object.values(servers)) await s.server.close();
  });

  for (const minor of [3, 7, 8] as const) {
    const version = `RFB 003.00${minor}\n`;

    it(`3.${minor} with security None reaches ServerInit`, async () => {
      const c = await WireSocket.connect(servers['none']!.port);
      expect((await c.read(12)).toString('latin1')).toBe('RFB 003.008\n');
      c.write(version);
      if (minor === 3) {
        expect(await c.read(4)).toEqual(u32(1)); // server-chosen type: None
      } else {
        expect(await c.read(2)).toEqual(Buffer.from([1, 1])); // one type offered: None
        c.write(Buffer.from([1]));
        if (minor === 8) expect(await c.read(4)).toEqual(u32(0)); // SecurityResult OK (3.8 only)
      }
      c.write(Buffer.from([1])); // ClientInit, shared
      const init = serverInitFor(64, 48, 'matrix');
      expect(await c.read(init.length)).toEqual(init);
      c.destroy();
    });

    for (const right of [true, false]) {
      it(`3.${minor} with VNC Authentication and a ${right ? 'right' : 'wrong'} password`, async () => {
        const c = await WireSocket.connect(servers['vnc']!.port);
        expect((await c.read(12)).toString('latin1')).toBe('RFB 003.008\n');
        c.write(version);
        if (minor === 3) {
          expect(await c.read(4)).toEqual(u32(2));
        } else {
          expect(await c.read(2)).toEqual(Buffer.from([1, 2]));
          c.write(Buffer.from([2]));
        }
        const challenge = await c.read(16);
        c.write(vncResponse(right ? PASSWORD : 'wrong!!', challenge));
        if (right) {
          expect(await c.read(4)).toEqual(u32(0));
          c.write(Buffer.from([1]));
          const init = serverInitFor(64, 48, 'matrix');
          expect(await c.read(init.length)).toEqual(init);
          c.destroy();
        } else {
          const reason = Buffer.from('authentication failed');
          const expected = minor === 8 ? Buffer.concat([u32(1), u32(reason.length), reason]) : u32(1);
          expect(await c.read(expected.length)).toEqual(expected);
          expect(await c.waitClosed()).toHaveLength(0);
        }
      });
    }
  }

  it('uses a fresh challenge for every connection', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const c = await WireSocket.connect(servers['vnc']!.port);
      await c.read(12);
      c.write('RFB 003.008\n');
      await c.read(2);
      c.write(Buffer.from([2]));
      seen.add((await c.read(16)).toString('hex'));
      c.destroy();
    }
    expect(seen.size).toBe(5);
  });

  it('closes a client that picks a security type it was not offered, with a 3.8 reason', async () => {
    const c = await WireSocket.connect(servers['vnc']!.port);
    await c.read(12);
    c.write('RFB 003.008\n');
    expect(await c.read(2)).toEqual(Buffer.from([1, 2]));
    c.write(Buffer.from([1]));
    expect(await c.u32()).toBe(1);
    const len = await c.u32();
    expect((await c.read(len)).toString()).toMatch(/security type 1/);
    await c.waitClosed();
  });

  it('drops a client that sends a bad version string', async () => {
    const c = await WireSocket.connect(servers['none']!.port);
    await c.read(12);
    c.write('GET / HTTP/1.1\r\n');
    expect(await c.waitClosed()).toHaveLength(0);
  });

  it('times out a client that stalls in the handshake', async () => {
    const server = new RfbServer({ password: null, handshakeTimeoutMs: 200 });
    server.setFrame(createFrame(8, 8));
    const { port } = await server.listen(0, '127.0.0.1');
    const refused = new Promise<string>((r) => server.once('refused', (_a, reason) => r(reason)));
    const c = await WireSocket.connect(port);
    await c.read(12);
    await c.waitClosed(3000);
    expect(await refused).toMatch(/handshake not completed within 200 ms/);
    await server.close();
  });

  it('refuses clients past max_connections with a reason, at every version', async () => {
    const server = new RfbServer({ password: null, maxConnections: 1 });
    server.setFrame(createFrame(8, 8));
    const { port } = await server.listen(0, '127.0.0.1');
    // A viewer that is in takes the place (one still in its handshake would not).
    const first = await WireSocket.connect(port);
    await first.read(12);
    first.write('RFB 003.008\n');
    await first.read(2);
    first.write(Buffer.from([1]));
    await first.read(4);
    first.write(Buffer.from([1]));
    await first.read(24 + 'TrayVNC'.length);
    const reason = Buffer.from('too many connections (max_connections is 1)');
    for (const minor of [3, 7, 8]) {
      const c = await WireSocket.connect(port);
      await c.read(12);
      c.write(`RFB 003.00${minor}\n`);
      const expected =
        minor === 3
          ? Buffer.concat([u32(0), u32(reason.length), reason]) // security type 0 = refused, then the reason
          : Buffer.concat([Buffer.from([0]), u32(reason.length), reason]); // zero security types, then the reason
      expect(await c.read(expected.length)).toEqual(expected);
      await c.waitClosed();
    }
    first.destroy();
    await server.close();
  });

  it('disconnects other clients when one connects non-shared, unless always_shared', async () => {
    for (const alwaysShared of [false, true]) {
      const server = new RfbServer({ password: null, alwaysShared });
      server.setFrame(createFrame(8, 8));
      const { port } = await server.listen(0, '127.0.0.1');
      const connect = async (shared: boolean) => {
        const c = await WireSocket.connect(port);
        await c.read(12);
        c.write('RFB 003.008\n');
        await c.read(2);
        c.write(Buffer.from([1]));
        await c.read(4);
        c.write(Buffer.from([shared ? 1 : 0]));
        await c.read(24 + 7); // ServerInit with the default name "TrayVNC"
        return c;
      };
      const a = await connect(true);
      const b = await connect(false);
      if (alwaysShared) {
        await new Promise((r) => setTimeout(r, 200));
        expect(a.closed).toBe(false);
      } else {
        await a.waitClosed();
      }
      expect(b.closed).toBe(false);
      a.destroy();
      b.destroy();
      await server.close();
    }
  });
});
