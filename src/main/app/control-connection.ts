import type { ControlEventName, ControlMethod, ControlParams, ControlReply, ControlResult, WireEvent } from '../../shared/control-contract.js';
import { ControlError, isControlMethod } from '../../shared/control-contract.js';
import { CONTROL_PARAMS } from '../../shared/control-params.js';
import type { ControlService } from './control-service.js';
import { invitationsOf } from './invitations.js';
import { reverseOf } from './reverse-connections.js';

/** A connection's origin when its transport does not say. */
export const DEFAULT_ORIGIN = 'the control API';

type Handlers = { [M in ControlMethod]: (params: ControlParams<M>) => ControlResult<M> | Promise<ControlResult<M>> };

/**
 * One peer's view of the service, shared by both transports: it checks the
 * method name against the contract's list and the params against its schema,
 * keeps this peer's subscriptions (dropped on `close()`), and turns every
 * outcome into a ControlReply, so nothing thrown crosses a transport as an
 * exception.
 */
export class ControlConnection {
  private readonly subscriptions = new Map<ControlEventName, () => void>();
  private closed = false;
  private readonly handlers: Handlers;

  constructor(
    readonly service: ControlService,
    private readonly send: (message: WireEvent) => void,
    /** Who is on the other end, for log lines about what it did ("the dashboard at 10.0.0.7:51234"). */
    readonly origin: string = DEFAULT_ORIGIN,
  ) {
    this.handlers = {
      getState: () => service.getState(),
      getSettings: () => service.getSettings(),
      updateSettings: (p) => service.updateSettings(p),
      listClients: () => service.listClients(),
      disconnectClient: (p) => service.disconnectClient(p.id, origin),
      setClientControl: (p) => service.setClientControl(p.id, p.control, origin),
      listMonitors: () => service.listMonitors(),
      subscribe: (p) => this.subscribe(p.event),
      unsubscribe: (p) => this.unsubscribe(p.event),
      getRecordingStatus: () => service.recordings.status() ?? service.noRecordings(),
      startRecording: () => service.recordings.start(),
      stopRecording: () => service.recordings.stop(),
      listRecordings: () => service.recordings.list(),
      getRecordingInfo: (p) => service.recordings.get(p.name),
      readRecordingSegment: (p) => service.recordings.segment(p.name, p.index, p.keyframeOnly ?? false),
      deleteRecording: (p) => service.recordings.delete(p.name),
      // Uploads belong to this connection: they end with it (close()).
      importRecording: (p) => service.recordings.importChunk(this, p),
      listApprovals: () => service.listApprovals(),
      answerApproval: (p) => service.answerApproval(p.id, p.answer, origin),
      createInvitation: (p) => invitationsOf(service.target).create(p),
      listInvitations: () => invitationsOf(service.target).list(),
      revokeInvitation: (p) => invitationsOf(service.target).revoke(p.id),
      connectToViewer: (p) => reverseOf(service.target).connect(p.target),
      listReverseConnections: () => reverseOf(service.target).list(),
    };
  }

  /** Events this peer receives. */
  get subscribed(): ControlEventName[] {
    return [...this.subscriptions.keys()];
  }

  /** Run one request; never throws. */
  async call(method: unknown, params: unknown): Promise<ControlReply> {
    if (this.closed) return { error: { message: 'connection closed', code: 'unavailable' } };
    if (!isControlMethod(method)) {
      const name = typeof method === 'string' ? `"${method.slice(0, 64)}"` : String(typeof method);
      return { error: { message: `unknown method ${name}`, code: 'unknown-method' } };
    }
    try {
      return { result: (await this.run(method, params)) ?? null };
    } catch (e) {
      if (e instanceof ControlError) return { error: e.toData() };
      this.service.log.error({ err: e, method }, 'control request failed');
      return { error: { message: e instanceof Error ? e.message : String(e), code: 'failed' } };
    }
  }

  private async run<M extends ControlMethod>(method: M, raw: unknown): Promise<ControlResult<M>> {
    const parsed = CONTROL_PARAMS[method].safeParse(raw);
    if (!parsed.success) {
      const message = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
      throw new ControlError(`${method}: ${message}`, 'invalid-params');
    }
    const handler = this.handlers[method] as (p: ControlParams<M>) => ControlResult<M> | Promise<ControlResult<M>>;
    return handler(parsed.data);
  }

  private subscribe(event: ControlEventName): { subscribed: ControlEventName[] } {
    if (!this.subscriptions.has(event)) {
      this.subscriptions.set(
        event,
        this.service.subscribe(event, (payload) => {
          if (!this.closed) this.send({ event, payload } as WireEvent);
        }),
      );
    }
    return { subscribed: this.subscribed };
  }

  private unsubscribe(event: ControlEventName): { subscribed: ControlEventName[] } {
    this.subscriptions.get(event)?.();
    this.subscriptions.delete(event);
    return { subscribed: this.subscribed };
  }

  /** The peer went away: drop its subscriptions. */
  close(): void {
    this.closed = true;
    this.service.recordings.imports.dropAll(this);
    for (const off of this.subscriptions.values()) off();
    this.subscriptions.clear();
  }
}
