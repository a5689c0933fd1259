import { afterEach, describe, expect, it } from 'vitest';
import des from 'des.js';
import { configureLogging } from '../../../src/main/base/logger.js';
import { createFrame } from '../../../src/main/framebuffer/frame.js';
import { RfbServer, type RfbServerOptions } from '../../../src/main/rfb/server.js';
import { captureLogs } from '../../support/log-capture.js';
import { TestViewer } from '../../support/test-viewer.js';
import { WireSocket } from '../../support/wire-socket.js';

/**
 * The server under attack, over real loopback sockets from several client
 * addresses (127.0.0.1, .2, .3 are all this machine): the blacklist
 * (TigerVNC's rule: 5 failures, then 10 s, doubling), connections still in
 * their handshake never taking viewers' places, and refusals that cost the
 * server nothing and are logged once per block.
 */

const PASSWORD = 'sesame42';
const servers: RfbServer[] = [];
const sockets: WireSocket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close();
  configureLogging({ level: 'silent' });
});

async function serve(opts: Partial<RfbServerOptions> = {}): Promise<{ server: RfbServer; port: number }> {
  const server = new RfbServer({ password: PASSWORD, securityTypes: ['vnc', 'none'], handshakeTimeoutMs: 5000, ...opts });
  servers.push(server);
  server.setFrame(createFrame(16, 12));
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port };
}

async function open(port: number, from = '127.0.0.1'): Promise<WireSocket> {
  const s = await WireSocket.connect(port, '127.0.0.1', from);
  sockets.push(s);
  return s;
}

/** VNC Authentication's response, computed from RFC 6143 §7.2.2 (DES, each key byte's bits mirrored). */
function vncResponse(password: string, challenge: Buffer): Buffer {
  const key = Buffer.alloc(8);
  Buffer.from(password, 'latin1').copy(key, 0, 0, 8);
  for (let i = 0; i < 8; i++) key[i] = parseInt(key[i]!.toString(2).padStart(8, '0').split('').reverse().join(''), 2);
  return Buffer.from(des.DES.create({ type: 'encrypt', key, padding: false }).update(challenge));
}

/** Version 3.8, VNC Authentication with `password`; resolves to the SecurityResult (0 ok, 1 failed). */
async function tryPassword(port: number, password: string, from = '127.0.0.1'): Promise<{ result: number; sock: WireSocket }> {
  const c = await open(port, from);
  expect((await c.read(12)).toString('latin1')).toBe('RFB 003.008\n');
  c.write('RFB 003.008\n');
  expect(await c.read(2)).toEqual(Buffer.from([1, 2])); // one type offered: VNC Authentication
  c.write(Buffer.from([2]));
  c.write(vncResponse(password, await c.read(16)));
  return { result: await c.u32(), sock: c };
}

/** What a blocked address hears: a 3.3 version and a 3.3 refusal, before it says anything. */
async function expectBlocked(port: number, from = '127.0.0.1'): Promise<void> {
  const c = await open(port, from);
  const reason = 'Too many security failures';
  const expected = Buffer.concat([Buffer.from('RFB 003.003\n'), Buffer.from([0, 0, 0, 0, 0, 0, 0, reason.length]), Buffer.from(reason)]);
  expect(await c.read(expected.length)).toEqual(expected);
  expect(await c.waitClosed()).toHaveLength(0);
}

describe('the blacklist', () => {
  it('refuses an address for 10 s after 5 wrong passwords, not another address, and lets the right password in after', async () => {
    const logs = captureLogs('info');
    const { server, port } = await serve();
    const refusals: string[] = [];
    server.on('refused', (address, reason) => refusals.push(`${address.split(':')[0]} ${reason}`));
    for (let i = 0; i < 5; i++) expect((await tryPassword(port, 'wrong!!')).result).toBe(1);
    const blockedAt = Date.now();

    // The 6th attempt never reaches authentication.
    await expectBlocked(port);
    // Another address is not affected.
    const other = await tryPassword(port, PASSWORD, '127.0.0.3');
    expect(other.result).toBe(0);

    // 200 half-open handshakes from the blocked address are refused and neither lift nor dodge the block.
    const halfOpen = await Promise.all(Array.from({ length: 200 }, () => open(port)));
    await Promise.all(halfOpen.map((s) => s.waitClosed()));
    await expectBlocked(port);

    // Still blocked just before 10 s …
    await new Promise((r) => setTimeout(r, Math.max(0, blockedAt + 9_300 - Date.now())));
    await expectBlocked(port);
    // … and the right password works once they are over.
    await new Promise((r) => setTimeout(r, Math.max(0, blockedAt + 10_200 - Date.now())));
    expect((await tryPassword(port, PASSWORD)).result).toBe(0);

    // Refused connections are counted (as events) but logged once per block, not per attempt.
    expect(refusals.filter((r) => r.startsWith('127.0.0.1 Too many security failures')).length).toBeGreaterThanOrEqual(3);
    const blockLines = logs.filter((l) => String(l['msg']).startsWith('refusing connections from 127.0.0.1'));
    expect(blockLines.length).toBeGreaterThanOrEqual(1);
    expect(blockLines.length).toBeLessThanOrEqual(2); // the block, and at most the rate limit's own line
    expect(logs.filter((l) => String(l['msg']).startsWith('blocking 127.0.0.1 for 10 s'))).toHaveLength(1);
    // The password never reaches the log.
    expect(JSON.stringify(logs)).not.toContain(PASSWORD);
  }, 20_000);

  it('counts a handshake abandoned after the challenge as a failure, so reconnecting does not dodge the count', async () => {
    const { port } = await serve();
    for (let i = 0; i < 5; i++) {
      const c = await open(port, '127.0.0.4');
      await c.read(12);
      c.write('RFB 003.008\n');
      await c.read(2);
      c.write(Buffer.from([2]));
      await c.read(16); // the challenge: now leave without answering
      c.destroy();
      await c.waitClosed();
    }
    await new Promise((r) => setTimeout(r, 100)); // the server sees the last close
    await expectBlocked(port, '127.0.0.4');
  });

  it('forgets the failures of an address that then authenticates', async () => {
    const { port } = await serve();
    for (let i = 0; i < 4; i++) expect((await tryPassword(port, 'wrong!!', '127.0.0.5')).result).toBe(1);
    expect((await tryPassword(port, PASSWORD, '127.0.0.5')).result).toBe(0);
    for (let i = 0; i < 4; i++) expect((await tryPassword(port, 'wrong!!', '127.0.0.5')).result).toBe(1);
    expect((await tryPassword(port, PASSWORD, '127.0.0.5')).result).toBe(0); // 8 wrong in all, never 5 in a row
  });
});

describe('connections still in their handshake', () => {
  it('150 silent sockets from one address, reopened as they close, do not keep a viewer from another address out', async () => {
    const { server, port } = await serve({ password: null, maxConnections: 10 });
    let stop = false;
    let opened = 0;
    const MAX_OPENS = 5000;
    // The attacker: 150 sockets that say nothing, each reopened as soon as the server drops it.
    const hold = async (): Promise<void> => {
      while (!stop && opened < MAX_OPENS) {
        opened++;
        const s = await open(port, '127.0.0.2').catch(() => null);
        if (!s) continue;
        await s.waitClosed(20_000).catch(() => undefined);
      }
    };
    const attackers = Array.from({ length: 150 }, () => hold());
    try {
      await new Promise((r) => setTimeout(r, 500)); // the attack is in full swing
      const started = Date.now();
      const v = await TestViewer.connect(port, true, '127.0.0.1');
      sockets.push(v.sock);
      expect(Date.now() - started).toBeLessThan(2000);
      v.setEncodings([0]);
      v.request(false);
      const update = await v.next(2000);
      expect(update.type).toBe(0); // a FramebufferUpdate
      expect(server.clients).toHaveLength(1);
      expect(server.pendingHandshakes).toBeLessThanOrEqual(64);
      expect(opened).toBeGreaterThan(150); // sockets were dropped and reopened: the attack ran
    } finally {
      stop = true;
      for (const s of sockets) if (s.socket.localAddress === '127.0.0.2') s.destroy();
      await Promise.all(attackers);
    }
  }, 30_000);
});
