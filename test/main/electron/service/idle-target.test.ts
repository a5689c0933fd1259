import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../src/main/app/config.js';
import { ControlService, type ControlTarget } from '../../../../src/main/app/control-service.js';
import { serverOptionsFrom } from '../../../../src/main/app/server-options.js';
import { idleTarget } from '../../../../src/main/electron/service/idle-target.js';
import { DEFAULT_SERVER_OPTIONS } from '../../../../src/main/rfb/server.js';

const services: ControlService[] = [];
afterEach(() => {
  for (const s of services.splice(0)) s.close();
});

function service(target: ControlTarget): ControlService {
  const s = new ControlService(target);
  services.push(s);
  return s;
}

describe('idleTarget', () => {
  it('answers as a server that is not running, with the saved settings', async () => {
    const c = service(idleTarget(parseConfig({ port: 5999, password: 'pw123456', desktop_name: 'desk' })));
    const state = c.getState();
    expect(state).toMatchObject({ running: false, address: null, source: 'none', passwordSet: true, clients: 0 });
    expect(state.desktop).toEqual({ name: 'desk', width: 0, height: 0 });
    expect(c.getSettings()).toMatchObject({ port: 5999, password_set: true });
    expect(c.listClients()).toEqual([]);
    expect(await c.listMonitors()).toHaveLength(1);
  });

  it('does not fail over an unreadable password file', () => {
    const c = service(idleTarget(parseConfig({ password_file: '/nonexistent/pw' })));
    expect(c.getState().passwordSet).toBe(false);
  });
});

describe('idleTarget server', () => {
  it('takes every server option from the settings, as the running service does', () => {
    const settings = parseConfig({
      password: 'pw123456',
      desktop_name: 'desk',
      frame_rate: 12,
      max_connections: 3,
      always_shared: true,
      handshake_timeout: 7,
      max_cut_text: 1000,
      view_only: true,
      allow_resize: false,
    });
    const options = idleTarget(settings).server.options;
    expect(options).toEqual({ ...DEFAULT_SERVER_OPTIONS, ...serverOptionsFrom(settings, { full: 'pw123456', viewOnly: null }) });
    // the four it used to leave at their defaults
    expect(options).toMatchObject({ alwaysShared: true, handshakeTimeoutMs: 7000, allowResize: false, limits: { maxCutText: 1000 } });
  });
});
