import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { listen } from '../base/listen.js';
import { getLogger } from '../base/logger.js';

export interface MetricsServerOptions {
  /** Address to bind (default 127.0.0.1: metrics are not for the network unless you say so). */
  host?: string;
  /** TCP port (default 9100; 0 picks a free one). */
  port?: number;
  /** Extra fields for /healthz; the answer is 503 when this returns ok: false. */
  health?: () => { ok: boolean; [key: string]: unknown };
}

export interface MetricsServer {
  readonly address: AddressInfo;
  close(): Promise<void>;
}

export const DEFAULT_METRICS_PORT = 9100;

/**
 * Serve a prom-client registry over HTTP: `GET /metrics` (Prometheus text
 * format) and `GET /healthz` (JSON, 200 while healthy). Anything else is 404.
 */
export async function startMetricsServer(registry: Registry, opts: MetricsServerOptions = {}): Promise<MetricsServer> {
  const log = getLogger('metrics');
  const host = opts.host ?? '127.0.0.1';
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
        (e: unknown) => {
          log.error({ err: e }, 'collecting metrics failed');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed\n');
        },
      );
    } else if (path === '/healthz') {
      let body: { ok: boolean; [key: string]: unknown };
      try {
        body = opts.health ? opts.health() : { ok: true };
      } catch (e) {
        body = { ok: false, error: (e as Error).message };
      }
      const { ok, ...details } = body;
      const text = JSON.stringify({ status: ok ? 'ok' : 'unhealthy', ...details });
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(req.method === 'HEAD' ? undefined : `${text}\n`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
    }
  });
  server.keepAliveTimeout = 5000;
  const address = await listen(server, opts.port ?? DEFAULT_METRICS_PORT, host, 'Prometheus metrics');
  server.on('error', (e) => log.error({ err: e }, 'metrics listener error'));
  log.info({ host: address.address, port: address.port }, `metrics on http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}/metrics`);
  let closing: Promise<void> | null = null;
  return {
    address,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
