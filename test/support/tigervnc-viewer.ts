/**
 * TigerVNC's viewer (vncviewer 1.12), driven without a person: the VNC
 * password from an obfuscated -passwd file, the Plain user name and password
 * from VNC_USERNAME / VNC_PASSWORD (what its getUserPasswd reads before it
 * would open a dialog), the server's certificate as -X509CA. Runs on an
 * Xvfb display; its log goes to stderr and is kept for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import des from 'des.js';

/**
 * vncpasswd's file: the password (8 bytes, zero-padded) DES-encrypted under a
 * fixed key, in VNC's mirrored-key form (d3des' bit order), as the RFB
 * community documents it; vncviewer rejects a wrong one with an auth failure.
 */
export function obfuscatedPassword(password: string): Buffer {
  const fixed = [23, 82, 107, 6, 35, 78, 88, 7];
  const key = Buffer.from(fixed.map((b) => parseInt(b.toString(2).padStart(8, '0').split('').reverse().join(''), 2)));
  const block = Buffer.alloc(8);
  Buffer.from(password, 'latin1').copy(block, 0, 0, 8);
  return Buffer.from(des.DES.create({ type: 'encrypt', key, padding: false }).update(block));
}

export interface TigerViewerOptions {
  display: string;
  port: number;
  /** The -SecurityTypes list, e.g. "X509Vnc". */
  securityTypes: string;
  caFile?: string;
  /** A file written with obfuscatedPassword(). */
  passwordFile?: string;
  user?: string;
  password?: string;
}

export interface TigerViewer {
  readonly child: ChildProcess;
  log(): string;
  /** End it by its PID and wait (bounded) for it to go. */
  stop(): Promise<void>;
}

export async function writePasswordFile(path: string, password: string): Promise<void> {
  await writeFile(path, obfuscatedPassword(password), { mode: 0o600 });
}

export function startTigerViewer(o: TigerViewerOptions): TigerViewer {
  const args = ['-SecurityTypes', o.securityTypes, '-Log', '*:stderr:100', '-AlertOnFatalError=0', '-ReconnectOnError=0'];
  if (o.caFile) args.push('-X509CA', o.caFile);
  if (o.passwordFile) args.push('-passwd', o.passwordFile);
  args.push(`127.0.0.1::${o.port}`);
  const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: o.display };
  delete env['VNC_USERNAME'];
  delete env['VNC_PASSWORD'];
  if (o.user !== undefined) env['VNC_USERNAME'] = o.user;
  if (o.password !== undefined) env['VNC_PASSWORD'] = o.password;
  const child = spawn('vncviewer', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}
