import { networkInterfaces } from 'node:os';

/**
 * The browser viewer's address for a link someone else opens: the
 * dashboard's page address with the viewer's path, and when the dashboard
 * listens on every address (0.0.0.0, ::), this computer's first LAN address
 * in its place (a link to 0.0.0.0 leads nowhere).
 */
export function viewerUrlOf(pageUrl: string, lanAddress: () => string | null = firstLanAddress): string {
  const u = new URL(pageUrl);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (host === '0.0.0.0' || host === '::') {
    const lan = lanAddress();
    if (lan) u.hostname = lan.includes(':') ? `[${lan}]` : lan;
  }
  return `${u.protocol}//${u.host}/viewer`;
}

/** The first non-internal IPv4 address, else IPv6, of this computer; null when it has none. */
export function firstLanAddress(): string | null {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  const external = all.filter((a) => !a.internal);
  return external.find((a) => a.family === 'IPv4')?.address ?? external.find((a) => a.family === 'IPv6')?.address ?? null;
}
