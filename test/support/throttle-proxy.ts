import net from 'node:net';

/**
 * A loopback TCP proxy that carries the server's bytes to the client at a
 * fixed rate, like a slow link (the client's bytes go the other way at
 * once). It reads from the server only as fast as it forwards, so what the
 * link cannot carry backs up in the server's socket, as over a real slow
 * link. One connection at a time is all the tests need.
 */
export class ThrottleProxy {
  /** Bytes handed to the client so far. */
  forwarded = 0;
  private readonly sockets = new Set<net.Socket>();
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  /** Listen on a free loopback port and forward each connection to `targetPort` at `bytesPerSecond`. */
  static async start(targetPort: number, bytesPerSecond: number): Promise<ThrottleProxy> {
    let proxy: ThrottleProxy | null = null;
    const server = net.createServer({ noDelay: true }, (client) => proxy?.serve(client, targetPort, bytesPerSecond));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new ThrottleProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  private serve(client: net.Socket, targetPort: number, rate: number): void {
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1', noDelay: true });
    this.sockets.add(client).add(upstream);
    const queue: Buffer[] = [];
    let queued = 0;
    // A small buffer of its own: the rest waits in the server's socket.
    const HIGH = 16 * 1024;
    upstream.on('data', (d: Buffer) => {
      queue.push(d);
      queued += d.length;
      if (queued > HIGH) upstream.pause();
    });
    client.on('data', (d: Buffer) => upstream.write(d));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
    // Every tick, the link carries what its rate allows since the last one (never more than was queued).
    const TICK_MS = 10;
    let last = performance.now();
    let credit = 0;
    this.timer = setInterval(() => {
      const now = performance.now();
      credit = Math.min(credit + ((now - last) * rate) / 1000, rate / 10);
      last = now;
      while (queue.length > 0 && credit >= 1) {
        const head = queue[0]!;
        const n = Math.min(head.length, Math.floor(credit));
        client.write(head.subarray(0, n));
        this.forwarded += n;
        credit -= n;
        queued -= n;
        if (n === head.length) queue.shift();
        else queue[0] = head.subarray(n);
      }
      if (queue.length === 0) credit = Math.min(credit, rate / 100); // an idle link banks no burst
      if (queued <= HIGH / 2 && upstream.isPaused()) upstream.resume();
    }, TICK_MS);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
