import type { RfbServer, RfbServerEvents } from '../rfb/server.js';
import type { Session } from '../rfb/session.js';
import type { AttendedAccess, Decision } from './attended-access.js';
import type { AuditFile } from './audit-file.js';
import type { RecordingController, RecordingStatus } from './recording-controller.js';

/**
 * One line of the audit trail. Every line has `time` (ISO 8601) and `event`;
 * the rest depends on the event (docs: README, "Audit trail"). Passwords and
 * clipboard text are never in it: the events it is made from do not carry
 * passwords, and of the clipboard only the size is written.
 */
export type AuditRecord = { time: string; event: string } & Record<string, unknown>;

export interface AuditSources {
  server: RfbServer;
  attended?: AttendedAccess | null;
  recordings?: RecordingController | null;
}

/** Who let a viewer in, as the trail says it. */
function acceptedBy(d: Decision | undefined): Record<string, unknown> {
  if (!d) return { acceptedBy: 'auto' };
  return { acceptedBy: d.by, ...(d.origin ? { acceptor: d.origin } : {}), ...(d.timedOut ? { timedOut: d.timedOut } : {}) };
}

/** The fields that say which viewer a line is about. */
function viewer(s: Session): Record<string, unknown> {
  return { session: s.id.slice(0, 8), address: s.address };
}

/**
 * The audit trail: who connected, how they authenticated and who let them
 * in, refusals and blocks, why they left, control changes, clipboard
 * transfers (direction and size) and recordings — one JSON line each, in
 * an AuditFile. It only listens: it changes nothing in what it follows.
 */
export class AuditTrail {
  private readonly detach: Array<() => void> = [];

  constructor(
    private readonly file: AuditFile,
    sources: AuditSources,
    private readonly now: () => Date = () => new Date(),
  ) {
    const { server, attended, recordings } = sources;
    const decision = (s: Session) => attended?.decisionFor(s);
    this.on(server, 'authenticated', (s, ok) => {
      this.write('authentication', { ...viewer(s), ip: s.ip, securityType: s.securityType, ok });
    });
    this.on(server, 'connected', (s) => {
      this.write('connected', {
        ...viewer(s),
        ip: s.ip,
        securityType: s.securityType,
        user: s.user,
        access: s.viewOnly ? 'view-only' : 'full',
        ...acceptedBy(decision(s)),
      });
    });
    this.on(server, 'refused', (address, reason, s, announced) => {
      if (!s) {
        // Refused before its handshake (blacklisted, over its rate): said once per block or burst, as in the log.
        if (announced) this.write('refused', { address, reason, stage: 'admission' });
        return;
      }
      const d = decision(s);
      this.write('refused', {
        ...viewer(s),
        ip: s.ip,
        reason,
        ...(s.securityType ? { securityType: s.securityType } : {}),
        ...(d ? { refusedBy: d.by, ...(d.origin ? { refuser: d.origin } : {}), ...(d.timedOut ? { timedOut: d.timedOut } : {}) } : {}),
      });
    });
    this.on(server, 'blocked', (address, ms) => this.write('blocked', { address, seconds: ms / 1000 }));
    this.on(server, 'disconnected', (s, reason) => {
      // Refusals are written as such; a connection that never got in and was not refused (a port probe) is not a viewer.
      if (!s.initialised) return;
      this.write('disconnected', { ...viewer(s), reason, seconds: Math.round((this.now().getTime() - s.connectedAt.getTime()) / 100) / 10 });
    });
    this.on(server, 'control', (s, viewOnly, by) => this.write('control', { ...viewer(s), viewOnly, ...(by ? { by } : {}) }));
    this.on(server, 'clipboard', (s, text) => this.write('clipboard', { ...viewer(s), direction: 'from-viewer', bytes: Buffer.byteLength(text, 'utf8') }));
    this.on(server, 'clipboardToViewers', (text) => {
      const viewers = server.clients.length;
      if (viewers > 0) this.write('clipboard', { direction: 'to-viewers', viewers, bytes: Buffer.byteLength(text, 'utf8') });
    });
    if (recordings) this.followRecordings(recordings);
  }

  /** Write when recordings start and stop (the controller exists once the service listens). */
  followRecordings(recordings: RecordingController): void {
    let active: RecordingStatus['active'] = recordings.status().active;
    this.detach.push(
      recordings.subscribe((status) => {
        const was = active;
        active = status.active;
        if (was && was.path !== status.active?.path) this.write('recording-stopped', { file: was.path, ...(status.error ? { error: status.error } : {}) });
        if (status.active && status.active.path !== was?.path) this.write('recording-started', { file: status.active.path });
      }),
    );
  }

  /** Write one line now (the service's start and stop, and anything else not heard from the sources). */
  write(event: string, fields: Record<string, unknown> = {}): void {
    const record: AuditRecord = { time: this.now().toISOString(), event, ...fields };
    this.file.append(record);
  }

  /** Stop listening, write what is queued and close the file. */
  async close(): Promise<void> {
    for (const off of this.detach.splice(0)) off();
    await this.file.close();
  }

  private on<E extends keyof RfbServerEvents>(server: RfbServer, event: E, listener: (...args: RfbServerEvents[E]) => void): void {
    // EventEmitter's typed overloads do not narrow over a generic event name.
    const l = listener as (...args: unknown[]) => void;
    (server as unknown as NodeJS.EventEmitter).on(event, l);
    this.detach.push(() => (server as unknown as NodeJS.EventEmitter).off(event, l));
  }
}
