import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ListenError, listen } from '../../../src/main/base/listen.js';

const open: net.Server[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

describe('listen', () => {
  it('resolves with the address, and the server keeps running', async () => {
    const server = net.createServer((s) => s.end('hi'));
    open.push(server);
    const addr = await listen(server, 0, '127.0.0.1', 'tests');
    expect(addr).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    expect(addr.port).toBeGreaterThan(0);
    const text = await new Promise<string>((resolve, reject) => {
      const c = net.connect(addr.port, '127.0.0.1');
      let got = '';
      c.on('data', (d) => (got += d.toString()));
      c.on('end', () => resolve(got));
      c.on('error', reject);
    });
    expect(text).toBe('hi');
  });

  it('rejects with what failed, where, and why, and leaves no error listener behind', async () => {
    const first = net.createServer();
    open.push(first);
    const { port } = await listen(first, 0, '127.0.0.1', 'tests');
    const second = http.createServer();
    const before = second.listenerCount('error');
    const err = await listen(second, port, '127.0.0.1', 'the dashboard').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListenError);
    expect((err as ListenError).message).toBe(`cannot listen on 127.0.0.1:${port} for the dashboard: address already in use`);
    expect(err).toMatchObject({ code: 'EADDRINUSE', host: '127.0.0.1', port, purpose: 'the dashboard' });
    expect((err as ListenError).cause).toBeInstanceOf(Error);
    expect(second.listenerCount('error')).toBe(before);
    expect(second.listening).toBe(false);
  });

  it('names an IPv6 address in brackets and a host name that does not resolve', async () => {
    const err = await listen(net.createServer(), 5999, 'nosuchhost.invalid', 'VNC viewers').catch((e: unknown) => e);
    expect((err as Error).message).toBe('cannot listen on nosuchhost.invalid:5999 for VNC viewers: host name not found');
    expect(err).toMatchObject({ code: 'ENOTFOUND' });
    // 2001:db8::/32 is for documentation: no interface here has it.
    const v6 = await listen(net.createServer(), 5999, '2001:db8::1', 'VNC viewers').catch((e: unknown) => e);
    expect((v6 as Error).message).toMatch(/^cannot listen on \[2001:db8::1\]:5999 for VNC viewers: /);
  });
});
