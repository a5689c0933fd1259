import type { ClientInfo, Endpoint, ServerState } from '../shared/control-contract.js';
import { isWildcardHost } from '../shared/hosts.js';
import { formatCount, formatEndpoint } from './format.js';

/** The header's one-line status: "Sharing on 127.0.0.1:5900 · 1 viewer · password set". */
export function serverStatusText(state: ServerState | null, viewers?: number): string {
  if (!state) return 'Connecting…';
  if (!state.running || !state.address) return 'Not sharing';
  const n = viewers ?? state.clients;
  return [
    `Sharing on ${formatEndpoint(state.address)}`,
    formatCount(n, 'viewer', 'viewers'),
    state.viewOnlyPasswordSet ? 'password and view-only password set' : state.passwordSet ? 'password set' : 'no password',
  ].join(' · ');
}

/** What the header adds about the desktop being shared: the test pattern is no real desktop, and may not be what was meant. */
export interface DesktopNotice {
  text: string;
  /** The longer story (a tooltip). */
  detail: string;
  /** No display was found: the test pattern is shared for want of one. */
  warning: boolean;
}

export function desktopNotice(state: ServerState | null): DesktopNotice | null {
  const backend = state?.running ? state.backend : null;
  if (backend?.kind !== 'synthetic') return null;
  if (backend.warning) return { text: 'Sharing the synthetic test pattern: no display found', detail: backend.warning, warning: true };
  return { text: 'Sharing the synthetic test pattern', detail: `Sharing the synthetic test pattern (${backend.reason})`, warning: false };
}

/** What the header says when the server is unsafe to reach: the worst warning in a few words, all of them in the tooltip. */
export function securityNotice(state: ServerState | null): DesktopNotice | null {
  const warnings = state?.running ? state.securityWarnings : [];
  if (!warnings || warnings.length === 0) return null;
  const detail = warnings.map((w) => w.message).join('\n');
  const text = warnings.some((w) => w.kind === 'no-auth') ? 'No authentication: anyone on the network can control this desktop' : 'Unencrypted logins from the network';
  return { text, detail, warning: true };
}

export interface ConnectAddress {
  /** What connects there ("VNC viewer"). */
  kind: string;
  /** The address to type in. */
  address: string;
  /** When the listener takes every interface: which hosts that means. */
  note?: string;
}

/**
 * Where viewers connect. A wildcard listener is shown with the host this page
 * was opened on (the dashboard's address is reachable from here), or as
 * just a port when there is none (the tray app's own window).
 */
export function connectAddresses(state: ServerState | null, pageHostname: string): ConnectAddress[] {
  if (!state?.running) return [];
  const out: ConnectAddress[] = [];
  const show = (kind: string, e: Endpoint, scheme = '') => {
    if (!isWildcardHost(e.host)) {
      out.push({ kind, address: scheme + formatEndpoint(e) });
      return;
    }
    if (!pageHostname || isWildcardHost(pageHostname)) {
      out.push({ kind, address: `port ${e.port}`, note: "on any of this computer's network addresses" });
      return;
    }
    out.push({ kind, address: scheme + formatEndpoint({ host: pageHostname, port: e.port }), note: 'listening on all network interfaces' });
  };
  if (state.address) show('VNC viewers', state.address);
  if (state.websocket) show('Browser viewers (WebSocket)', state.websocket, state.websocketSecure ? 'wss://' : 'ws://');
  return out;
}

/** The fingerprints viewers show on a first connection, as rows to compare them by eye. */
export function identityRows(state: ServerState | null): Array<{ kind: string; value: string; note: string }> {
  const id = state?.running ? state.identity : null;
  if (!id) return [];
  const rows: Array<{ kind: string; value: string; note: string }> = [];
  if (id.tlsFingerprint) rows.push({ kind: 'TLS certificate (SHA-256)', value: id.tlsFingerprint, note: 'TigerVNC and Remmina show it for the X509 security types' });
  if (id.rsaFingerprint) rows.push({ kind: 'RSA key', value: id.rsaFingerprint, note: "noVNC's “Server identity” and TigerVNC show it for RSA-AES" });
  return rows;
}

const SECURITY_NAMES: Record<string, string> = {
  vencrypt: 'TLS (VeNCrypt)',
  ra2_256: 'RSA-AES-256',
  ra2: 'RSA-AES',
  ra2ne_256: 'RSA-AES-256, password only',
  ra2ne: 'RSA-AES, password only',
  vnc: 'VNC password, unencrypted',
  none: 'no authentication',
};

/** How a viewer got in, in a few words: "TLS (VeNCrypt) · ada", "VNC password, unencrypted · browser". */
export function clientSecurityText(c: ClientInfo): string {
  const parts = [c.security ? (SECURITY_NAMES[c.security] ?? c.security) : 'security unknown'];
  if (c.user) parts.push(c.user);
  if (c.transport === 'websocket-tls') parts.push('browser, wss://');
  else if (c.transport === 'websocket') parts.push('browser');
  return parts.join(' · ');
}
