import type { Settings } from '../../shared/settings-schema.js';
import { DEFAULT_LIMITS } from '../rfb/client-messages.js';
import type { RfbServerOptions } from '../rfb/server.js';
import { vencryptSubtypeByName } from '../rfb/security/vencrypt.js';
import { defaultDesktopName, type Passwords } from './config.js';

/** The server options that settings decide (the rest keep RfbServer's defaults or are given by the service: keys, users). */
export type SettingsServerOptions = Omit<RfbServerOptions, 'maxQueuedBytes' | 'pacing' | 'keys' | 'users' | 'admission'>;

/**
 * The RfbServer options for these settings, with the passwords already
 * resolved (resolvePasswords: inline or from their files). The running
 * service and the tray app's idle control target both build their server
 * from this, so a setting reads the same whether sharing runs or not.
 */
export function serverOptionsFrom(settings: Settings, passwords: Passwords): SettingsServerOptions {
  return {
    password: passwords.full,
    viewOnlyPassword: passwords.viewOnly,
    securityTypes: settings.security_types ?? null,
    vencryptSubtypes: settings.vencrypt_subtypes?.map((name) => vencryptSubtypeByName(name)!) ?? null,
    desktopName: settings.desktop_name ?? defaultDesktopName(),
    frameRate: settings.frame_rate,
    maxConnections: settings.max_connections,
    alwaysShared: settings.always_shared,
    handshakeTimeoutMs: settings.handshake_timeout * 1000,
    limits: { ...DEFAULT_LIMITS, maxCutText: settings.max_cut_text },
    viewOnly: settings.view_only,
    allowResize: settings.allow_resize,
  };
}
