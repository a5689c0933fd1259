import { execFileSync } from 'node:child_process';

/**
 * What TigerVNC's `vncpasswd -f` (Debian's tigervnc-tools) writes for these
 * lines on stdin: the password, then the view-only one.
 */
export function tigerVncpasswd(...lines: Array<string | Buffer>): Buffer {
  const input = Buffer.concat(lines.flatMap((l) => [typeof l === 'string' ? Buffer.from(l, 'latin1') : l, Buffer.from('\n')]));
  return execFileSync('vncpasswd', ['-f'], { input, timeout: 5000 });
}
