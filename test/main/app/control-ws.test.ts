import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseConfig } from '../../../src/main/app/config.js';
import { ControlService } from '../../../src/main/app/control-service.js';
import { CLOSE_UNAUTHORIZED, listenControlWebSocket, tokenMatches, type ControlWebSocketServer } from '../../../src/main/app/control-ws.js';
import { VncService } from '../../../src/main/app/vnc-service.js';
import { PerformanceMonitor } from '../../../src/main/telemetry/monitor.js';
import {
  createControlClient,
  webSocketTransport,
  type ControlClient,
  type WebSocketConstructor,
} from '../../../src/renderer/api/control-client.js';
import { ControlError, type ClientInfo, type MetricsSnapshot } from '../../../src/shared/control-contract.js';
import { configureLogging } from '../../../src/main/base/logger.js';
import { captureLogs } from '../../support/log-capture.js';
import { RawViewer } from '../../support/raw-viewer.js';

const TOKEN = 'test-token-0123456789abcdef';

let service: VncService;
let vncPort: number;
let monitor: PerformanceMonitor;
let control: ControlService;
let api: ControlWebSocketServer;
const cleanup: Array<() => unknown> = [];

beforeAll(async () => {
  service = await VncService.create(parseConfig({ source: 'synthetic', width: 320, height: 200, port: 0, host: '127.0.0.1' }));
  vncPort = (await service.start()).port;
  monitor = new PerformanceMonitor({ intervalMs: 100, summaryIntervalMs: 0 });
  monitor.observe(service.server);
  control = new ControlService(service, { metrics: monitor });
  api = await listenControlWebSocket(control, 0, '127.0.0.1', { token: TOKEN, maxMessageBytes: 4096 });
});

afterAll(async () => {
  await api?.close();
  control?.close();
  monitor?.close();
  await service?.stop();
});

afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function url(token: string | null = TOKEN): string {
  const base = `ws://127.0.0.1:${api.address.port}/control`;
  return token === null ? base : `${base}?token=${encodeURIComponent(token)}`;
}

function connect(token: string | null = TOKEN): ControlClient {
  const client = createControlClient(
    webSocketTransport(url(token), { WebSocket: WebSocket as unknown as WebSocketConstructor, timeoutMs: 5000 }),
  );
  cleanup.push(() => client.close());
  return client;
}

async function viewer(): Promise<RawViewer> {
  const v = await RawViewer.connect(vncPort);
  cleanup.push(() => v.close());
  return v;
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A raw WebSocket peer: send JSON, read replies and the close code. */
async function rawPeer(token: string | null = TOKEN): Promise<{
  ws: WebSocket;
  next: () => Promise<Record<string, unknown>>;
  closed: Promise<number>;
}> {
  const ws = new WebSocket(url(token));
  cleanup.push(() => ws.terminate());
  const inbox: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (d) => {
    inbox.push(JSON.parse(String(d)) as Record<string, unknown>);
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = async () => {
    const deadline = Date.now() + 3000;
    while (inbox.length === 0) {
      if (Date.now() > deadline) throw new Error('no message within 3 s');
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return inbox.shift()!;
  };
  return { ws, next, closed };
}

describe('control API over WebSocket', () => {
  it('lists a connecting viewer within a second, with its details', async () => {
    const client = connect();
    const t0 = Date.now();
    const v = await viewer();
    const listed = await until(async () => (await client.listClients()).find(() => true), 1000, 'the viewer in listClients');
    expect(Date.now() - t0).toBeLessThan(1000);
    const server = service.server.clients[0]!;
    expect(listed).toMatchObject<Partial<ClientInfo>>({
      id: server.id,
      address: expect.stringMatching(/^127\.0\.0\.1:\d+$/) as unknown as string,
      encodings: ['Raw'],
      viewOnly: false,
    });
    expect(listed.connectedAt).toBeGreaterThanOrEqual(t0 - 50);
    expect(listed.pixelFormat).toMatchObject({ bitsPerPixel: 32, depth: 24, trueColour: true, summary: '32 bpp, depth 24, RGB888 little-endian' });
    await v.waitForMore(2, 5000);
    const again = (await client.listClients())[0]!;
    expect(again.bytesSent).toBeGreaterThan(320 * 200 * 4);
    expect(again.updatesSent).toBeGreaterThanOrEqual(2);
    expect(again.bytesReceived).toBeGreaterThan(0);
    expect(again.encodingsInUse).toEqual(['Raw']);
    expect(again.fps).not.toBeNull();
    expect(again.bandwidth).not.toBeNull();
    const state = await client.getState();
    expect(state).toMatchObject({ running: true, clients: 1, source: 'synthetic', passwordSet: false, metrics: true });
    expect(state.address).toEqual({ host: '127.0.0.1', port: vncPort });
    expect(state.desktop).toMatchObject({ width: 320, height: 200 });
  });

  it('disconnectClient drops the viewer; an unknown id is not found', async () => {
    const client = connect();
    const v = await viewer();
    const [c] = await until(async () => {
      const l = await client.listClients();
      return l.length === 1 ? l : undefined;
    }, 1000, 'the viewer');
    const logs = captureLogs();
    cleanup.push(() => configureLogging({ level: 'silent' }));
    await expect(client.disconnectClient({ id: c!.id })).resolves.toEqual({ disconnected: true });
    await expect(v.done).rejects.toThrow(/closed/);
    // The session's last line says who dropped it.
    expect(logs.find((l) => l['module'] === 'session' && l['session'] === c!.id.slice(0, 8) && l['reason'] !== undefined)).toMatchObject({
      msg: expect.stringMatching(/^client disconnected: disconnected from the dashboard at 127\.0\.0\.1:\d+$/) as unknown as string,
      client: c!.address,
    });
    await until(async () => ((await client.listClients()).length === 0 ? true : undefined), 1000, 'the list to empty');
    const err = await client.disconnectClient({ id: c!.id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlError);
    expect((err as ControlError).code).toBe('not-found');
  });

  it('setClientControl makes a viewer view-only and gives control back, logging who and from where', async () => {
    const client = connect();
    await viewer();
    const [c] = await until(async () => {
      const l = await client.listClients();
      return l.length === 1 ? l : undefined;
    }, 1000, 'the viewer');
    const logs = captureLogs();
    cleanup.push(() => configureLogging({ level: 'silent' }));
    expect((await client.setClientControl({ id: c!.id, control: false })).viewOnly).toBe(true);
    expect(service.server.clients[0]!.viewOnly).toBe(true);
    expect((await client.listClients())[0]!.viewOnly).toBe(true);
    expect((await client.setClientControl({ id: c!.id, control: true })).viewOnly).toBe(false);
    expect(service.server.clients[0]!.viewOnly).toBe(false);

    const lines = logs.filter((l) => l['module'] === 'control' && typeof l['control'] === 'boolean');
    const from = expect.stringMatching(/^the dashboard at 127\.0\.0\.1:\d+$/) as unknown as string;
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, session: c!.id.slice(0, 8), client: c!.address, control: false, from, msg: expect.stringMatching(new RegExp(`^${c!.address} lost control \\(from the dashboard at 127\\.0\\.0\\.1:\\d+\\)$`)) }),
      expect.objectContaining({ level: 30, session: c!.id.slice(0, 8), client: c!.address, control: true, from, msg: expect.stringMatching(new RegExp(`^${c!.address} got control \\(from the dashboard at`)) }),
    ]);
  });

  it('updateSettings({frame_rate: 5}) applies to the running server', async () => {
    const client = connect();
    const before = await client.getSettings();
    expect(before.frame_rate).toBe(60);
    const r = await client.updateSettings({ frame_rate: 5 });
    expect(r.applied).toEqual(['frame_rate']);
    expect(r.restartRequired).toEqual([]);
    expect(r.settings.frame_rate).toBe(5);
    expect(service.server.options.frameRate).toBe(5);
    expect((await client.getSettings()).frame_rate).toBe(5);
    await client.updateSettings({ frame_rate: 60 });
    expect(service.server.options.frameRate).toBe(60);
  });

  it('updateSettings({port: 70000}) fails with a field error and changes nothing', async () => {
    const client = connect();
    const before = await client.getSettings();
    const stateBefore = await client.getState();
    const err = await client.updateSettings({ port: 70000, frame_rate: 7 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlError);
    const e = err as ControlError;
    expect(e.code).toBe('invalid-settings');
    expect(e.fieldErrors).toEqual({ port: ['must be a whole number from 0 to 65535'] });
    expect(await client.getSettings()).toEqual(before);
    expect(service.server.options.frameRate).toBe(60);
    expect((await client.getState()).restartRequired).toEqual(stateBefore.restartRequired);
  });

  it('a setting the server cannot take live is saved and reported as needing a restart', async () => {
    const client = connect();
    const r = await client.updateSettings({ max_connections: 3, port: 5999 });
    expect(r.applied).toEqual(['max_connections']);
    expect(r.restartRequired).toEqual(['port']);
    expect(service.server.options.maxConnections).toBe(3);
    expect((await client.getState()).restartRequired).toEqual(['port']);
    // Setting it back to what is running clears the restart.
    const back = await client.updateSettings({ max_connections: 10, port: 0 });
    expect(back.restartRequired).toEqual([]);
  });

  it('refuses a wrong or missing token with close code 4401', async () => {
    for (const token of ['wrong-token-wrong-token', null, '']) {
      const t = webSocketTransport(url(token), { WebSocket: WebSocket as unknown as WebSocketConstructor, timeoutMs: 3000 });
      const client = createControlClient(t);
      cleanup.push(() => client.close());
      const err = await client.getState().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ControlError);
      expect((err as ControlError).code).toBe('unauthorized');
      expect((await t.closed).code).toBe(CLOSE_UNAUTHORIZED);
    }
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokenMatches(undefined, TOKEN)).toBe(false);
  });

  it('checks method names and params against the contract, and bounds message size', async () => {
    const peer = await rawPeer();
    peer.ws.send(JSON.stringify({ id: 1, method: 'constructor' }));
    expect(await peer.next()).toMatchObject({ id: 1, error: { code: 'unknown-method' } });
    peer.ws.send(JSON.stringify({ id: 'b', method: 'disconnectClient', params: { id: 5 } }));
    expect(await peer.next()).toMatchObject({ id: 'b', error: { code: 'invalid-params' } });
    peer.ws.send(JSON.stringify({ id: 3, method: 'getState', params: { extra: 1 } }));
    expect(await peer.next()).toMatchObject({ id: 3, error: { code: 'invalid-params' } });
    peer.ws.send('not json');
    expect(await peer.next()).toMatchObject({ id: null, error: { code: 'bad-request' } });
    peer.ws.send(JSON.stringify({ id: 4, method: 'getState' }));
    expect(await peer.next()).toMatchObject({ id: 4, result: { running: true } });
    peer.ws.send(JSON.stringify({ id: 5, method: 'updateSettings', params: { desktop_name: 'x'.repeat(5000) } }));
    expect(await peer.closed).toBe(1009);
  });

  it('delivers metrics and client events to subscribers and drops subscriptions on close', async () => {
    const client = connect();
    const snaps: MetricsSnapshot[] = [];
    const lists: ClientInfo[][] = [];
    const offMetrics = client.on('metrics', (s) => snaps.push(s));
    client.on('clients', (l) => lists.push(l));
    await until(() => (control.listenerCount('clients') > 0 ? true : undefined), 1000, 'the subscription');
    const v = await viewer();
    await v.waitForMore(2, 5000);
    await until(() => (lists.some((l) => l.length === 1) ? true : undefined), 1000, 'a clients event');
    await until(() => (snaps.some((s) => s.clients.length === 1 && s.overall.updates > 0) ? true : undefined), 2000, 'metrics with the viewer');
    expect(snaps.at(-1)!.overall).toHaveProperty('fps');
    offMetrics();
    await until(() => (control.listenerCount('metrics') === 0 ? true : undefined), 1000, 'metrics to be unsubscribed');
    expect(monitor.subscribed).toBe(false);
    expect(control.listenerCount('clients')).toBe(1);
    client.close();
    await until(() => (control.listenerCount('clients') === 0 && api.connections === 0 ? true : undefined), 2000, 'the connection to be cleaned up');
  });

  it('answers plain HTTP with 426 on the control path and 404 elsewhere', async () => {
    const base = `http://127.0.0.1:${api.address.port}`;
    expect((await fetch(`${base}/control`)).status).toBe(426);
    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect(api.url).toBe(`ws://127.0.0.1:${api.address.port}/control?token=${TOKEN}`);
  });

  it('lists the synthetic desktop as one shared monitor', async () => {
    const client = connect();
    expect(await client.listMonitors()).toEqual([
      { index: 0, name: 'synthetic', x: 0, y: 0, width: 320, height: 200, primary: true, shared: true },
    ]);
  });
});
