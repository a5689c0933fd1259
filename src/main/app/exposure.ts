import type { SecurityWarning } from '../../shared/control-contract.js';
import { isLoopbackHost } from '../../shared/hosts.js';

/** A security type as the exposure check sees it. */
export interface OfferedType {
  name: string;
  encrypts: boolean;
}

export interface ExposureCheck {
  /** Why the server must not start this way, or null. */
  error: string | null;
  /** What the user should know (the log at start, the dashboard, the tray window). */
  warnings: SecurityWarning[];
}

/**
 * Whether listening on `host` with these security types leaves the desktop
 * open: beyond loopback with no authentication at all the server refuses to
 * start unless the user said --insecure-no-auth (and is warned then); beyond
 * loopback with only unencrypted types (VNC Authentication) it warns.
 */
export function checkExposure(host: string, offered: readonly OfferedType[], insecureNoAuth: boolean): ExposureCheck {
  if (isLoopbackHost(host)) return { error: null, warnings: [] };
  const where = host === '0.0.0.0' || host === '::' ? 'every network interface' : host;
  const noAuth = offered.length > 0 && offered.every((t) => t.name === 'none');
  if (noAuth && !insecureNoAuth) {
    return {
      error:
        `refusing to listen on ${where} without authentication: anyone who can reach this computer could see and control it. ` +
        'Set a password (--password-file FILE; `trayvnc passwd FILE` makes one) or listen on 127.0.0.1; ' +
        'to share without any password all the same, add --insecure-no-auth',
      warnings: [],
    };
  }
  if (noAuth) return { error: null, warnings: [{ kind: 'no-auth', message: `No authentication: anyone who can reach ${where} can see and control this desktop.` }] };
  if (!offered.some((t) => t.encrypts)) {
    return {
      error: null,
      warnings: [
        {
          kind: 'unencrypted',
          message:
            'Viewers on other computers log in with VNC Authentication only: the screen, keys and clipboard cross the network unencrypted. Offer an encrypted type (vencrypt, ra2) or reach this server through a tunnel.',
        },
      ],
    };
  }
  return { error: null, warnings: [] };
}
