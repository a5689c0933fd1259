import { z } from 'zod';

/**
 * What a host name or listening address means, for the server, the tray menu
 * and the control window alike. Plain code (no Node modules).
 */

const ipv4 = z.ipv4();
const ipv6 = z.ipv6();
const hostName = z.hostname();

/**
 * Whether `host` can be a listening address: an IPv4 address, an IPv6
 * address (without brackets; a `%zone` suffix allowed), or a host name made
 * of RFC 1123 labels. Whether a name resolves is for listen() to find out.
 */
export function isHostOrAddress(host: string): boolean {
  if (ipv4.safeParse(host).success) return true;
  if (host.includes(':')) {
    const [address = '', zone] = host.split('%', 2) as [string, string | undefined];
    return ipv6.safeParse(address).success && (zone === undefined || /^[\w.-]+$/.test(zone)) && host.split('%').length <= 2;
  }
  // All-numeric labels make an IPv4 address, never a name (RFC 1123 §2.1): this one is not a valid address.
  if (/^[\d.]+$/.test(host)) return false;
  return hostName.safeParse(host).success;
}

/** Whether a listening address means "every interface". */
export function isWildcardHost(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::' || host === '::0' || host === '[::]';
}

/**
 * Whether a host name or address is this computer only: localhost (and
 * *.localhost), 127.0.0.0/8, ::1 (bracketed or not), and IPv4-mapped 127.x.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '[::1]' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(h);
}

/** host:port, with IPv6 hosts in brackets ("[::1]:5900"). */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
