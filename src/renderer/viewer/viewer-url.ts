/**
 * Where the bundled viewer connects: the RFB-over-WebSocket path on the host
 * that served the page, with an invitation taken from the page's fragment.
 * Pure: the unit tests run it in Node.
 */

/** The dashboard port's RFB-over-WebSocket path (noVNC's usual one). */
export const WEBSOCKIFY_PATH = '/websockify';

export interface ViewerAddress {
  /** ws://host:port/websockify (wss for an https page), with `?invite=` when the fragment held one. */
  socketUrl: string;
  /** The invitation, if the fragment held one. */
  invite: string | null;
  /**
   * The page's address without the invitation, to put in the address bar in
   * place of the one it came with (so it is not bookmarked or shared); null
   * when there was nothing to take out.
   */
  cleanHref: string | null;
}

/**
 * `http://host:5980/viewer#invite=S` → `ws://host:5980/websockify?invite=S`.
 * The invitation travels in the fragment because browsers never send a
 * fragment to the server, nor in a Referer; it goes to the server only
 * inside the WebSocket request.
 */
export function viewerAddress(pageHref: string): ViewerAddress {
  const page = new URL(pageHref);
  const socket = new URL(WEBSOCKIFY_PATH, page);
  socket.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  socket.search = '';
  socket.hash = '';
  // Split by hand rather than as a form: a '+' in the secret is a '+', not a space.
  const parts = page.hash.replace(/^#/, '').split('&').filter((p) => p !== '');
  const at = parts.findIndex((p) => p.startsWith('invite='));
  const invite = at < 0 ? '' : decodeOrRaw(parts[at]!.slice('invite='.length));
  if (invite === '') return { socketUrl: socket.href, invite: null, cleanHref: null };
  parts.splice(at, 1);
  const clean = new URL(page.href);
  clean.hash = parts.join('&');
  return {
    socketUrl: `${socket.href}?invite=${encodeURIComponent(invite)}`,
    invite,
    // new URL keeps a bare '#' when the hash is set to ''; cut it.
    cleanHref: clean.href.replace(/#$/, ''),
  };
}

/** A percent-encoded value, or the value as it is when it is not valid percent-encoding. */
function decodeOrRaw(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
