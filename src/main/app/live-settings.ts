import { isLoopbackHost } from '../../shared/hosts.js';
import type { SettingKey, Settings } from '../../shared/settings-schema.js';
import { defaultDesktopName } from './config.js';
import type { ControlTarget } from './control-service.js';

/** Settings that the running server takes without a restart, and how. */
export type LiveApplier = (target: ControlTarget, next: Settings) => boolean;

export const LIVE_SETTINGS: Partial<Record<SettingKey, LiveApplier>> = {
  frame_rate: (t, s) => (t.server.setFrameRate(s.frame_rate), true),
  max_connections: (t, s) => ((t.server.options.maxConnections = s.max_connections), true),
  view_only: (t, s) => ((t.server.options.viewOnly = s.view_only), true),
  always_shared: (t, s) => ((t.server.options.alwaysShared = s.always_shared), true),
  allow_resize: (t, s) => ((t.server.options.allowResize = s.allow_resize), true),
  handshake_timeout: (t, s) => ((t.server.options.handshakeTimeoutMs = s.handshake_timeout * 1000), true),
  desktop_name: (t, s) => (t.server.setDesktopName(s.desktop_name ?? defaultDesktopName()), true),
  enable_region_detection: (t, s) => {
    if (!t.setRegionDetection) return false;
    t.setRegionDetection(s.enable_region_detection);
    return true;
  },
  // A new password applies to the next viewer. Removing one applies live only while another password
  // still guards the server, or it listens on loopback: the listen address was chosen knowing there was one.
  password: (t, s) => {
    if (s.password_file !== undefined) return false;
    if (s.password === null || s.password === undefined) {
      if (!canDropPassword(t, t.server.options.viewOnlyPassword)) return false;
      t.server.options.password = null;
      return true;
    }
    t.server.options.password = s.password;
    return true;
  },
  // The same for the view-only password (which may also come from a vncpasswd password file: then a restart reads it).
  view_only_password: (t, s) => {
    if (s.view_only_password_file !== undefined) return false;
    if (s.view_only_password === null || s.view_only_password === undefined) {
      if (s.password_file !== undefined || !canDropPassword(t, t.server.options.password)) return false;
      t.server.options.viewOnlyPassword = null;
      return true;
    }
    t.server.options.viewOnlyPassword = s.view_only_password;
    return true;
  },
  // Recording settings apply from the next recording on (a mode change at once).
  record_dir: (t, s) => recordingSettings(t, s),
  record_mode: (t, s) => recordingSettings(t, s),
  record_keys: (t, s) => recordingSettings(t, s),
  record_clipboard_text: (t, s) => recordingSettings(t, s),
  // Attended access applies from the next viewer that authenticates.
  accept_prompt: (t, s) => attendedSettings(t, s),
  accept_timeout: (t, s) => attendedSettings(t, s),
  accept_default: (t, s) => attendedSettings(t, s),
};

function attendedSettings(t: ControlTarget, s: Settings): boolean {
  if (!t.useAttendedSettings) return false;
  t.useAttendedSettings(s);
  return true;
}

function recordingSettings(t: ControlTarget, s: Settings): boolean {
  if (!t.recordings) return false;
  t.recordings.useSettings(s);
  return true;
}

/** Whether a password may go while running: another (`other`) still guards the server, or it listens on loopback only. */
function canDropPassword(t: ControlTarget, other: string | null): boolean {
  return other !== null || (t.listening !== null && isLoopbackHost(t.listening.address));
}
