/** Where the dashboard's control socket is, and how long to wait before trying it again. Pure: tested in Node. */

export const CONTROL_PATH = '/control';

/** `http://host:port/?token=T#metrics` → `ws://host:port/control?token=T` (wss for an https page). */
export function controlSocketUrl(pageHref: string): string {
  const page = new URL(pageHref);
  const url = new URL(CONTROL_PATH, page);
  url.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  const token = page.searchParams.get('token');
  if (token !== null) url.searchParams.set('token', token);
  return url.href;
}

/** Whether the page address carries a token at all. */
export function pageHasToken(pageHref: string): boolean {
  return (new URL(pageHref).searchParams.get('token') ?? '') !== '';
}

export const RECONNECT_FIRST_MS = 500;
export const RECONNECT_MAX_MS = 10_000;

/** Backoff before reconnect attempt `attempt` (0-based): 0.5 s doubling to at most 10 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** Math.max(0, Math.min(attempt, 30)));
}
