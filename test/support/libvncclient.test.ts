/**
 * Self-test of the reference-client harness (libvncclient refclient + pixel-expect) against
 * x11vnc on a private Xvfb display. It does not involve our own server at all: it proves that
 * the harness connects, negotiates pixel formats and encodings, dumps the framebuffer in wire
 * byte order and that pixel-expect predicts those bytes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildRefClient, startRefClient, type RefClient, type RefEncoding } from './libvncclient.js';
import {
  diffReport,
  expectedFramebuffer,
  pixelFormat,
  pixelValue,
  scaleChannel,
  solidImage,
  type PixelFormatName,
} from './pixel-expect.js';

const WIDTH = 320;
const HEIGHT = 240;

function haveTool(cmd: string): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0;
}

const TOOLS = ['Xvfb', 'x11vnc', 'xsetroot', 'cc', 'pkg-config'];
const missingTools = TOOLS.filter((t) => !haveTool(t));

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Collects a child's output (bounded) for error messages. */
function captureOutput(child: ChildProcess): () => string {
  let out = '';
  const add = (chunk: Buffer): void => {
    out += chunk.toString('utf8');
    if (out.length > 16_384) out = out.slice(out.length - 16_384);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => out;
}

/** Kill one process we started (by its own PID via the handle) and wait, bounded, for it. */
async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const ok = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
  if (!ok) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(3000)]);
  }
}

function exitedEarly(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

interface Xvfb {
  display: number;
  proc: ChildProcess;
  output: () => string;
}

async function startXvfb(): Promise<Xvfb> {
  const errors: string[] = [];
  for (let display = 150; display < 200; display++) {
    const socket = `/tmp/.X11-unix/X${display}`;
    if (existsSync(socket) || existsSync(`/tmp/.X${display}-lock`)) continue;
    // -noreset: otherwise the server resets (and forgets the root background set by xsetroot)
    // whenever its last client disconnects, e.g. between two x11vnc runs.
    const proc = spawn(
      'Xvfb',
      [`:${display}`, '-screen', '0', `${WIDTH}x${HEIGHT}x24`, '-nolisten', 'tcp', '-noreset'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output = captureOutput(proc);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !existsSync(socket) && !exitedEarly(proc)) await sleep(50);
    if (existsSync(socket) && !exitedEarly(proc)) return { display, proc, output };
    // Lost a race for this display number (or Xvfb is unhappy): try the next one.
    errors.push(`:${display}: ${output().trim().split('\n').slice(-3).join(' | ') || 'no socket'}`);
    await stopProcess(proc);
  }
  throw new Error(`could not start Xvfb on any display 150..199:\n${errors.join('\n')}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * True when something LISTENs on the TCP port. Read from /proc instead of probing with a
 * connection, because x11vnc -once would treat the probe as its one viewer.
 */
function isListening(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] = local "ADDR:PORT", f[3] = state, 0A = LISTEN
      if (f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A') return true;
    }
  }
  return false;
}

interface X11vnc {
  port: number;
  proc: ChildProcess;
  output: () => string;
}

async function startX11vnc(display: number, extraArgs: string[] = []): Promise<X11vnc> {
  const port = await freePort();
  const args = [
    '-display',
    `:${display}`,
    '-rfbport',
    String(port),
    '-localhost',
    '-once',
    '-quiet',
    '-norc',
    // the cursor would otherwise be painted into the framebuffer
    '-nocursor',
    ...(extraArgs.length > 0 ? extraArgs : ['-nopw']),
  ];
  const proc = spawn('x11vnc', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(proc);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && !isListening(port) && !exitedEarly(proc)) await sleep(100);
  if (!isListening(port) || exitedEarly(proc)) {
    await stopProcess(proc);
    throw new Error(`x11vnc did not start listening on port ${port}:\n${output()}`);
  }
  return { port, proc, output };
}

/** root-window tile: 13x7 so it never lines up with 16x16 hextile or 64x64 ZRLE tiles */
const TILE_W = 13;
const TILE_H = 7;
const TILE = [
  '#######......',
  '#.....#..##..',
  '#.###.#.#..#.',
  '#.....#..##..',
  '#######......',
  '.............',
  '..#..#..#..#.',
];
// Colours chosen so that rounding and bit truncation give different 5/6/3/2-bit levels.
const FG = 0xf01080;
const BG = 0x336699;

function tileXbm(): string {
  const bytes: string[] = [];
  for (const row of TILE) {
    for (let bx = 0; bx < Math.ceil(TILE_W / 8); bx++) {
      let v = 0;
      for (let bit = 0; bit < 8; bit++) {
        const x = bx * 8 + bit;
        if (x < TILE_W && row[x] === '#') v |= 1 << bit; // XBM: LSB is the leftmost pixel
      }
      bytes.push('0x' + v.toString(16).padStart(2, '0'));
    }
  }
  return (
    `#define tile_width ${TILE_W}\n#define tile_height ${TILE_H}\n` +
    `static unsigned char tile_bits[] = {\n  ${bytes.join(', ')}\n};\n`
  );
}

function sourceImage(): Uint32Array {
  const img = new Uint32Array(WIDTH * HEIGHT);
  for (let y = 0; y < HEIGHT; y++) {
    const row = TILE[y % TILE_H] ?? '';
    for (let x = 0; x < WIDTH; x++) img[y * WIDTH + x] = row[x % TILE_W] === '#' ? FG : BG;
  }
  return img;
}

describe('pixel-expect', () => {
  it('scales channels with rounding', () => {
    expect(scaleChannel(0, 31)).toBe(0);
    expect(scaleChannel(255, 31)).toBe(31);
    expect(scaleChannel(240, 31)).toBe(29); // 29.18 -> 29 (240 >> 3 would be 30)
    expect(scaleChannel(0x10, 63)).toBe(4); // 3.95 -> 4 (0x10 >> 2 is 4, 0x10*63/255 truncates to 3)
    expect(scaleChannel(0x80, 3)).toBe(2); // 1.51 -> 2
    expect(scaleChannel(0x99, 255)).toBe(0x99);
  });

  it('packs each format in its byte order', () => {
    const c = 0x336699;
    const one = (f: PixelFormatName): string => expectedFramebuffer(solidImage(1, 1, c), 1, 1, f).toString('hex');
    expect(one('rgb888le')).toBe('99663300');
    expect(one('rgb888be')).toBe('00336699');
    expect(one('bgr888le')).toBe('33669900');
    // r 0x33 -> 6, g 0x66 -> 25, b 0x99 -> 19 : (6<<11)|(25<<5)|19 = 0x3333
    expect(pixelValue(c, 'rgb565le')).toBe(0x3333);
    expect(one('rgb565le')).toBe('3333');
    expect(pixelValue(0xf01080, 'rgb565be')).toBe((29 << 11) | (4 << 5) | 16);
    expect(one('rgb565be')).toBe('3333');
    expect(expectedFramebuffer(solidImage(1, 1, 0xf01080), 1, 1, 'rgb565le').toString('hex')).toBe('90e8');
    expect(expectedFramebuffer(solidImage(1, 1, 0xf01080), 1, 1, 'rgb565be').toString('hex')).toBe('e890');
    // bgr233: r 0x33 -> 1, g 0x66 -> 3, b 0x99 -> 2 : 1 | 3<<3 | 2<<6 = 0x99
    expect(one('bgr233')).toBe('99');
  });

  it('reports differences with coordinates', () => {
    const a = expectedFramebuffer(solidImage(4, 3, 0x102030), 4, 3, 'rgb888le');
    const b = Buffer.from(a);
    b[(2 * 4 + 1) * 4] = 0xff;
    const r = diffReport(a, b, 4, 3, 4);
    expect(r.equal).toBe(false);
    expect(r.mismatchCount).toBe(1);
    expect(r.firstMismatches[0]).toEqual({ x: 1, y: 2, expected: '30201000', actual: 'ff201000' });
    expect(r.summary).toContain('(1,2)');
    expect(diffReport(a, a, 4, 3, 4).equal).toBe(true);
    expect(diffReport(a, a.subarray(4), 4, 3, 4).equal).toBe(false);
    expect(() => diffReport(a, a, 4, 3, 32)).toThrow(/BYTES per pixel/);
  });

  it('can ignore padding bits', () => {
    const a = expectedFramebuffer(solidImage(2, 1, 0x102030), 2, 1, 'rgb888be');
    const b = Buffer.from(a);
    b[0] = 0x5a; // padding byte of pixel (0,0) in big-endian rgb888
    expect(diffReport(a, b, 2, 1, 4).mismatchCount).toBe(1);
    expect(diffReport(a, b, 2, 1, 4, { format: 'rgb888be' }).equal).toBe(true);
    b[1] = 0x11; // red of pixel (0,0)
    expect(diffReport(a, b, 2, 1, 4, { format: 'rgb888be' }).mismatchCount).toBe(1);
  });
});

describe.skipIf(missingTools.length > 0)(
  `libvncclient reference client against x11vnc${missingTools.length ? ` (missing: ${missingTools.join(', ')})` : ''}`,
  () => {
    let xvfb: Xvfb | undefined;
    let workDir = '';
    const clients: RefClient[] = [];
    const servers: X11vnc[] = [];

    beforeAll(async () => {
      await buildRefClient();
      workDir = await mkdtemp(join(tmpdir(), 'trayvnc-refclient-selftest-'));
      xvfb = await startXvfb();
      const xbm = join(workDir, 'tile.xbm');
      await writeFile(xbm, tileXbm());
      const fg = '#' + FG.toString(16).padStart(6, '0');
      const bg = '#' + BG.toString(16).padStart(6, '0');
      const r = spawnSync('xsetroot', ['-display', `:${xvfb.display}`, '-bitmap', xbm, '-fg', fg, '-bg', bg], {
        encoding: 'utf8',
        timeout: 10_000,
      });
      if (r.status !== 0) throw new Error(`xsetroot failed: ${r.stderr}${r.error ? String(r.error) : ''}`);
    }, 60_000);

    afterAll(async () => {
      for (const c of clients.splice(0)) await c.close();
      for (const s of servers.splice(0)) await stopProcess(s.proc);
      await stopProcess(xvfb?.proc);
      if (workDir) await rm(workDir, { recursive: true, force: true });
    }, 30_000);

    async function connect(
      format: PixelFormatName,
      encodings: RefEncoding[],
      opts: { x11vncArgs?: string[]; password?: string } = {},
    ): Promise<{ client: RefClient; server: X11vnc }> {
      if (!xvfb) throw new Error('Xvfb not running');
      const server = await startX11vnc(xvfb.display, opts.x11vncArgs);
      servers.push(server);
      const client = await startRefClient({
        host: '127.0.0.1',
        port: server.port,
        format,
        encodings,
        ...(opts.password !== undefined ? { password: opts.password } : {}),
      });
      clients.push(client);
      return { client, server };
    }

    async function finish(client: RefClient, server: X11vnc): Promise<void> {
      await client.close();
      clients.splice(clients.indexOf(client), 1);
      await stopProcess(server.proc);
      servers.splice(servers.indexOf(server), 1);
    }

    const cases: { format: PixelFormatName; encodings: RefEncoding[] }[] = [
      { format: 'rgb888le', encodings: ['raw'] },
      { format: 'rgb565be', encodings: ['hextile'] },
      { format: 'bgr233', encodings: ['zrle'] },
      // extra coverage of the code paths the end-to-end tests rely on
      { format: 'rgb888be', encodings: ['hextile'] },
      { format: 'bgr888le', encodings: ['zrle'] },
      { format: 'rgb565le', encodings: ['zrle'] },
      { format: 'rgb888le', encodings: ['zlib'] },
      { format: 'bgr233', encodings: ['hextile'] },
    ];

    for (const { format, encodings } of cases) {
      it(`${format} + ${encodings.join(',')}: dump equals the expected pixels`, async () => {
        const { client, server } = await connect(format, encodings);
        const conn = await client.waitConnected(10_000).catch((e: unknown) => {
          throw new Error(`${String(e)}\nx11vnc output:\n${server.output()}`);
        });
        expect(conn.width).toBe(WIDTH);
        expect(conn.height).toBe(HEIGHT);
        await client.waitUpdates(1, 10_000);

        const expected = expectedFramebuffer(sourceImage(), WIDTH, HEIGHT, format);
        const bpp = pixelFormat(format).bytesPerPixel;
        // Padding bits (the fourth byte of the 32 bpp formats) are undefined in RFB, and
        // libvncclient's ZRLE decoder leaves a stream byte there: compare channel bits only.
        // No tolerance is applied: x11vnc (libvncserver) converts 8-bit channels to 5/6/3/2-bit
        // levels with rounding, and the colours above make rounding and truncation disagree.
        const compare = (data: Buffer) => diffReport(expected, data, WIDTH, HEIGHT, bpp, { format });
        // x11vnc polls the screen; retry (with full refreshes) until it has caught up.
        const deadline = Date.now() + 10_000;
        let dump = await client.dump();
        while (!compare(dump.data).equal && Date.now() < deadline) {
          const seen = client.updateCount;
          await client.requestFull();
          await client.waitUpdates(seen + 1, 5_000);
          dump = await client.dump();
        }
        expect(dump.width).toBe(WIDTH);
        expect(dump.height).toBe(HEIGHT);
        expect(dump.bpp).toBe(bpp);
        const report = compare(dump.data);
        expect(report.equal, `${format}/${encodings.join(',')}: ${report.summary}`).toBe(true);
        await finish(client, server);
      });
    }

    it('authenticates with a VNC password', async () => {
      const { client, server } = await connect('rgb888le', ['raw'], {
        x11vncArgs: ['-passwd', 'sekr1t'],
        password: 'sekr1t',
      });
      await client.waitConnected(10_000);
      await client.waitUpdates(1, 10_000);
      await finish(client, server);
    });

    it('reports a wrong password as ERROR and exits non-zero', async () => {
      const { client, server } = await connect('rgb888le', ['raw'], {
        x11vncArgs: ['-passwd', 'sekr1t'],
        password: 'wrong',
      });
      const err = await client.waitConnected(10_000).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect(String(err)).toMatch(/exited/);
      await client.waitExit(5_000);
      expect(client.exitCode).not.toBe(0);
      expect(client.error).toMatch(/handshake failed/);
      await finish(client, server);
    });

    it('rejects unknown encoding names instead of letting libvncclient prefix-match them', async () => {
      const client = await startRefClient({ host: '127.0.0.1', port: 1, format: 'rgb888le', encodings: 'hex' });
      clients.push(client);
      await expect(client.waitConnected(5_000)).rejects.toThrow(/unknown encoding hex/);
      expect(client.exitCode).toBe(1);
      await client.close();
      clients.splice(clients.indexOf(client), 1);
    });

    it('refuses combinations libvncclient decodes wrongly (3-byte CPIXEL in non-host byte order)', async () => {
      const hostLittle = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
      const client = await startRefClient({
        host: '127.0.0.1',
        port: 1,
        format: hostLittle ? 'rgb888be' : 'rgb888le',
        encodings: ['hextile', 'zrle'],
      });
      clients.push(client);
      await expect(client.waitConnected(5_000)).rejects.toThrow(/cannot decode zrle correctly/);
      await client.close();
      clients.splice(clients.indexOf(client), 1);
    });
  },
);
