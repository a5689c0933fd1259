import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../support/cli-process.js';

/**
 * A server that cannot start must say why and exit at once, not hang with
 * what it had already opened: each of the three ports busy, and a listen
 * address that does not resolve.
 */

let busy: net.Server;
let busyPort: number;

beforeAll(async () => {
  // A port held by this test, so the server's listen on it fails with EADDRINUSE.
  busy = net.createServer();
  await new Promise<void>((resolve, reject) => {
    busy.once('error', reject);
    busy.listen(0, '127.0.0.1', () => resolve());
  });
  busyPort = (busy.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => busy.close(() => resolve()));
});

/** Run the CLI until it exits (at most 8 s); how long it lived after printing its error. */
async function failStart(args: string[], error: RegExp): Promise<{ code: number | null; afterErrorMs: number; stderr: string }> {
  const run = startCli(['serve', '--source', 'synthetic', '--size', '320x200', '--log-level', 'error', ...args]);
  try {
    const printed = await run.waitFor(error, 8000, 'stderr');
    // Bounded: a process that hangs is killed (by the finally below) after 3 s, and the test fails.
    const exit = await Promise.race([run.exited, new Promise<null>((r) => setTimeout(() => r(null), 3000))]);
    expect(exit, `still running 3 s after printing: ${run.stderr()}`).not.toBeNull();
    return { code: exit!.code, afterErrorMs: exit!.at - printed.at, stderr: run.stderr() };
  } finally {
    await run.stop(500);
  }
}

describe('trayvnc serve: start-up failures', () => {
  it('exits non-zero within a second when the VNC port is taken, naming it', async () => {
    const r = await failStart(['--port', String(busyPort)], /trayvnc: .*\n/);
    expect(r.stderr).toContain(`trayvnc: cannot listen on 127.0.0.1:${busyPort} for VNC viewers: address already in use`);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.afterErrorMs).toBeLessThan(1000);
  });

  it('exits non-zero within a second when the dashboard port (--http-port) is taken', async () => {
    const r = await failStart(['--port', '0', '--http-port', String(busyPort)], /trayvnc: .*\n/);
    expect(r.stderr).toContain(`trayvnc: cannot listen on 127.0.0.1:${busyPort} for the dashboard: address already in use`);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.afterErrorMs).toBeLessThan(1000);
  });

  it('exits non-zero within a second when the metrics port is taken', async () => {
    const r = await failStart(['--port', '0', '--websocket-port', '0', '--metrics-port', String(busyPort)], /trayvnc: .*\n/);
    expect(r.stderr).toContain(`trayvnc: cannot listen on 127.0.0.1:${busyPort} for Prometheus metrics: address already in use`);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.afterErrorMs).toBeLessThan(1000);
  });

  it('exits non-zero within a second when the WebSocket port is taken', async () => {
    const r = await failStart(['--port', '0', '--http-port', '0', '--websocket-port', String(busyPort)], /trayvnc: .*\n/);
    expect(r.stderr).toContain(`trayvnc: cannot listen on 127.0.0.1:${busyPort} for WebSocket viewers: address already in use`);
    expect(r.code).not.toBe(0);
    expect(r.afterErrorMs).toBeLessThan(1000);
  });

  it('exits non-zero within a second when the listen address does not resolve', async () => {
    // .invalid never resolves (RFC 2606), and the name is well-formed, so only the lookup refuses it.
    const r = await failStart(['--port', '0', '--http-port', '0', '--password', 'secret99', '--host', 'nosuchhost.invalid'], /trayvnc: .*\n/);
    expect(r.stderr).toMatch(/trayvnc: cannot listen on nosuchhost\.invalid:0 for VNC viewers: host name not found/);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.afterErrorMs).toBeLessThan(1000);
  });
});
