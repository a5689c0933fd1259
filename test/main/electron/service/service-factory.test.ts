import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../src/main/app/config.js';
import type { DesktopOverride } from '../../../../src/main/app/vnc-service.js';
import type { ScreenSource } from '../../../../src/main/desktop/screen.js';
import type { BackendChoice } from '../../../../src/main/desktop/backend-choice.js';
import { createService, type DesktopCapture, type ServiceLike } from '../../../../src/main/electron/service/service-factory.js';
import { RfbServer } from '../../../../src/main/rfb/server.js';
import type { Settings } from '../../../../src/shared/settings-schema.js';

const none = parseConfig({});

/** A service stand-in that records how it was made. */
function fakeService(tag: string): ServiceLike & { tag: string } {
  return {
    tag,
    server: new RfbServer(),
    config: none,
    source: { name: tag } as ScreenSource,
    listening: null,
    password: null,
    websocket: null,
    metrics: null,
    control: null,
    start: async () => ({ address: '127.0.0.1', port: 1, family: 'IPv4' }) as AddressInfo,
    stop: async () => undefined,
  };
}

function deps(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, create: (s: Settings, d?: DesktopOverride) => Promise<ServiceLike>) {
  const calls: string[] = [];
  const choices: Array<BackendChoice | undefined> = [];
  let stopped = 0;
  const attached: ServiceLike[] = [];
  const desktop: DesktopCapture = {
    source: { name: 'desktop-capturer', stop: async () => void stopped++ } as ScreenSource,
    parts: {},
    attach: (service) => void attached.push(service),
  };
  return {
    calls,
    choices,
    attached,
    stopped: () => stopped,
    desktop,
    deps: {
      platform,
      env,
      create: async (s: Settings, d?: DesktopOverride, choice?: BackendChoice) => {
        calls.push(d ? `create with ${d.source?.name}` : 'create from settings');
        choices.push(choice);
        return create(s, d);
      },
      desktopCapture: async () => {
        calls.push('desktopCapture');
        return desktop;
      },
    },
  };
}

describe('createService', () => {
  it('builds the X11 service from the settings on an X11 session', async () => {
    const d = deps({ DISPLAY: ':0' }, 'linux', async () => fakeService('x11'));
    const made = await createService(none, d.deps);
    expect(made.backend).toBe('x11');
    expect(d.calls).toEqual(['create from settings']);
  });

  it('builds the desktopCapturer service elsewhere', async () => {
    const d = deps({}, 'darwin', async () => fakeService('dc'));
    const made = await createService(none, d.deps);
    expect(made.backend).toBe('desktop-capturer');
    expect(d.calls).toEqual(['desktopCapture', 'create with desktop-capturer']);
    // the desktop is told about the service it feeds (to follow its viewers)
    expect(d.attached).toEqual([made.service]);
  });

  it('falls back to desktopCapturer when a guessed X11 display refuses', async () => {
    const d = deps({ DISPLAY: ':0' }, 'linux', async (_s, desk) => {
      if (!desk) throw new Error('connect ECONNREFUSED /tmp/.X11-unix/X0');
      return fakeService('dc');
    });
    const made = await createService(none, d.deps);
    expect(made.backend).toBe('desktop-capturer');
    expect(d.calls).toEqual(['create from settings', 'desktopCapture', 'create with desktop-capturer']);
  });

  it('does not second-guess a source the settings name', async () => {
    const d = deps({}, 'linux', async () => {
      throw new Error('the x11 screen source needs a display');
    });
    await expect(createService(parseConfig({ source: 'x11' }), d.deps)).rejects.toThrow('needs a display');
    expect(d.calls).toEqual(['create from settings']);
  });

  it('stops the capture source when the service cannot be built on it', async () => {
    const d = deps({}, 'win32', async () => {
      throw new Error('boom');
    });
    await expect(createService(none, d.deps)).rejects.toThrow('boom');
    expect(d.stopped()).toBe(1);
  });

  it('hands the service the backend chosen, and after a fallback says why', async () => {
    const x11 = deps({ DISPLAY: ':0' }, 'linux', async () => fakeService('x11'));
    const made = await createService(none, x11.deps);
    expect(made.choice).toEqual({ backend: 'x11', display: ':0', reason: 'X11 session on :0', explicit: false });
    expect(x11.choices).toEqual([made.choice]);

    const refused = deps({ DISPLAY: ':0' }, 'linux', async (_s, desk) => {
      if (!desk) throw new Error('connect ECONNREFUSED /tmp/.X11-unix/X0');
      return fakeService('dc');
    });
    const fallback = await createService(none, refused.deps);
    expect(fallback.choice).toEqual({
      backend: 'system-capture',
      reason: 'X11 session on :0, but X11 failed to start: connect ECONNREFUSED /tmp/.X11-unix/X0',
      explicit: false,
    });
    expect(refused.choices[1]).toEqual(fallback.choice);
  });
});
