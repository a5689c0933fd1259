import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema, parseConfig } from '../../../src/main/app/config.js';
import { ControlService, describePixelFormat, type ControlTarget } from '../../../src/main/app/control-service.js';
import { VncService } from '../../../src/main/app/vnc-service.js';
import { chooseDesktopBackend, NO_DISPLAY_WARNING } from '../../../src/main/desktop/backend-choice.js';
import type { ScreenSource } from '../../../src/main/desktop/screen.js';
import { BGR233_FORMAT, NATIVE_FORMAT } from '../../../src/main/rfb/pixel-format.js';
import { RfbServer } from '../../../src/main/rfb/server.js';
import {
  CONTROL_EVENTS,
  CONTROL_METHODS,
  ControlError,
  type UpdateSettingsResult,
  type WireEvent,
} from '../../../src/shared/control-contract.js';
import { CONTROL_PARAMS } from '../../../src/shared/control-params.js';
import { SETTING_KEYS, SETTING_LABELS, SettingsSchema, validateSettings } from '../../../src/shared/settings-schema.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function fakeTarget(config: Record<string, unknown> = {}, extra: Partial<ControlTarget> = {}): ControlTarget {
  const cfg = parseConfig(config);
  return {
    server: new RfbServer({ frameRate: cfg.frame_rate, maxConnections: cfg.max_connections, viewOnly: cfg.view_only, password: null }),
    config: cfg,
    source: { name: 'synthetic', width: 640, height: 480 } as ScreenSource,
    listening: null,
    password: null,
    websocket: null,
    ...extra,
  };
}

const services: ControlService[] = [];
afterEach(() => {
  for (const s of services.splice(0)) s.close();
});

function make(target: ControlTarget, opts: ConstructorParameters<typeof ControlService>[1] = {}): ControlService {
  const s = new ControlService(target, opts);
  services.push(s);
  return s;
}

async function failure(p: Promise<unknown>): Promise<ControlError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ControlError);
  return e as ControlError;
}

function sourcesUnder(dir: string): string[] {
  let out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(sourcesUnder(p));
    else if (/\.(ts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

describe('the contract', () => {
  it('gives every method a params schema and every connection a handler', async () => {
    expect(Object.keys(CONTROL_PARAMS).sort()).toEqual([...CONTROL_METHODS].sort());
    const conn = make(fakeTarget()).openConnection(() => undefined);
    for (const m of CONTROL_METHODS) {
      const reply = await conn.call(m, undefined);
      if ('error' in reply) expect(reply.error.code, m).not.toBe('unknown-method');
    }
    expect(await conn.call('toString', undefined)).toMatchObject({ error: { code: 'unknown-method' } });
    expect(await conn.call(42, undefined)).toMatchObject({ error: { code: 'unknown-method' } });
    expect(await conn.call('subscribe', { event: 'nope' })).toMatchObject({ error: { code: 'invalid-params' } });
  });

  it('the renderer-side code (src/shared, src/renderer) imports no Node module and nothing of src/main', () => {
    const files = [...sourcesUnder(join(ROOT, 'src', 'shared')), ...sourcesUnder(join(ROOT, 'src', 'renderer'))];
    expect(files.length).toBeGreaterThan(0);
    const importRe = /(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;
    const offenders: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(importRe)) {
        const spec = m[1]!;
        const bad =
          spec.startsWith('node:') ||
          ['fs', 'path', 'os', 'net', 'http', 'crypto', 'events', 'stream', 'ws', 'pino', 'electron', 'x11'].includes(spec) ||
          /(^|\/)main\//.test(spec);
        if (bad) offenders.push(`${relative(ROOT, f)}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the shared settings schema is the config file schema (same keys, same verdicts)', () => {
    expect(Object.keys(ConfigSchema.shape).filter((k) => !(k in SettingsSchema.shape))).toEqual([]);
    expect(SETTING_KEYS.filter((k) => !(k in ConfigSchema.shape))).toEqual([]);
    expect(Object.keys(SETTING_LABELS).sort()).toEqual([...SETTING_KEYS].sort());
    const samples: unknown[] = [
      {},
      { port: 70000 },
      { frame_rate: 0 },
      { log_level: 'INFO' },
      { password: '' },
      { display: 'nine' },
      { clip: '10x10+0+0' },
      { clipboard: 'sometimes' },
    ];
    for (const raw of samples) {
      const a = ConfigSchema.safeParse(raw);
      const b = SettingsSchema.safeParse(raw);
      expect(b.success, JSON.stringify(raw)).toBe(a.success);
      if (a.success && b.success) expect(b.data).toEqual(a.data);
      else expect(b.error!.issues.map((i) => i.message)).toEqual(a.error!.issues.map((i) => i.message));
    }
    expect(validateSettings({ port: 70000 })).toEqual({ ok: false, fieldErrors: { port: ['must be a whole number from 0 to 65535'] } });
  });

  it('lists the events it pushes', () => {
    expect([...CONTROL_EVENTS]).toEqual(['metrics', 'clients', 'settings', 'recording', 'approval', 'reverse']);
  });
});

describe('ControlService settings', () => {
  it('applies live settings to the server and reports the others as needing a restart', async () => {
    const t = fakeTarget({ port: 5900 });
    const c = make(t);
    const r = await c.updateSettings({
      frame_rate: 12,
      max_connections: 2,
      view_only: true,
      always_shared: true,
      allow_resize: false,
      handshake_timeout: 3,
      desktop_name: 'Lab',
      host: '0.0.0.0',
      clipboard: 'off',
    });
    expect(r.applied.sort()).toEqual(['allow_resize', 'always_shared', 'desktop_name', 'frame_rate', 'handshake_timeout', 'max_connections', 'view_only']);
    expect(r.restartRequired).toEqual(['host', 'clipboard']);
    expect(t.server.options).toMatchObject({
      frameRate: 12,
      maxConnections: 2,
      viewOnly: true,
      alwaysShared: true,
      allowResize: false,
      handshakeTimeoutMs: 3000,
      desktopName: 'Lab',
    });
    expect(c.getState().restartRequired).toEqual(['host', 'clipboard']);
  });

  it('null returns a setting to its default; unknown keys are field errors; nothing changes on error', async () => {
    const t = fakeTarget({ frame_rate: 10 });
    const c = make(t);
    expect((await c.updateSettings({ frame_rate: null })).settings.frame_rate).toBe(60);
    expect(t.server.options.frameRate).toBe(60);
    const e = await failure(c.updateSettings({ frame_rate: 20, colour: 'blue' } as never));
    expect(e.code).toBe('invalid-settings');
    expect(e.fieldErrors).toEqual({ colour: ['is not a setting'] });
    const e2 = await failure(c.updateSettings({ frame_rate: 2.5, max_connections: 0 }));
    // Field errors leave the field's name to whoever shows them; the message names each by its key.
    expect(e2.fieldErrors).toEqual({
      frame_rate: ['must be a whole number from 1 to 60'],
      max_connections: ['must be a whole number from 1 to 1000'],
    });
    expect(e2.message).toBe('frame_rate must be a whole number from 1 to 60; max_connections must be a whole number from 1 to 1000');
    expect(c.getSettings().frame_rate).toBe(60);
    expect(t.server.options.frameRate).toBe(60);
  });

  it("refuses the system capture as the source where the server cannot start with it, and says whether it can", async () => {
    const cli = make(fakeTarget({}), { systemCapture: false });
    expect(cli.getState().systemCapture).toBe(false);
    const e = await failure(cli.updateSettings({ source: 'system-capture' }));
    expect(e.code).toBe('invalid-settings');
    expect(e.fieldErrors?.['source']?.[0]).toMatch(/only in the tray app/);
    expect(cli.getSettings().source).toBeUndefined();
    expect((await cli.updateSettings({ source: 'synthetic' })).settings.source).toBe('synthetic');
    const tray = make(fakeTarget({}), { systemCapture: true });
    expect(tray.getState().systemCapture).toBe(true);
    expect((await tray.updateSettings({ source: 'system-capture' })).settings.source).toBe('system-capture');
    expect(make(fakeTarget({})).getState().systemCapture).toBeUndefined();
  });

  it('never shows the password; a new one applies to the next viewer; removing one applies live only on loopback', async () => {
    const t = fakeTarget({}, { listening: { address: '127.0.0.1', family: 'IPv4', port: 5900 } });
    const c = make(t);
    expect(c.getSettings()).not.toHaveProperty('password');
    expect(c.getSettings().password_set).toBe(false);
    const r = await c.updateSettings({ password: 'hunter22' });
    expect(r.applied).toEqual(['password']);
    expect(r.settings).not.toHaveProperty('password');
    expect(r.settings.password_set).toBe(true);
    expect(t.server.options.password).toBe('hunter22');
    expect(c.getState().passwordSet).toBe(true);
    const off = await c.updateSettings({ password: null });
    expect(off.applied).toEqual(['password']);
    expect(off.restartRequired).toEqual([]);
    expect(t.server.options.password).toBeNull();

    // Listening on every interface: the password stays until a restart picks the address anew.
    const t2 = fakeTarget({ password: 'secret', host: '0.0.0.0' }, { listening: { address: '0.0.0.0', family: 'IPv4', port: 5900 } });
    t2.server.options.password = 'secret';
    const c2 = make(t2);
    expect((await c2.updateSettings({ password: null })).restartRequired).toEqual(['password']);
    expect(t2.server.options.password).toBe('secret');
    // Setting one again (live) settles it.
    const again = await c2.updateSettings({ password: 'other' });
    expect(again.applied).toEqual(['password']);
    expect(again.restartRequired).toEqual([]);
    const both = await failure(c2.updateSettings({ password: 'a', password_file: '/x' }));
    expect(Object.keys(both.fieldErrors!)).toEqual(['password', 'password_file']);
  });

  it('region detection applies live when the service can switch it, else after a restart', async () => {
    expect((await make(fakeTarget()).updateSettings({ enable_region_detection: false })).restartRequired).toEqual(['enable_region_detection']);
    const calls: boolean[] = [];
    const c = make(fakeTarget({}, { setRegionDetection: (on) => calls.push(on) }));
    expect((await c.updateSettings({ enable_region_detection: false })).applied).toEqual(['enable_region_detection']);
    expect(calls).toEqual([false]);
  });

  it('saves each change, reports a failed save, and tells every connection', async () => {
    const saved: number[] = [];
    let fail = false;
    const c = make(fakeTarget(), {
      saveSettings: (s) => {
        if (fail) throw new Error('disk full');
        saved.push(s.frame_rate);
      },
    });
    const events: WireEvent[] = [];
    const watcher = c.openConnection((m) => events.push(m));
    await watcher.call('subscribe', { event: 'settings' });
    const other = c.openConnection(() => undefined);
    expect(await other.call('updateSettings', { frame_rate: 9 })).toMatchObject({ result: { applied: ['frame_rate'] } });
    expect(saved).toEqual([9]);
    expect(events).toHaveLength(1);
    expect(events[0]!.event).toBe('settings');
    expect((events[0]!.payload as UpdateSettingsResult).settings.frame_rate).toBe(9);
    fail = true;
    expect(await other.call('updateSettings', { frame_rate: 8 })).toMatchObject({ error: { code: 'failed', message: expect.stringContaining('disk full') } });
    // An unchanged value is not saved again.
    fail = false;
    await other.call('updateSettings', { frame_rate: 8 });
    expect(saved).toEqual([9]);
    watcher.close();
    expect(c.listenerCount('settings')).toBe(0);
  });
});

describe('ControlService monitors and formats', () => {
  it('lists X11 monitors and marks those inside the shared area', async () => {
    const t = fakeTarget({ display: ':7' }, { source: { name: 'x11', width: 3840, height: 1080 } as ScreenSource });
    const asked: string[] = [];
    const c = make(t, {
      listX11Monitors: async (d) => {
        asked.push(d);
        return [
          { name: 'HDMI-1', x: 0, y: 0, w: 1920, h: 1080, primary: true },
          { name: 'DP-1', x: 1920, y: 0, w: 1920, h: 1080, primary: false },
        ];
      },
    });
    expect(await c.listMonitors()).toEqual([
      { index: 0, name: 'HDMI-1', x: 0, y: 0, width: 1920, height: 1080, primary: true, shared: true },
      { index: 1, name: 'DP-1', x: 1920, y: 0, width: 1920, height: 1080, primary: false, shared: true },
    ]);
    expect(asked).toEqual([':7']);
    const broken = make(t, { listX11Monitors: () => Promise.reject(new Error('no such display')) });
    const e = await failure(broken.listMonitors());
    expect(e.message).toContain('no such display');
  });

  it('describes pixel formats briefly', () => {
    expect(describePixelFormat(NATIVE_FORMAT).summary).toBe('32 bpp, depth 24, RGB888 little-endian');
    expect(describePixelFormat(BGR233_FORMAT).summary).toBe('8 bpp, depth 8, BGR233');
  });
});

describe('ControlService state: the desktop backend', () => {
  it('reports which backend is shared and why, with its warning', () => {
    const fallback = make(fakeTarget({}, { backend: { backend: 'synthetic', reason: 'no X display', explicit: false, warning: NO_DISPLAY_WARNING } }));
    expect(fallback.getState().backend).toEqual({ kind: 'synthetic', reason: 'no X display', warning: NO_DISPLAY_WARNING, exact: true });
    const x11 = make(fakeTarget({}, { backend: { backend: 'x11', display: ':3', reason: 'X display :3 from $DISPLAY', explicit: false } }));
    expect(x11.getState().backend).toEqual({ kind: 'x11', display: ':3', reason: 'X display :3 from $DISPLAY', exact: true });
    expect(make(fakeTarget()).getState().backend).toBeNull();
  });

  it("carries the service's own choice: the test pattern chosen for lack of a display, and chosen on purpose", async () => {
    const settings = parseConfig({ width: 64, height: 48 });
    const guessed = await VncService.create(settings, {}, chooseDesktopBackend({ settings, platform: 'linux', env: {}, systemCapture: false }));
    const chosen = await VncService.create(parseConfig({ source: 'synthetic', width: 64, height: 48 }));
    try {
      expect(make(guessed).getState()).toMatchObject({ source: 'synthetic', backend: { kind: 'synthetic', reason: 'no X display', warning: NO_DISPLAY_WARNING, exact: true } });
      expect(make(chosen).getState().backend).toEqual({ kind: 'synthetic', reason: 'the settings choose the synthetic source', exact: true });
    } finally {
      await guessed.stop();
      await chosen.stop();
    }
  });

  it('lists the monitors of the display the backend chose', async () => {
    const asked: string[] = [];
    const t = fakeTarget({}, { source: { name: 'x11', width: 800, height: 600 } as ScreenSource, backend: { backend: 'x11', display: ':4', reason: 'test', explicit: false } });
    const c = make(t, {
      listX11Monitors: async (d) => {
        asked.push(d);
        return [{ name: 'VNC-0', x: 0, y: 0, w: 800, h: 600, primary: true }];
      },
    });
    expect(await c.listMonitors()).toHaveLength(1);
    expect(asked).toEqual([':4']);
  });
});
