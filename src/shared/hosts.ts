/**
 * What a host name or listening address means, for the server, the tray menu
 * and the control window alike. Plain code (no Node modules).
 */

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
