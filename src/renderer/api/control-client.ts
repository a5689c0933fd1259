import {
  CONTROL_METHODS,
  ControlError,
  isControlEvent,
  type ControlApi,
  type ControlBridge,
  type ControlErrorData,
  type ControlEventMap,
  type ControlEventName,
  type ControlMethod,
  type ControlReply,
  type WireEvent,
} from '../../shared/control-contract.js';

/**
 * The renderer's side of the control API: one typed client, generic over how
 * requests travel. In the tray app that is Electron IPC through the preload
 * (`ipcTransport(window.trayvnc)`); in the headless dashboard, a WebSocket
 * (`webSocketTransport(url)`). Browser APIs only: no Node modules.
 */

/** How requests and events travel. */
export interface ControlTransport {
  /** Send one request; resolves to its reply (errors as data), rejects only when the transport fails. */
  request(method: ControlMethod, params: unknown): Promise<ControlReply>;
  /** Deliver every pushed event; returns a function that stops delivery. */
  onEvent(listener: (message: WireEvent) => void): () => void;
  close(): void;
}

/** The typed API (subscription plumbing replaced by `on`). */
export type ControlClient = Omit<ControlApi, 'subscribe' | 'unsubscribe'> & {
  /**
   * Call `listener` with every `event` until the returned function is called.
   * The server is asked for the event on the first listener and told to stop
   * after the last one leaves.
   */
  on<E extends ControlEventName>(event: E, listener: (payload: ControlEventMap[E]) => void): () => void;
  close(): void;
};

function unwrap(reply: ControlReply): unknown {
  if ('error' in reply) throw ControlError.fromData(reply.error);
  return reply.result;
}

/** Build the typed client: its methods are generated from the contract's method list. */
export function createControlClient(transport: ControlTransport): ControlClient {
  const api: Record<string, unknown> = {};
  for (const method of CONTROL_METHODS) {
    if (method === 'subscribe' || method === 'unsubscribe') continue;
    api[method] = async (params?: unknown) => unwrap(await transport.request(method, params));
  }
  const listeners = new Map<ControlEventName, Set<(payload: never) => void>>();
  const stop = transport.onEvent((message) => {
    if (!isControlEvent(message.event)) return;
    for (const l of [...(listeners.get(message.event) ?? [])]) {
      try {
        l(message.payload as never);
      } catch (e) {
        // One broken view must not starve the others.
        console.error(e);
      }
    }
  });
  const on = <E extends ControlEventName>(event: E, listener: (payload: ControlEventMap[E]) => void): (() => void) => {
    let set = listeners.get(event);
    if (!set) {
      set = new Set();
      listeners.set(event, set);
      void transport.request('subscribe', { event }).then(unwrap).catch((e: unknown) => console.error(e));
    }
    set.add(listener as (payload: never) => void);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const s = listeners.get(event);
      if (!s) return;
      s.delete(listener as (payload: never) => void);
      if (s.size === 0) {
        listeners.delete(event);
        void transport.request('unsubscribe', { event }).catch(() => undefined);
      }
    };
  };
  api['on'] = on;
  api['close'] = () => {
    stop();
    listeners.clear();
    transport.close();
  };
  return api as ControlClient;
}

/** Electron: the preload's `window.trayvnc`. */
export function ipcTransport(bridge: ControlBridge): ControlTransport {
  return {
    request: (method, params) => bridge[method](params) as Promise<ControlReply>,
    onEvent: (listener) => bridge.onEvent(listener),
    close: () => undefined,
  };
}

/** The parts of the browser's WebSocket used here (the `ws` package's client fits too, for tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (ev: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: () => void): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface WebSocketTransportOptions {
  /** WebSocket implementation (default: the browser's). */
  WebSocket?: WebSocketConstructor;
  /** A request without a reply after this long fails (default 10 s). */
  timeoutMs?: number;
}

const OPEN = 1;
/** The server's close code for a missing or wrong token. */
export const CLOSE_UNAUTHORIZED = 4401;

/**
 * The dashboard's transport: `url` is `ws://host:port/control?token=…`.
 * Requests made before the socket opens wait for it; every request has a
 * deadline; when the socket closes, waiting requests fail with code
 * 'unauthorized' (close code 4401) or 'unavailable'.
 */
export function webSocketTransport(url: string, opts: WebSocketTransportOptions = {}): ControlTransport & {
  /** Resolves when the socket closes, with its close code. */
  readonly closed: Promise<{ code: number; reason: string }>;
} {
  const Ctor = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Ctor) throw new ControlError('no WebSocket implementation available', 'unavailable');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const ws = new Ctor(url);
  let nextId = 1;
  let closedWith: ControlErrorData | null = null;
  const pending = new Map<number, { resolve: (r: ControlReply) => void; timer: ReturnType<typeof setTimeout> }>();
  const queue: string[] = [];
  const eventListeners = new Set<(m: WireEvent) => void>();
  let resolveClosed: (v: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((r) => (resolveClosed = r));

  ws.addEventListener('open', () => {
    for (const m of queue.splice(0)) ws.send(m);
  });
  ws.addEventListener('message', (ev) => {
    if (typeof ev.data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as Record<string, unknown>;
    if (typeof m['event'] === 'string') {
      for (const l of [...eventListeners]) l(m as unknown as WireEvent);
      return;
    }
    const p = typeof m['id'] === 'number' ? pending.get(m['id']) : undefined;
    if (!p) return;
    pending.delete(m['id'] as number);
    clearTimeout(p.timer);
    p.resolve('error' in m ? { error: m['error'] as ControlErrorData } : { result: m['result'] });
  });
  ws.addEventListener('close', (ev) => {
    closedWith =
      ev.code === CLOSE_UNAUTHORIZED
        ? { message: 'the control API refused the token', code: 'unauthorized' }
        : { message: `the control connection closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`, code: 'unavailable' };
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.resolve({ error: closedWith });
      pending.delete(id);
    }
    queue.length = 0;
    resolveClosed({ code: ev.code, reason: ev.reason });
  });
  ws.addEventListener('error', () => undefined);

  return {
    closed,
    request(method, params) {
      if (closedWith) return Promise.resolve({ error: closedWith });
      const id = nextId++;
      const text = JSON.stringify(params === undefined ? { id, method } : { id, method, params });
      return new Promise<ControlReply>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve({ error: { message: `${method}: no reply within ${timeoutMs} ms`, code: 'unavailable' } });
        }, timeoutMs);
        pending.set(id, { resolve, timer });
        if (ws.readyState === OPEN) ws.send(text);
        else queue.push(text);
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    close() {
      ws.close(1000);
    },
  };
}

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a plain browser. */
    trayvnc?: ControlBridge;
  }
}
