import { ControlError } from '../../shared/control-contract.js';
import { CLOSE_UNAUTHORIZED, createControlClient, ipcTransport, webSocketTransport, type ControlClient } from './control-client.js';
import { controlSocketUrl, reconnectDelay } from './socket-url.js';

/**
 * Opening the control API for the UI. In the tray app the preload's bridge is
 * there and never drops. In a browser it is a WebSocket back to the page's
 * own host and port (with the page's `?token=`), reopened with backoff when
 * it drops; a refused token is final.
 */

export type ConnectionState =
  /** First attempt under way. */
  | { phase: 'connecting'; client: null }
  | { phase: 'open'; client: ControlClient }
  /** Never reached the server yet; trying again. */
  | { phase: 'unreachable'; client: null }
  /** Was connected; trying again. */
  | { phase: 'lost'; client: null }
  /** The token was refused: retrying cannot help. */
  | { phase: 'unauthorized'; client: null };

/** Connect and keep connected; `onChange` hears every change. Returns a function that stops. */
export function connectControl(onChange: (state: ConnectionState) => void): () => void {
  const bridge = window.trayvnc;
  if (bridge) {
    const client = createControlClient(ipcTransport(bridge));
    onChange({ phase: 'open', client });
    return () => client.close();
  }

  let stopped = false;
  let everOpen = false;
  let attempt = 0;
  let client: ControlClient | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const open = () => {
    if (stopped) return;
    const transport = webSocketTransport(controlSocketUrl(window.location.href));
    const c = createControlClient(transport);
    client = c;
    let ready = false;
    // The first reply proves the socket is up and the token good.
    c.getState().then(
      () => {
        if (stopped || client !== c) return;
        ready = true;
        everOpen = true;
        attempt = 0;
        onChange({ phase: 'open', client: c });
      },
      (e: unknown) => {
        // A refusal or a drop also closes the socket: the close handler decides.
        if (!(e instanceof ControlError)) console.error(e);
      },
    );
    void transport.closed.then(({ code }) => {
      c.close();
      if (stopped || client !== c) return;
      client = null;
      if (code === CLOSE_UNAUTHORIZED) {
        onChange({ phase: 'unauthorized', client: null });
        return;
      }
      onChange({ phase: everOpen || ready ? 'lost' : 'unreachable', client: null });
      retryTimer = setTimeout(open, reconnectDelay(attempt++));
    });
  };

  onChange({ phase: 'connecting', client: null });
  open();
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    client?.close();
    client = null;
  };
}
