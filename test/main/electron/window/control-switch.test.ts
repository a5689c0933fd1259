import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../src/main/app/config.js';
import { ControlService, type ControlTarget } from '../../../../src/main/app/control-service.js';
import type { ScreenSource } from '../../../../src/main/desktop/screen.js';
import { ControlSwitch } from '../../../../src/main/electron/window/control-switch.js';
import { idleTarget } from '../../../../src/main/electron/service/idle-target.js';
import { RfbServer } from '../../../../src/main/rfb/server.js';
import type { ServerState, WireEvent } from '../../../../src/shared/control-contract.js';

const services: ControlService[] = [];
afterEach(() => {
  for (const s of services.splice(0)) s.close();
});

function service(target: ControlTarget): ControlService {
  const s = new ControlService(target);
  services.push(s);
  return s;
}

function running(): ControlTarget {
  return {
    server: new RfbServer({ password: 'secret12' }),
    config: parseConfig({ port: 5901 }),
    source: { name: 'synthetic', width: 640, height: 480 } as ScreenSource,
    listening: { address: '0.0.0.0', port: 5901, family: 'IPv4' },
    password: 'secret12',
    websocket: null,
  };
}

describe('ControlSwitch', () => {
  it('forwards calls to the current service', async () => {
    const sw = new ControlSwitch(service(idleTarget(parseConfig({}))));
    const conn = sw.openConnection(() => undefined);
    const reply = await conn.call('getState', undefined);
    expect((reply as { result: ServerState }).result.running).toBe(false);
    await sw.switchTo(service(running()));
    const after = await conn.call('getState', undefined);
    expect((after as { result: ServerState }).result).toMatchObject({ running: true, address: { port: 5901 } });
  });

  it('carries subscriptions over a switch and pushes the new clients and settings', async () => {
    const first = service(idleTarget(parseConfig({})));
    const sw = new ControlSwitch(first);
    const events: WireEvent[] = [];
    const conn = sw.openConnection((m) => events.push(m));
    await conn.call('subscribe', { event: 'clients' });
    await conn.call('subscribe', { event: 'settings' });
    await conn.call('subscribe', { event: 'metrics' });
    await conn.call('unsubscribe', { event: 'metrics' });
    expect(first.listenerCount('clients')).toBe(1);

    const second = service(running());
    await sw.switchTo(second);
    expect(first.listenerCount('clients')).toBe(0);
    expect(second.listenerCount('clients')).toBe(1);
    expect(second.listenerCount('settings')).toBe(1);
    expect(second.listenerCount('metrics')).toBe(0);
    expect(events.map((e) => e.event)).toEqual(['clients', 'settings']);
    expect(events[0]?.payload).toEqual([]);
    expect(events[1]?.payload).toMatchObject({ settings: { port: 5901, password_set: false }, applied: [], restartRequired: [] });

    // events of the new service reach the peer
    await second.updateSettings({ frame_rate: 12 });
    expect(events.at(-1)).toMatchObject({ event: 'settings', payload: { applied: ['frame_rate'] } });
  });

  it('pushes nothing to a peer that subscribed to nothing', async () => {
    const sw = new ControlSwitch(service(idleTarget(parseConfig({}))));
    const events: WireEvent[] = [];
    sw.openConnection((m) => events.push(m));
    await sw.switchTo(service(running()));
    expect(events).toEqual([]);
  });

  it('forgets a closed connection', async () => {
    const first = service(idleTarget(parseConfig({})));
    const sw = new ControlSwitch(first);
    const events: WireEvent[] = [];
    const conn = sw.openConnection((m) => events.push(m));
    await conn.call('subscribe', { event: 'clients' });
    conn.close();
    expect(first.listenerCount('clients')).toBe(0);
    const second = service(running());
    await sw.switchTo(second);
    expect(second.listenerCount('clients')).toBe(0);
    expect(events).toEqual([]);
    expect(await conn.call('getState', undefined)).toMatchObject({ error: { code: 'unavailable' } });
  });
});
