import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyFirstBytes, FirstBytesRouter } from '../../../src/main/rfb/first-bytes.js';

describe('classifyFirstBytes', () => {
  it.each([
    ['nothing heard', null, 'rfb'],
    ['an HTTP GET', Buffer.from('GET / HTTP/1.1\r\n'), 'http'],
    ['another HTTP method', Buffer.from('OPTIONS * HTTP/1.1'), 'http'],
    ['a partial request line', Buffer.from('GET'), 'http'],
    ['a TLS ClientHello', Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]), 'tls'],
    ['an RFB version sent early', Buffer.from('RFB 003.008\n'), 'rfb'],
    ['a lone 0x16 byte', Buffer.from([0x16]), 'tls'],
    ['0x16 not followed by a TLS version', Buffer.from([0x16, 0x41]), 'rfb'],
    ['lower-case text', Buffer.from('get / HTTP/1.1'), 'rfb'],
    ['binary noise', Buffer.from([0, 1, 2, 3]), 'rfb'],
  ])('%s', (_what, head, kind) => {
    expect(classifyFirstBytes(head)).toBe(kind);
  });
});

describe('FirstBytesRouter on real sockets', () => {
  const servers: net.Server[] = [];
  const clients: net.Socket[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
    for (const s of servers.splice(0)) s.close();
  });

  async function start(router: () => FirstBytesRouter): Promise<number> {
    const r = router();
    const server = net.createServer((s) => r.route(s));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as net.AddressInfo).port;
  }

  function connect(port: number): net.Socket {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  }

  it('sends a silent client to RFB after the wait, which can then read what the client sends', async () => {
    const seen: Array<{ kind: string; at: number; data: Promise<Buffer> }> = [];
    const t0 = performance.now();
    const port = await start(
      () =>
        new FirstBytesRouter(
          {
            rfb: (s) => seen.push({ kind: 'rfb', at: performance.now() - t0, data: new Promise((resolve) => s.once('data', resolve)) }),
            web: () => seen.push({ kind: 'web', at: 0, data: Promise.resolve(Buffer.alloc(0)) }),
          },
          80,
        ),
    );
    const c = connect(port);
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.map((x) => x.kind)).toEqual(['rfb']);
    expect(seen[0]!.at).toBeGreaterThanOrEqual(75);
    c.write('RFB 003.008\n');
    expect((await seen[0]!.data).toString()).toBe('RFB 003.008\n');
  });

  it('sends an HTTP request to the web route at once, its bytes put back unread', async () => {
    const got: Array<{ kind: string; text: Promise<string> }> = [];
    const port = await start(
      () =>
        new FirstBytesRouter(
          {
            rfb: () => got.push({ kind: 'rfb', text: Promise.resolve('') }),
            web: (s, kind) => {
              got.push({
                kind,
                text: new Promise((resolve) => {
                  let t = '';
                  s.on('data', (d: Buffer) => {
                    t += d.toString();
                    if (t.endsWith('\r\n\r\n')) resolve(t);
                  });
                  s.resume();
                }),
              });
            },
          },
          5000,
        ),
    );
    const c = connect(port);
    const t0 = performance.now();
    c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(performance.now() - t0).toBeLessThan(1000); // not the 5 s wait
    expect(got[0]!.kind).toBe('http');
    expect(await got[0]!.text).toBe('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  });

  it('bounds the connections still waiting: the oldest from the same address go first', async () => {
    const routed: string[] = [];
    const port = await start(() => new FirstBytesRouter({ rfb: () => routed.push('rfb'), web: () => routed.push('web') }, 2000, { perAddress: 3, total: 10 }));
    const socks = Array.from({ length: 5 }, () => connect(port));
    const closed = socks.map((s) => new Promise<boolean>((resolve) => {
      s.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 1000).unref();
    }));
    // Connect in order: the first two are dropped to keep three.
    const result = await Promise.all(closed);
    expect(result).toEqual([true, true, false, false, false]);
    expect(routed).toEqual([]);
  });
});
