import { generateKeyPair, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { getLogger } from '../base/logger.js';
import { publicKeyMessage, rsaFingerprint, rsaFingerprintSha256 } from '../rfb/security/rsa-aes-keys.js';

/**
 * The server's RSA key for the RSA-AES security types. It is the server's
 * identity: viewers show its fingerprint the first time and warn when it
 * changes, so it is made once (2048 bits, on first use, not at every start)
 * and kept in a file only its owner can read. A file that is there but cannot
 * be used is an error to fix, never a reason to make a new key silently: that
 * would look exactly like someone impersonating the server.
 */

const log = getLogger('rsa-key');

export const RSA_KEY_FILE = 'rsa-key.pem';
const KEY_BITS = 2048;
/** A PEM RSA key of 8192 bits is about 6.4 KB; anything far bigger is not a key. */
const MAX_FILE_BYTES = 64 * 1024;

export interface RsaServerKey {
  /** The private key, PKCS#8 PEM (what SecurityKeys.rsa() returns). */
  readonly pem: string;
  readonly path: string;
  /** Whether this call made the key (the first use). */
  readonly created: boolean;
  /**
   * The fingerprint as viewers show it: the first 8 bytes of SHA-1 over the
   * key as RSA-AES sends it (U32 bits, modulus, exponent), as hex pairs
   * joined by '-' — what noVNC's "Server identity" dialog and TigerVNC's
   * viewer display, so a user can compare the two by eye.
   */
  readonly fingerprint: string;
  /** SHA-256 over the same bytes, 32 hex pairs joined by ':' (for the log and for pinning). */
  readonly sha256: string;
}

/** The key file exists but is unusable: the message says which file, what is wrong and what to do. */
export class RsaKeyFileError extends Error {
  override readonly name = 'RsaKeyFileError';
}

function describe(pem: string, path: string, created: boolean): RsaServerKey {
  const message = publicKeyMessage(pem);
  return { pem, path, created, fingerprint: rsaFingerprint(message), sha256: rsaFingerprintSha256(message) };
}

async function readKey(path: string): Promise<RsaServerKey | null> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RsaKeyFileError(`cannot read the RSA key file ${path}: ${(e as Error).message}`);
  }
  let text: string;
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new RsaKeyFileError(`the RSA key file ${path} is not a regular file`);
    if (st.size > MAX_FILE_BYTES) throw new RsaKeyFileError(`the RSA key file ${path} is ${st.size} bytes, far too big for a key: it is damaged or not a key`);
    if ((st.mode & 0o077) !== 0) {
      log.warn({ path, mode: (st.mode & 0o777).toString(8) }, 'the RSA key file can be read by others than its owner; chmod 600 it');
    }
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  try {
    return describe(text, path, false);
  } catch (e) {
    throw new RsaKeyFileError(
      `the RSA key file ${path} is damaged or not a usable RSA private key (${(e as Error).message}). ` +
        'Restore it from a backup, or move it away to make a new key: viewers that trusted the old one will then warn that the server changed.',
    );
  }
}

function generatePem(): Promise<string> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: KEY_BITS, publicExponent: 0x10001 }, (err, _pub, priv) => {
      if (err) reject(err);
      else resolve(priv.export({ type: 'pkcs8', format: 'pem' }).toString());
    });
  });
}

/**
 * Make the key and put it in place without ever overwriting one: written to
 * a temporary file (0600, flushed), then hard-linked to its name, which fails
 * if another process got there first — then that key is the one.
 */
async function createKey(dir: string, path: string): Promise<RsaServerKey> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const pem = await generatePem();
  const tmp = join(dir, `.${RSA_KEY_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(pem);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.link(tmp, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const theirs = await readKey(path);
      if (theirs) return theirs;
      throw e;
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
  const key = describe(pem, path, true);
  log.info({ path, fingerprint: key.fingerprint, sha256: key.sha256 }, 'made the server RSA key for RSA-AES');
  return key;
}

/**
 * The server's RSA key in `dir` (the app passes $XDG_CONFIG_HOME/trayvnc):
 * read from `dir/rsa-key.pem`, or made there on first use. Concurrent calls
 * share one load. A failed load is not remembered, so fixing the file and
 * connecting again works without a restart.
 */
export class RsaKeyStore {
  readonly path: string;
  private loading: Promise<RsaServerKey> | null = null;

  constructor(private readonly dir: string) {
    this.path = join(dir, RSA_KEY_FILE);
  }

  get(): Promise<RsaServerKey> {
    if (!this.loading) {
      const p = (async () => (await readKey(this.path)) ?? createKey(this.dir, this.path))();
      this.loading = p;
      p.catch(() => {
        if (this.loading === p) this.loading = null;
      });
    }
    return this.loading;
  }

  /** The PEM, for SecurityKeys.rsa(). */
  async privateKeyPem(): Promise<string> {
    return (await this.get()).pem;
  }
}
