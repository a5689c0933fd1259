import {
  SUBSCRIPTION_METHODS,
  type ControlEventName,
  type ControlReply,
  type WireEvent,
} from '../../../shared/control-contract.js';
import type { ControlConnection, ControlService } from '../../app/control-service.js';
import type { ControlHost, ControlPeer } from './control-ipc.js';

/**
 * One control API for the app's whole life, over services that come and go.
 * Stopping and starting sharing replaces the ControlService (a service is
 * not restartable), but the window's IPC connection and its subscriptions
 * must outlive that: each connection here follows the current service,
 * re-subscribes on a switch, and is handed fresh `clients` and `settings`
 * events so the window shows the new state without asking.
 */

/** How log lines name requests from the app's own window. */
const WINDOW_ORIGIN = 'the TrayVNC window';

class SwitchedConnection implements ControlPeer {
  private inner: ControlConnection;
  private readonly events = new Set<ControlEventName>();
  private closed = false;

  constructor(
    service: ControlService,
    private readonly send: (message: WireEvent) => void,
    private readonly onClose: (c: SwitchedConnection) => void,
  ) {
    this.inner = service.openConnection(send, WINDOW_ORIGIN);
  }

  async call(method: unknown, params: unknown): Promise<ControlReply> {
    const inner = this.inner;
    const reply = await inner.call(method, params);
    // Track what the peer subscribed to, as the service saw it, to carry over on a switch.
    if (inner === this.inner && (SUBSCRIPTION_METHODS as readonly unknown[]).includes(method) && 'result' in reply) {
      this.events.clear();
      for (const e of (reply.result as { subscribed: ControlEventName[] }).subscribed) this.events.add(e);
    }
    return reply;
  }

  async switchTo(service: ControlService): Promise<void> {
    if (this.closed) return;
    this.inner.close();
    this.inner = service.openConnection(this.send, WINDOW_ORIGIN);
    for (const event of this.events) await this.inner.call('subscribe', { event });
    if (this.events.has('clients')) this.send({ event: 'clients', payload: service.listClients() });
    if (this.events.has('settings')) {
      this.send({ event: 'settings', payload: { settings: service.getSettings(), applied: [], restartRequired: service.getState().restartRequired } });
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inner.close();
    this.onClose(this);
  }
}

export class ControlSwitch implements ControlHost {
  private current: ControlService;
  private readonly connections = new Set<SwitchedConnection>();

  constructor(initial: ControlService) {
    this.current = initial;
  }

  get service(): ControlService {
    return this.current;
  }

  openConnection(send: (message: WireEvent) => void): ControlPeer {
    const c = new SwitchedConnection(this.current, send, (closed) => this.connections.delete(closed));
    this.connections.add(c);
    return c;
  }

  /** Move every connection to `next`. The caller closes the previous service. */
  async switchTo(next: ControlService): Promise<void> {
    this.current = next;
    for (const c of [...this.connections]) await c.switchTo(next);
  }
}
