import { once } from 'node:events';
import net from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RfbServer, type RfbServerOptions } from '../../../src/main/rfb/server.js';
import { createFrame, type Frame } from '../../../src/main/framebuffer/frame.js';
import { DEFAULT_ADMISSION } from '../../../src/main/rfb/admission/gatekeeper.js';
import { createEncoderState } from '../../../src/main/rfb/encodings/encoder-state.js';
import { TestViewer } from '../../support/test-viewer.js';

// What a connection holds, and that it gives it back: native memory (zlib
// streams) is not reclaimed by the garbage collector in time to matter, and
// a flood of connections that never authenticate must cost next to nothing.

const ZLIB = 6;
const ZRLE = 16;

let server: RfbServer | null = null;

async function serve(opts: Partial<RfbServerOptions> = {}, width = 256, height = 192): Promise<{ port: number; frame: Frame }> {
  server = new RfbServer({ password: null, alwaysShared: true, maxConnections: 200, ...opts });
  const frame = createFrame(width, height);
  for (let i = 0; i < frame.pixels.length; i++) frame.pixels[i] = (i * 2654435761) >>> 8;
  server.setFrame(frame);
  return { port: (await server.listen(0, '127.0.0.1')).port, frame };
}

afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = null;
});

describe('encoder state', () => {
  it('closes its streams and opens no more once closed', async () => {
    const state = createEncoderState();
    const zrle = state.zlib('zrle');
    await zrle.compress(Buffer.from('some pixels'));
    state.close();
    await expect(zrle.compress(Buffer.from('more'))).rejects.toThrow(/closed/);
    expect(() => state.zlib('zrle')).toThrow(/closed/);
    expect(() => state.zlib('zlib')).toThrow(/closed/);
  });
});

describe('a connection releases what it holds', () => {
  it("closes a viewer's zlib streams when it leaves", async () => {
    const made: zlib.Deflate[] = [];
    const create = zlib.createDeflate;
    vi.spyOn(zlib, 'createDeflate').mockImplementation((opts) => {
      const d = create(opts);
      made.push(d);
      return d;
    });
    const { port } = await serve();
    const viewers = await Promise.all([TestViewer.connect(port), TestViewer.connect(port)]);
    const sent = new Promise<void>((resolve) => {
      let n = 0;
      server!.on('update', () => ++n === 2 && resolve());
    });
    viewers[0]!.setEncodings([ZRLE]);
    viewers[1]!.setEncodings([ZLIB]);
    for (const v of viewers) v.request(false);
    await sent;
    expect(made.length).toBe(2);
    expect(made.every((d) => !d.destroyed)).toBe(true);

    const gone = once(server!, 'disconnected');
    viewers[0]!.close();
    await gone;
    // Only the viewer that left lost its stream.
    expect(made.filter((d) => d.destroyed).length).toBe(1);
    const rest = once(server!, 'disconnected');
    viewers[1]!.close();
    await rest;
    expect(made.every((d) => d.destroyed)).toBe(true);
  });

  it('makes no zlib stream for an update still being encoded when the viewer is dropped', async () => {
    const made: zlib.Deflate[] = [];
    const create = zlib.createDeflate;
    // 640×480 is encoded in three parts: the viewer is dropped right after the first one's stream is made.
    const { port } = await serve({}, 640, 480);
    const v = await TestViewer.connect(port);
    const [session] = server!.clients;
    vi.spyOn(zlib, 'createDeflate').mockImplementation((opts) => {
      const d = create(opts);
      made.push(d);
      queueMicrotask(() => session!.close('dropped'));
      return d;
    });
    const gone = once(server!, 'disconnected');
    v.setEncodings([ZRLE]);
    v.request(false);
    await gone;
    await new Promise((r) => setTimeout(r, 100));
    expect(made.length).toBe(1);
    expect(made[0]!.destroyed).toBe(true);
    v.close();
  });

  it('holds no encoders or scratch buffers for connections still authenticating', async () => {
    // The garbage collector, so that only what the connections hold is counted.
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    // Array buffers are swept after the collection: give it a moment, twice.
    const gc = async (): Promise<void> => {
      for (let i = 0; i < 2; i++) {
        collect();
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const lenient = { pending: { perAddress: 100, total: 100 }, addressRate: { perSecond: 1000, burst: 1000 }, totalRate: { perSecond: 1000, burst: 1000 } };
    const { port } = await serve({ password: 'secret99', admission: { ...DEFAULT_ADMISSION, ...lenient } });
    const N = 60;
    await gc();
    const before = process.memoryUsage().arrayBuffers;
    const sockets: net.Socket[] = [];
    const challenged: Array<Promise<void>> = [];
    for (let i = 0; i < N; i++) {
      const s = net.connect(port, '127.0.0.1');
      sockets.push(s);
      // Each reaches the VNC Authentication challenge and stops there.
      challenged.push(
        new Promise<void>((resolve, reject) => {
          let got = Buffer.alloc(0);
          let step = 0;
          s.on('error', reject);
          s.on('data', (d) => {
            got = Buffer.concat([got, d]);
            if (step === 0 && got.length >= 12) {
              s.write('RFB 003.008\n');
              got = got.subarray(12);
              step = 1;
            }
            if (step === 1 && got.length >= 1 + got[0]!) {
              s.write(Buffer.from([2]));
              got = got.subarray(1 + got[0]!);
              step = 2;
            }
            if (step === 2 && got.length >= 16) resolve();
          });
        }),
      );
    }
    await Promise.all(challenged);
    expect(server!.pendingHandshakes).toBe(N);
    await gc();
    const perConnection = (process.memoryUsage().arrayBuffers - before) / N;
    for (const s of sockets) s.destroy();
    // The encoders alone are some 180 KB a connection; a handshake needs a few hundred bytes.
    expect(perConnection).toBeLessThan(8 * 1024);
  });
});
