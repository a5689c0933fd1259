import type { Settings } from '../../../shared/settings-schema.js';
import { resolvePasswords, type Passwords } from '../../app/config.js';
import type { ControlTarget } from '../../app/control-service.js';
import { serverOptionsFrom } from '../../app/server-options.js';
import type { ScreenSource } from '../../desktop/screen.js';
import { RfbServer } from '../../rfb/server.js';

/**
 * What the control API talks to while not sharing: a server that never
 * listens and a screen of no size. The window can still read and change the
 * settings (they apply at the next start) and sees `running: false`.
 */
const NO_SCREEN: ScreenSource = {
  name: 'none',
  width: 0,
  height: 0,
  start: async () => undefined,
  grab: async () => [],
  takeDamage: () => [],
  onDamage: () => undefined,
  onResize: () => undefined,
  stop: async () => undefined,
};

function passwordsOf(settings: Settings): Passwords {
  try {
    return resolvePasswords(settings);
  } catch {
    return { full: null, viewOnly: null }; // an unreadable password file is reported when sharing starts
  }
}

export function idleTarget(settings: Settings): ControlTarget {
  const passwords = passwordsOf(settings);
  return {
    server: new RfbServer(serverOptionsFrom(settings, passwords)),
    config: settings,
    source: NO_SCREEN,
    listening: null,
    password: passwords.full,
    viewOnlyPassword: passwords.viewOnly,
    websocket: null,
  };
}
