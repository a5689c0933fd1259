import { constants, generateKeyPairSync, publicEncrypt, randomBytes, createPublicKey, createPrivateKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../../src/main/rfb/errors.js';
import { RA2, RA2NE, RA2NE_256, RA2_256, RSA_AES_TYPES } from '../../../../src/main/rfb/security/rsa-aes.js';
import { decryptRandom, publicKeyMessage, rsaFingerprint, rsaFingerprintSha256 } from '../../../../src/main/rfb/security/rsa-aes-keys.js';
import type { Access, AuthOutcome, Credentials, SecurityType } from '../../../../src/main/rfb/security/security-type.js';
import { ByteQueue, runNoVncRa2ne, runProtocolClient, type ProtocolClientOptions } from '../../../support/rsa-aes-client.js';
import { SecurityPipe } from '../../../support/security-pipe.js';
import type { Ra2Event } from '../../../support/novnc-ra2.js';

/**
 * The four RSA-AES types against independent clients: noVNC's own RA2ne code
 * (core/ra2.js), and a client written in the test from the registry's text
 * on noVNC's RSA and AES-EAX for the types noVNC does not speak.
 */

let PEM = '';
let SERVER_KEY: Buffer = Buffer.alloc(0);

beforeAll(() => {
  PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  SERVER_KEY = publicKeyMessage(PEM);
});

interface FakeCredentials extends Credentials {
  readonly userChecks: string[];
}

function credentials(opts: { full?: string; view?: string; users?: Record<string, { password: string; access: Access }> }): FakeCredentials {
  const userChecks: string[] = [];
  return {
    userChecks,
    hasVncPassword: opts.full !== undefined,
    hasUsers: opts.users !== undefined,
    checkVncResponse: () => null,
    checkUser: async (user, password) => {
      userChecks.push(user);
      const u = opts.users?.[user];
      return u && u.password === password ? u.access : null;
    },
    checkPassword: (password) => (password === opts.full ? 'full' : opts.view !== undefined && password === opts.view ? 'view-only' : null),
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, fail) => setTimeout(() => fail(new Error(`timed out: ${what}`)), ms).unref())]);
}

/** A server running `type` on a pipe, and the client's ends. Bytes cross on the next tick, like a network. */
function start(type: SecurityType, creds: Credentials) {
  const q = new ByteQueue();
  const pipe = new SecurityPipe((d) => setImmediate(() => q.push(d)));
  const send = (b: Buffer): void => void setImmediate(() => pipe.deliver(b));
  const server = type.authenticate({ io: pipe, credentials: creds, keys: { rsa: async () => PEM, tls: () => Promise.reject(new Error('no TLS')) } });
  // When the server gives up, the connection closes: the client must not wait for ever.
  const settled = server.then(
    (o) => o,
    (e: unknown) => {
      q.close();
      throw e;
    },
  );
  return { q, pipe, send, server: withTimeout(settled, 20_000, `${type.name} server`) };
}

/** noVNC's UI fingerprint (app/ui.js serverVerify): SHA-1 of the key message, first 8 bytes, hex pairs joined by '-'. */
async function noVncUiFingerprint(publickey: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', publickey));
  return Array.from(digest.slice(0, 8))
    .map((x) => x.toString(16).padStart(2, '0'))
    .join('-');
}

describe("noVNC's RA2ne client (core/ra2.js)", () => {
  it.each([
    { password: 'correct horse', access: 'full' },
    { password: 'look only', access: 'view-only' },
  ] as const)('logs in with the $access password; SecurityResult after it is plain; the key it shows is ours', async ({ password, access }) => {
    const { q, pipe, send, server } = start(RA2NE, credentials({ full: 'correct horse', view: 'look only' }));
    const events: Ra2Event[] = [];
    await withTimeout(
      runNoVncRa2ne(q, send, { password }, (e, go) => {
        events.push(e);
        go();
      }),
      20_000,
      'noVNC',
    );
    expect(await server).toEqual({ ok: true, access });
    expect(events.map((e) => e.type)).toEqual(['serververification']);
    const shown = Buffer.from(events[0]!.detail.publickey!);
    expect(shown.equals(SERVER_KEY)).toBe(true);
    expect(await noVncUiFingerprint(shown)).toBe(rsaFingerprint(SERVER_KEY));

    // RA2ne: the cipher never reaches the connection; the runner's SecurityResult goes out as it is.
    expect(pipe.cipher).toBeNull();
    pipe.write(Buffer.from([0, 0, 0, 0]));
    await withTimeout(q.read(4), 2000, 'SecurityResult').then((b) => expect([...b]).toEqual([0, 0, 0, 0]));
    expect(pipe.unread).toBe(0);
  });

  it('a wrong password is refused without saying which part was wrong', async () => {
    const { q, send, server } = start(RA2NE, credentials({ full: 'correct horse' }));
    await withTimeout(runNoVncRa2ne(q, send, { password: 'correct hors' }, (_e, go) => go()), 20_000, 'noVNC');
    expect(await server).toEqual({ ok: false, reason: 'authentication failed' });
  });

  it('with users configured it asks for a user name too, and checks the pair', async () => {
    const creds = credentials({ full: 'vncpass', users: { 'zoë': { password: 'pässword', access: 'view-only' } } });
    const { q, send, server } = start(RA2NE, creds);
    const asked: unknown[] = [];
    const given: { username?: string; password?: string } = {};
    await withTimeout(
      runNoVncRa2ne(q, send, given, (e, go) => {
        if (e.type === 'credentialsrequired') {
          asked.push(e.detail.types);
          given.username = 'zoë';
          given.password = 'pässword';
        }
        go();
      }),
      20_000,
      'noVNC',
    );
    expect(asked).toEqual([['username', 'password']]);
    expect(await server).toEqual({ ok: true, access: 'view-only', user: 'zoë' });
    expect(creds.userChecks).toEqual(['zoë']);
  });
});

describe('the four types against a client written from the registry text', () => {
  for (const type of [RA2, RA2NE, RA2_256, RA2NE_256]) {
    const whole = type === RA2 || type === RA2_256;
    it(`${type.name} (${type.id}): logs in; ${whole ? 'SecurityResult and what follows are records' : 'SecurityResult and what follows are plain'}`, async () => {
      const { q, pipe, send, server } = start(type, credentials({ full: 's3cret' }));
      const client = await withTimeout(runProtocolClient(q, send, { type: type.id, password: 's3cret' }), 20_000, 'client');
      expect(client.subtype).toBe(2);
      expect(client.serverKey.equals(SERVER_KEY)).toBe(true);
      expect(await server).toEqual({ ok: true, access: 'full' });
      expect(type.encrypts).toBe(whole);

      pipe.write(Buffer.from([0, 0, 0, 0])); // SecurityResult, as the runner sends it
      if (whole) {
        expect(pipe.cipher).not.toBeNull();
        expect([...(await withTimeout(client.fromServer.readRecord(q), 2000, 'record'))]).toEqual([0, 0, 0, 0]);
        // ClientInit from the client, sealed with the counter where the credentials left it; the server reads it plain.
        send(await client.toServer.seal(Buffer.from([1])));
        expect([...(await withTimeout(pipe.read(1), 2000, 'ClientInit'))]).toEqual([1]);
      } else {
        expect(pipe.cipher).toBeNull();
        expect([...(await withTimeout(q.read(4), 2000, 'SecurityResult'))]).toEqual([0, 0, 0, 0]);
        send(Buffer.from([1]));
        expect([...(await withTimeout(pipe.read(1), 2000, 'ClientInit'))]).toEqual([1]);
      }
    });
  }

  it('offers itself only when there is something to check, strongest first', () => {
    expect(RSA_AES_TYPES.map((t) => t.id)).toEqual([129, 5, 130, 6]);
    expect(RA2.usable(credentials({}))).toBe(false);
    expect(RA2.usable(credentials({ full: 'x' }))).toBe(true);
    expect(RA2.usable(credentials({ users: {} }))).toBe(true);
  });
});

describe('bad input from the network: a clear refusal, never a crash or a hang', () => {
  /** The server's key arrives; then `bytes` from the client, then the connection ends. */
  async function refusal(type: SecurityType, bytes: Buffer): Promise<{ error: unknown; reads: number[] }> {
    const { q, pipe, send, server } = start(type, credentials({ full: 'pw' }));
    await q.read(SERVER_KEY.length);
    send(bytes);
    setTimeout(() => pipe.end(), 200).unref();
    const error = await server.then(
      () => null,
      (e: unknown) => e,
    );
    return { error, reads: pipe.reads };
  }

  function clientKey(bits: number, n: Buffer, e: Buffer): Buffer {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(bits);
    return Buffer.concat([head, n, e]);
  }

  it.each([0, 1, 512, 1023, 8193, 65536, 0xffffffff])('a client key of %i bits is refused after its 4-byte length, before anything else is read', async (bits) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(bits);
    const { error, reads } = await refusal(RA2NE, Buffer.concat([head, randomBytes(64)]));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(bits < 1024 ? /too short/ : /too long/);
    expect(reads).toEqual([4]);
  });

  it('a client key that is cut short ends with the connection, not a hang', async () => {
    const { error } = await refusal(RA2, clientKey(2048, randomBytes(256), Buffer.alloc(0)));
    expect((error as Error).message).toBe('connection closed');
  });

  it('a message cut short in the middle of every step ends with the connection', async () => {
    for (const cut of [1, 3, 5, 300]) {
      const { error } = await refusal(RA2_256, clientKey(2048, randomBytes(256), randomBytes(256)).subarray(0, cut));
      expect((error as Error).message, `cut at ${cut}`).toBe('connection closed');
    }
  });

  it('nonsense keys are refused: even modulus, short modulus, exponent 1, even or enormous exponent', async () => {
    const odd = (b: Buffer): Buffer => ((b[b.length - 1]! |= 1), b);
    const e65537 = Buffer.concat([Buffer.alloc(253), Buffer.from([1, 0, 1])]);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['even modulus', clientKey(2048, Buffer.concat([randomBytes(255), Buffer.from([2])]), e65537), /even/],
      ['modulus of 1000 bits in a 2048-bit key', clientKey(2048, odd(Buffer.concat([Buffer.alloc(131), Buffer.from([0xff]), randomBytes(124)])), e65537), /only 1000 bits/],
      ['exponent 1', clientKey(2048, odd(randomBytes(256)), Buffer.concat([Buffer.alloc(255), Buffer.from([1])])), /exponent/],
      ['even exponent', clientKey(2048, odd(randomBytes(256)), Buffer.concat([Buffer.alloc(253), Buffer.from([1, 0, 0])])), /exponent/],
      ['exponent as big as the modulus', clientKey(2048, odd(randomBytes(256)), odd(randomBytes(256))), /too big/],
    ];
    for (const [what, bytes, message] of cases) {
      const { error } = await refusal(RA2NE, bytes);
      expect(error, what).toBeInstanceOf(ProtocolError);
      expect((error as Error).message, what).toMatch(message);
    }
  });

  /** A full protocol client with one thing wrong; the server's error. */
  async function badClient(type: SecurityType, opts: Partial<ProtocolClientOptions>): Promise<unknown> {
    const { q, send, server } = start(type, credentials({ full: 'pw' }));
    const client = runProtocolClient(q, send, { type: type.id, password: 'pw', ...opts }).catch((e: unknown) => e);
    const error = await server.then(
      () => null,
      (e: unknown) => e,
    );
    await withTimeout(client, 20_000, 'client');
    return error;
  }

  it('an encrypted random of the wrong length is refused before it is read', async () => {
    const error = await badClient(RA2NE, { replaceEncryptedRandom: (size) => randomBytes(size - 1) });
    expect((error as Error).message).toMatch(/encrypted random is 255 bytes, not the 256/);
  });

  it('an encrypted random not below the modulus is refused', async () => {
    const error = await badClient(RA2NE, { replaceEncryptedRandom: (size) => Buffer.alloc(size, 0xff) });
    expect((error as Error).message).toMatch(/not a valid RSA block/);
  });

  it('a random with bad padding is not told apart: the handshake fails later, at the first record', async () => {
    for (const type of [RA2NE, RA2_256]) {
      const error = await badClient(type, {
        // A block that is below the modulus but starts 00 01 (signature padding), encrypted raw.
        replaceEncryptedRandom: (size, n, e) => {
          const em = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(size - 19, 0xff), Buffer.from([0]), randomBytes(16)]);
          const pub = createPublicKey({ format: 'jwk', key: { kty: 'RSA', n: n.toString('base64url'), e: e.subarray(e.findIndex((b) => b !== 0)).toString('base64url') } });
          return publicEncrypt({ key: pub, padding: constants.RSA_NO_PADDING }, em);
        },
      });
      expect(error, type.name).toBeInstanceOf(ProtocolError);
      expect((error as Error).message, type.name).toMatch(/failed its authentication/);
    }
  });

  it('a wrong client hash (the record itself genuine) is refused as a protocol error', async () => {
    const error = await badClient(RA2, { corruptClientHash: true });
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/hash/);
  });

  it('bytes after the credentials in their record are refused (RA2ne must not swallow the session)', async () => {
    const error = await badClient(RA2NE, { extraAfterCredentials: Buffer.from([1]) });
    expect((error as Error).message).toMatch(/more than its credentials/);
  });

  it('a password that is not UTF-8 is a failed login, not an error', async () => {
    const { q, send, server } = start(RA2NE_256, credentials({ full: 'pw' }));
    // The registry says UTF-8; the byte 0xff never occurs in it.
    await withTimeout(runProtocolClient(q, send, { type: 130, password: '', passwordBytes: Buffer.from([0x70, 0xff]) }), 20_000, 'client');
    const outcome: AuthOutcome = await server;
    expect(outcome).toEqual({ ok: false, reason: 'authentication failed' });
  });
});

describe('RSA helpers', () => {
  it('PKCS#1 v1.5 random: the real one from a good block, a random stand-in from a bad one, never an error', () => {
    const key = createPrivateKey(PEM);
    const pub = createPublicKey(key);
    const random = randomBytes(16);
    const good = publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_PADDING }, random);
    expect(decryptRandom(key, 256, good, 16).equals(random)).toBe(true);
    const raw = (em: Buffer): Buffer => publicEncrypt({ key: pub, padding: constants.RSA_NO_PADDING }, em);
    const ps = (n: number): Buffer => Buffer.alloc(n, 0x5a);
    const bad = [
      Buffer.concat([Buffer.from([0, 1]), ps(237), Buffer.from([0]), random]), // block type 1
      Buffer.concat([Buffer.from([0, 2]), ps(236), Buffer.from([0]), random, Buffer.from([7])]), // 17-byte message
      Buffer.concat([Buffer.from([0, 2]), ps(238), Buffer.from([0]), random.subarray(0, 15)]), // 15-byte message
      Buffer.concat([Buffer.from([0, 2]), ps(100), Buffer.from([0]), ps(136), Buffer.from([0]), random]), // zero inside the padding
      Buffer.concat([Buffer.from([0, 2]), ps(238), random]), // no separator
    ];
    for (const [i, em] of bad.entries()) {
      expect(em.length, `case ${i}`).toBe(256);
      const out = decryptRandom(key, 256, raw(em), 16);
      expect(out.length).toBe(16);
      expect(out.equals(random), `case ${i}`).toBe(false);
    }
    // A 32-byte random (the 256 types) from the same key.
    const r32 = randomBytes(32);
    expect(decryptRandom(key, 256, publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_PADDING }, r32), 32).equals(r32)).toBe(true);
  });

  it('fingerprints: 8 SHA-1 bytes joined by "-" (what viewers show), and the full SHA-256 joined by ":"', () => {
    expect(rsaFingerprint(SERVER_KEY)).toMatch(/^[0-9a-f]{2}(-[0-9a-f]{2}){7}$/);
    expect(rsaFingerprintSha256(SERVER_KEY)).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){31}$/);
    // The message itself: U32 2048, then 256 bytes of modulus, 256 of exponent (65537, zero-padded on the left).
    expect(SERVER_KEY.length).toBe(4 + 512);
    expect(SERVER_KEY.readUInt32BE(0)).toBe(2048);
    expect([...SERVER_KEY.subarray(SERVER_KEY.length - 3)]).toEqual([1, 0, 1]);
  });
});
