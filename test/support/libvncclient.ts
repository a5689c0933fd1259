/**
 * Test harness around the libvncclient-based reference client (vncclient/refclient.c).
 *
 *   const bin = await buildRefClient();            // optional, startRefClient builds on demand
 *   const c = await startRefClient({ host, port, format: 'rgb565be', encodings: ['hextile'] });
 *   await c.waitConnected();
 *   await c.waitUpdates(1, 5000);
 *   const { width, height, bpp, data } = await c.dump();   // bpp = BYTES per pixel
 *   await c.close();
 *
 * Every wait is bounded; timeouts and failures raise errors that include the client's stderr.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import type { PixelFormatName } from './pixel-expect.js';

const execFileAsync = promisify(execFile);

const SUPPORT_DIR = dirname(fileURLToPath(import.meta.url));
const SOURCE_PATH = join(SUPPORT_DIR, 'vncclient', 'refclient.c');
const REPO_ROOT = join(SUPPORT_DIR, '..', '..');
const CACHE_ROOT = join(REPO_ROOT, 'node_modules', '.cache', 'trayvnc-refclient');

/** Encoding names accepted by libvncclient 0.9.14's encodingsString (refclient rejects others). */
export type RefEncoding =
  | 'raw'
  | 'copyrect'
  | 'tight'
  | 'hextile'
  | 'zlib'
  | 'zlibhex'
  | 'trle'
  | 'zrle'
  | 'zywrle'
  | 'ultra'
  | 'corre'
  | 'rre';

let buildPromise: Promise<string> | undefined;

/**
 * Compile refclient.c against libvncclient (pkg-config) into
 * node_modules/.cache/trayvnc-refclient/<hash>/refclient, reusing a previous build when the
 * source and the compiler flags are unchanged. Returns the binary's path.
 */
export function buildRefClient(): Promise<string> {
  buildPromise ??= doBuild().catch((err: unknown) => {
    buildPromise = undefined; // allow a retry after e.g. installing the -dev package
    throw err;
  });
  return buildPromise;
}

async function doBuild(): Promise<string> {
  const source = await readFile(SOURCE_PATH);
  let flags: string;
  try {
    flags = (await execFileAsync('pkg-config', ['--cflags', '--libs', 'libvncclient'])).stdout.trim();
  } catch (err) {
    throw new Error(`pkg-config libvncclient failed (is libvncserver-dev installed?): ${String(err)}`);
  }
  const cflags = ['-std=c11', '-O2', '-Wall', '-Wextra'];
  const hash = createHash('sha256')
    .update(source)
    .update('\0')
    .update(flags)
    .update('\0')
    .update(cflags.join(' '))
    .digest('hex')
    .slice(0, 16);
  const dir = join(CACHE_ROOT, hash);
  const bin = join(dir, 'refclient');
  if (existsSync(bin)) return bin;

  await mkdir(dir, { recursive: true });
  // Compile to a unique name and rename: concurrent builders never see a partial binary.
  const tmp = `${bin}.${process.pid}.${Date.now()}.tmp`;
  const args = [...cflags, '-o', tmp, SOURCE_PATH, ...flags.split(/\s+/).filter((s) => s.length > 0)];
  try {
    await execFileAsync('cc', args, { timeout: 120_000 });
  } catch (err) {
    const e = err as { stderr?: string; message?: string };
    await rm(tmp, { force: true });
    throw new Error(`compiling refclient failed: cc ${args.join(' ')}\n${e.stderr ?? e.message ?? String(err)}`);
  }
  await rename(tmp, bin);
  return bin;
}

export interface RefClientOptions {
  host: string;
  port: number;
  format: PixelFormatName;
  /** encodings in preference order, e.g. ['zrle', 'hextile'] or 'zrle hextile' */
  encodings: readonly RefEncoding[] | string;
  /** VNC password, or the Plain password with `user`; written to a private temporary file for the client */
  password?: string;
  /** User name for VeNCrypt's Plain subtypes (TLSPlain, X509Plain) */
  user?: string;
  /** CA certificate file the server's certificate must chain to (VeNCrypt's X509 subtypes) */
  caFile?: string;
  /** Wait on host:port for the server to connect (a reverse connection) instead of connecting */
  listen?: boolean;
  /** JPEG quality level (0–9) to ask for with Tight; omitted, none is asked for and Tight stays lossless */
  quality?: number;
  /** ClientInit shared flag, default true */
  shared?: boolean;
  /** default timeout for waits without an explicit one (ms), default 10000 */
  defaultTimeoutMs?: number;
}

export interface RefClientConnection {
  width: number;
  height: number;
  name: string;
}

export interface RefClientRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface RefClientUpdate {
  /** 1-based sequence number of the completed FramebufferUpdate */
  n: number;
  /** number of decoded rectangles (pseudo-encodings such as DesktopSize excluded) */
  rectCount: number;
  /** at most the first 32 rectangles */
  rects: RefClientRect[];
}

export interface RefClientDump {
  width: number;
  height: number;
  /** BYTES per pixel (1, 2 or 4) */
  bpp: number;
  /** width * height * bpp bytes, row-major, pixels exactly as sent on the wire */
  data: Buffer;
}

export interface RefClient {
  readonly pid: number;
  /** number of FramebufferUpdate messages completely processed so far */
  readonly updateCount: number;
  readonly updates: readonly RefClientUpdate[];
  /** current framebuffer size as known from CONNECTED/RESIZE lines */
  readonly width: number;
  readonly height: number;
  /** everything the client wrote to stderr (libvncclient log), possibly truncated at the front */
  readonly stderr: string;
  readonly exited: boolean;
  readonly exitCode: number | null;
  /** the client's fatal ERROR line text, if any */
  readonly error: string | undefined;
  waitConnected(timeoutMs?: number): Promise<RefClientConnection>;
  /** resolves when at least n updates have completed in total since connecting */
  waitUpdates(n: number, timeoutMs?: number): Promise<RefClientUpdate>;
  /** resolves when the client process has exited (e.g. the server closed the connection) */
  waitExit(timeoutMs?: number): Promise<number | null>;
  dump(timeoutMs?: number): Promise<RefClientDump>;
  /** send a non-incremental FramebufferUpdateRequest for the whole framebuffer */
  requestFull(timeoutMs?: number): Promise<void>;
  pointer(x: number, y: number, buttonMask: number, timeoutMs?: number): Promise<void>;
  key(keysym: number, down: boolean, timeoutMs?: number): Promise<void>;
  /** ask the client to quit, then kill its process (only its own PID) if it does not exit */
  close(): Promise<void>;
}

const STDERR_LIMIT = 64 * 1024;

interface Waiter {
  check: () => boolean;
  reject: (err: Error) => void;
}

interface PendingCommand {
  resolve: (reply: string) => void;
  reject: (err: Error) => void;
}

class RefClientImpl implements RefClient {
  private readonly child: ChildProcess;
  private readonly workDir: string;
  private readonly defaultTimeoutMs: number;
  private readonly description: string;
  private stderrBuf = '';
  private stderrDropped = false;
  private connection: RefClientConnection | undefined;
  private readonly updateList: RefClientUpdate[] = [];
  private curWidth = 0;
  private curHeight = 0;
  private fatalError: string | undefined;
  private hasExited = false;
  private code: number | null = null;
  private waiters = new Set<Waiter>();
  private readonly pending: PendingCommand[] = [];
  private dumpSeq = 0;
  private closing = false;

  constructor(child: ChildProcess, workDir: string, defaultTimeoutMs: number, description: string) {
    this.child = child;
    this.workDir = workDir;
    this.defaultTimeoutMs = defaultTimeoutMs;
    this.description = description;

    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrBuf += chunk;
      if (this.stderrBuf.length > STDERR_LIMIT) {
        this.stderrBuf = this.stderrBuf.slice(this.stderrBuf.length - STDERR_LIMIT);
        this.stderrDropped = true;
      }
    });
    if (child.stdout) {
      const rl = createInterface({ input: child.stdout, crlfDelay: Infinity });
      rl.on('line', (line) => this.onLine(line));
    }
    // stdin errors (EPIPE after the client died) surface through the exit handling instead.
    child.stdin?.on('error', () => undefined);
    child.on('error', (err) => {
      this.fatalError ??= `spawn error: ${err.message}`;
      this.markExited(null);
    });
    child.on('exit', (code, signal) => {
      this.markExited(code ?? (signal ? -1 : null));
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }
  get updateCount(): number {
    return this.updateList.length;
  }
  get updates(): readonly RefClientUpdate[] {
    return this.updateList;
  }
  get width(): number {
    return this.curWidth;
  }
  get height(): number {
    return this.curHeight;
  }
  get stderr(): string {
    return (this.stderrDropped ? '[...truncated...]\n' : '') + this.stderrBuf;
  }
  get exited(): boolean {
    return this.hasExited;
  }
  get exitCode(): number | null {
    return this.code;
  }
  get error(): string | undefined {
    return this.fatalError;
  }

  private markExited(code: number | null): void {
    if (this.hasExited) return;
    this.hasExited = true;
    this.code = code;
    const err = this.makeError(`refclient exited (code ${String(code)})`);
    for (const p of this.pending.splice(0)) p.reject(err);
    this.poke();
  }

  private onLine(line: string): void {
    const sp = line.indexOf(' ');
    const tag = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? '' : line.slice(sp + 1);
    switch (tag) {
      case 'CONNECTED': {
        const m = /^(\d+) (\d+) ?(.*)$/.exec(rest);
        if (m) {
          this.connection = { width: Number(m[1]), height: Number(m[2]), name: m[3] ?? '' };
          this.curWidth = this.connection.width;
          this.curHeight = this.connection.height;
        }
        break;
      }
      case 'RESIZE': {
        const [w, h] = rest.split(' ').map(Number);
        this.curWidth = w ?? 0;
        this.curHeight = h ?? 0;
        break;
      }
      case 'UPDATE': {
        const fields = rest.split(' ');
        const rects: RefClientRect[] = [];
        for (const f of fields.slice(2)) {
          const m = /^(\d+),(\d+),(\d+)x(\d+)$/.exec(f);
          if (m) rects.push({ x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) });
        }
        this.updateList.push({ n: Number(fields[0]), rectCount: Number(fields[1]), rects });
        break;
      }
      case 'ERROR':
        this.fatalError = rest;
        break;
      case 'DUMPED':
      case 'REQUESTED':
      case 'OK':
      case 'CMDERROR': {
        const p = this.pending.shift();
        if (p) {
          if (tag === 'CMDERROR') p.reject(this.makeError(`refclient command failed: ${rest}`));
          else p.resolve(line);
        }
        break;
      }
      default:
        // Unknown lines are kept with the diagnostics.
        this.stderrBuf += `[stdout] ${line}\n`;
    }
    this.poke();
  }

  private poke(): void {
    for (const w of [...this.waiters]) {
      if (w.check()) this.waiters.delete(w);
    }
  }

  private makeError(message: string): Error {
    const parts = [`${message} [${this.description}, pid ${this.pid}]`];
    if (this.fatalError !== undefined) parts.push(`client error: ${this.fatalError}`);
    if (this.hasExited) parts.push(`exit code: ${String(this.code)}`);
    const err = this.stderr.trim();
    parts.push(err ? `client stderr:\n${err}` : 'client stderr: (empty)');
    return new Error(parts.join('\n'));
  }

  /** Wait until `ready()` returns a value; fail early when the process is gone. */
  private waitFor<T>(what: string, timeoutMs: number, ready: () => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        check: () => {
          const v = ready();
          if (v !== undefined) {
            clearTimeout(timer);
            resolve(v);
            return true;
          }
          if (this.hasExited) {
            clearTimeout(timer);
            reject(this.makeError(`refclient exited while waiting for ${what}`));
            return true;
          }
          return false;
        },
        reject,
      };
      if (waiter.check()) return;
      timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(this.makeError(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  waitConnected(timeoutMs = this.defaultTimeoutMs): Promise<RefClientConnection> {
    return this.waitFor('CONNECTED', timeoutMs, () => this.connection);
  }

  waitUpdates(n: number, timeoutMs = this.defaultTimeoutMs): Promise<RefClientUpdate> {
    if (!Number.isInteger(n) || n < 1) return Promise.reject(new Error(`waitUpdates: n must be >= 1, got ${n}`));
    return this.waitFor(`${n} framebuffer update(s) (have ${this.updateList.length})`, timeoutMs, () =>
      this.updateList.length >= n ? this.updateList[n - 1] : undefined,
    );
  }

  waitExit(timeoutMs = this.defaultTimeoutMs): Promise<number | null> {
    return this.waitFor('process exit', timeoutMs, () => (this.hasExited ? { code: this.code } : undefined)).then(
      (r) => r.code,
    );
  }

  private command(cmd: string, what: string, timeoutMs: number): Promise<string> {
    if (this.hasExited) return Promise.reject(this.makeError(`cannot send "${what}": refclient has exited`));
    if (this.connection === undefined) {
      return Promise.reject(this.makeError(`cannot send "${what}" before CONNECTED (call waitConnected first)`));
    }
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The reply may still come later; keep the queue aligned by leaving a no-op in place.
        entry.resolve = () => undefined;
        entry.reject = () => undefined;
        reject(this.makeError(`timed out after ${timeoutMs} ms waiting for the reply to "${what}"`));
      }, timeoutMs);
      const entry: PendingCommand = {
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.pending.push(entry);
      this.child.stdin?.write(cmd + '\n');
    });
  }

  async dump(timeoutMs = this.defaultTimeoutMs): Promise<RefClientDump> {
    const path = join(this.workDir, `fb-${++this.dumpSeq}.bin`);
    const reply = await this.command(`dump ${path}`, 'dump', timeoutMs);
    const m = /^DUMPED (\d+) (\d+) (\d+)$/.exec(reply);
    if (!m) throw this.makeError(`unexpected dump reply: ${reply}`);
    const width = Number(m[1]);
    const height = Number(m[2]);
    const bpp = Number(m[3]);
    const data = await readFile(path);
    await rm(path, { force: true });
    if (data.length !== width * height * bpp) {
      throw this.makeError(`dump has ${data.length} bytes, expected ${width}x${height}x${bpp}`);
    }
    return { width, height, bpp, data };
  }

  async requestFull(timeoutMs = this.defaultTimeoutMs): Promise<void> {
    await this.command('request full', 'request full', timeoutMs);
  }

  async pointer(x: number, y: number, buttonMask: number, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    await this.command(`pointer ${x | 0} ${y | 0} ${buttonMask | 0}`, 'pointer', timeoutMs);
  }

  async key(keysym: number, down: boolean, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    await this.command(`key ${keysym >>> 0} ${down ? 1 : 0}`, 'key', timeoutMs);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    try {
      if (!this.hasExited) {
        this.child.stdin?.write('quit\n');
        this.child.stdin?.end();
        try {
          await this.waitExit(2000);
        } catch {
          // Only our own child: SIGKILL by PID via the ChildProcess handle.
          this.child.kill('SIGKILL');
          await this.waitExit(2000).catch(() => undefined);
        }
      }
    } finally {
      for (const w of [...this.waiters]) {
        this.waiters.delete(w);
        w.reject(this.makeError('refclient closed'));
      }
      await rm(this.workDir, { recursive: true, force: true });
    }
  }
}

/** Start the reference client. Resolves once the process is spawned (not yet connected). */
export async function startRefClient(opts: RefClientOptions): Promise<RefClient> {
  const bin = await buildRefClient();
  const encodings = typeof opts.encodings === 'string' ? opts.encodings.trim() : opts.encodings.join(' ');
  if (encodings.length === 0) throw new Error('startRefClient: encodings must not be empty');
  const workDir = await mkdtemp(join(tmpdir(), 'trayvnc-refclient-'));
  const args = [`${opts.host}:${opts.port}`, '--format', opts.format, '--encodings', encodings];
  if (opts.password !== undefined) {
    const pwFile = join(workDir, 'password');
    await writeFile(pwFile, opts.password + '\n', { mode: 0o600 });
    await chmod(pwFile, 0o600);
    args.push('--password-file', pwFile);
  }
  if (opts.user !== undefined) args.push('--user', opts.user);
  if (opts.caFile !== undefined) args.push('--ca-file', opts.caFile);
  if (opts.shared !== undefined) args.push('--shared', opts.shared ? '1' : '0');
  if (opts.listen) args.push('--listen');
  if (opts.quality !== undefined) args.push('--quality', String(opts.quality));
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const description = `${opts.host}:${opts.port} ${opts.format} [${encodings}]`;
  return new RefClientImpl(child, workDir, opts.defaultTimeoutMs ?? 10_000, description);
}
