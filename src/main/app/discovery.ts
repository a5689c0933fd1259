import { Bonjour } from 'bonjour-service';
import { isLoopbackHost } from '../../shared/hosts.js';
import { getLogger } from '../base/logger.js';

/**
 * Discovery on the LAN: the server announces `_rfb._tcp` over mDNS/DNS-SD
 * with the desktop's name, as Krfb and macOS Screen Sharing do, so viewers
 * that browse (Remmina, TigerVNC's, macOS's Finder, avahi-browse) list the
 * computer without anyone typing an address. bonjour-service (pure
 * JavaScript, maintained) speaks the protocol: probing for a free name,
 * answering queries, saying goodbye when it stops.
 *
 * `auto` (the default) announces only when the server listens beyond
 * loopback: nobody elsewhere could connect otherwise.
 */

export type DiscoveryMode = 'auto' | 'on' | 'off';

const log = getLogger('discovery');

export function shouldAnnounce(mode: DiscoveryMode, listenHost: string): boolean {
  if (mode === 'off') return false;
  if (mode === 'on') return true;
  return !isLoopbackHost(listenHost);
}

export interface Announcement {
  /** The name announced (mDNS may add " (2)" when another computer has it). */
  readonly name: string;
  stop(): Promise<void>;
}

/** Announce `name` on `port`; never throws (a network without multicast only gets a warning). */
export function announce(name: string, port: number): Announcement | null {
  try {
    const bonjour = new Bonjour({}, (err: Error) => log.warn({ err }, 'mDNS announcement failed'));
    const service = bonjour.publish({ name, type: 'rfb', protocol: 'tcp', port });
    service.on('up', () => log.info({ name: service.name, port }, `announced on the LAN (mDNS) as "${service.name}" (_rfb._tcp)`));
    service.on('error', (err: Error) => log.warn({ err }, 'mDNS announcement failed'));
    return {
      get name() {
        return service.name;
      },
      stop: () =>
        new Promise<void>((resolve) => {
          // Goodbye packets first, so browsers drop the entry at once; bounded either way.
          const done = setTimeout(resolve, 1000);
          done.unref();
          bonjour.unpublishAll(() => {
            bonjour.destroy();
            clearTimeout(done);
            resolve();
          });
        }),
    };
  } catch (err) {
    log.warn({ err }, 'mDNS announcement failed');
    return null;
  }
}
