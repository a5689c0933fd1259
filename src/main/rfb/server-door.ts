import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { DEFAULT_ADMISSION, Gatekeeper, type AdmissionOptions } from './admission/gatekeeper.js';
import type { HandshakePolicy } from './handshake.js';
import { noneSecurity } from './security/none.js';
import { offeredSecurityTypes } from './security/registry.js';
import type { Access, SecurityKeys, SecurityType } from './security/security-type.js';
import { ServerCredentials } from './security/server-credentials.js';
import { earlyRefusal } from './server-messages.js';
import type { RfbServerOptions } from './rfb-server-options.js';
import type { Session, Transport } from './session.js';

export { DEFAULT_ADMISSION, type AdmissionOptions };

/** What an approver (attended access) is told about a client that authenticated. */
export interface ApprovalRequest {
  session: Session;
  securityType: SecurityType;
  access: Access;
  user?: string;
  /** Aborted when the client leaves (or is dropped) before the answer: stop asking. */
  signal: AbortSignal;
}

/** An approver's answer: let it in with this access, or refuse it with a reason the client is told. */
export type Approval = { ok: true; access: Access } | { ok: false; reason: string };

/** Decides, after authentication, whether a client may in (a person answering a prompt, a command). */
export type ConnectionApprover = (request: ApprovalRequest) => Promise<Approval>;

/** The server's options the door reads, live (the control API changes some while running). */
export type DoorOptions = Pick<RfbServerOptions, 'password' | 'viewOnlyPassword' | 'users' | 'securityTypes' | 'vencryptSubtypes' | 'keys' | 'maxConnections'>;

/** What the door needs of the server that owns it. */
export interface DoorHost {
  readonly options: DoorOptions;
  readonly log: Logger;
  /** Viewers past the handshake. */
  viewerCount(): number;
  /** The approver installed now (attended access), if any. */
  approver(): ConnectionApprover | null;
  refused(address: string, reason: string, session: Session | null, announced: boolean): void;
  authenticated(session: Session, ok: boolean): void;
  blocked(address: string, ms: number): void;
}

/** Keys for a server that keeps none: the types that need them fail with a reason the log shows. */
const NO_KEYS: SecurityKeys = {
  tls: () => Promise.reject(new Error('this server has no TLS certificate configured')),
  rsa: () => Promise.reject(new Error('this server has no RSA key configured')),
};

/**
 * The server's door: who may start a handshake (the gatekeeper: blacklist,
 * rates, connections still authenticating), what each handshake offers and
 * asks (security types, credentials, keys, approval), and what the outcome
 * means for the blacklist and for max_connections. The RfbServer hands each
 * connection here first and tells it when a session got in or left.
 */
export class ServerDoor {
  private readonly gate: Gatekeeper<Session>;
  /** Where each session is in its security exchange (for counting abandoned handshakes as failures). */
  private readonly authState = new Map<Session, 'started' | 'checked'>();
  /** Sessions approved and not yet past ClientInit: they hold a viewer's place already. */
  private readonly approved = new Set<Session>();
  /** Approvals being asked now, to stop asking when the client leaves. */
  private readonly approving = new Map<Session, AbortController>();

  constructor(
    private readonly host: DoorHost,
    admission: AdmissionOptions = DEFAULT_ADMISSION,
  ) {
    this.gate = new Gatekeeper(admission);
  }

  /** Connections still in their handshake. */
  get pending(): number {
    return this.gate.pendingCount;
  }

  /**
   * Whether a new connection from `ip` may start a handshake. When not, it
   * is told why (a 3.3 refusal, before anything is read) and closed.
   */
  admit(socket: Duplex, ip: string): boolean {
    const verdict = this.gate.admit(ip);
    if (verdict.admit) return true;
    if (verdict.log) {
      const detail = verdict.category === 'blacklisted' ? ` for the next ${Math.ceil(verdict.blockedForMs / 1000)} s` : '';
      this.host.log.warn({ client: ip, reason: verdict.reason }, `refusing connections from ${ip}${detail}: ${verdict.reason}`);
    }
    socket.on('error', () => {}); // it may reset while we say why; nothing to do about it
    socket.end(earlyRefusal(verdict.reason));
    setTimeout(() => socket.destroy(), 1000).unref();
    this.host.refused(ip, verdict.reason, null, verdict.log);
    return false;
  }

  /** A session started its handshake: keep connections still authenticating within their limits. */
  entering(session: Session): void {
    for (const old of this.gate.track(session.ip, session)) old.close(`too many connections from ${session.ip} still in their handshake`, 'warn');
  }

  /** The session got in (ClientInit): it is a viewer now, no longer pending. */
  entered(session: Session): void {
    this.gate.untrack(session.ip, session);
    this.approved.delete(session);
  }

  /** The session closed, in or not. Leaving after the challenge without answering counts as a wrong answer. */
  left(session: Session): void {
    this.gate.untrack(session.ip, session);
    this.approved.delete(session);
    this.approving.get(session)?.abort();
    if (this.authState.get(session) === 'started') this.credentialsChecked(session, false);
    this.authState.delete(session);
  }

  /** The security types a viewer coming over `transport` is offered now, most preferred first. */
  offered(transport: Transport): SecurityType[] {
    const o = this.host.options;
    return offeredSecurityTypes(o.securityTypes, this.credentials(), { hasKeys: o.keys !== null, vencryptSubtypes: o.vencryptSubtypes, transport });
  }

  /** What the handshake of `session` offers and asks, from the options as they are now. */
  policy(session: Session): HandshakePolicy {
    const grant = session.grant;
    if (grant?.ok) session.user = grant.label; // shown in the client list and the audit trail
    return {
      // An invitation stands for the credentials: it is offered None, with the invitation's access.
      offered: grant?.ok ? [invitedSecurity(grant.access)] : this.offered(session.transport),
      credentials: this.credentials(),
      keys: this.host.options.keys ?? NO_KEYS,
      // Refused before security when full already (every version can hear why then), and asked again at approval (another may have got in meanwhile).
      refusalBeforeSecurity: () => (grant && !grant.ok ? grant.reason : this.fullRefusal()),
      onSecurityStarted: (type) => {
        session.securityType = type.name;
        this.authState.set(session, 'started');
      },
      onCredentialsChecked: (ok) => this.credentialsChecked(session, ok),
      approve: (outcome) => this.approve(session, outcome),
    };
  }

  private credentials(): ServerCredentials {
    const o = this.host.options;
    return new ServerCredentials({ full: o.password, viewOnly: o.viewOnlyPassword }, o.users);
  }

  private async approve(session: Session, outcome: { securityType: SecurityType; access: Access; user?: string }): Promise<Approval> {
    const full = this.fullRefusal();
    if (full) return { ok: false, reason: full };
    let answer: Approval = { ok: true, access: outcome.access };
    session.securityType = outcome.securityType.name;
    const approver = this.host.approver();
    if (approver) {
      // Someone else is slow now, not the client: its handshake clock waits, and a client that leaves ends the wait.
      const resume = session.suspendHandshakeTimeout();
      const asking = new AbortController();
      this.approving.set(session, asking);
      try {
        answer = await approver({ session, ...outcome, signal: asking.signal });
      } finally {
        this.approving.delete(session);
        resume();
      }
      // Another viewer may have taken the last place while this one waited.
      const nowFull = answer.ok ? this.fullRefusal() : null;
      if (nowFull) answer = { ok: false, reason: nowFull };
    }
    if (answer.ok && !session.closed) this.approved.add(session);
    return answer;
  }

  /** Viewers in (or approved and on their way in) fill max_connections; connections still authenticating do not. */
  private fullRefusal(): string | null {
    const max = this.host.options.maxConnections;
    return this.host.viewerCount() + this.approved.size >= max ? `too many connections (max_connections is ${max})` : null;
  }

  private credentialsChecked(session: Session, ok: boolean): void {
    if (this.authState.get(session) === 'checked') return;
    this.authState.set(session, 'checked');
    this.host.authenticated(session, ok);
    if (ok) {
      this.gate.authSucceeded(session.ip);
      return;
    }
    const blockMs = this.gate.authFailed(session.ip);
    if (blockMs > 0) {
      this.host.log.warn({ client: session.ip, blockMs }, `blocking ${session.ip} for ${blockMs / 1000} s after repeated security failures`);
      this.host.blocked(session.ip, blockMs);
    }
  }
}

/** Security None for a client an invitation let in: its access is the invitation's, not full. */
function invitedSecurity(access: Access): SecurityType {
  return { ...noneSecurity, authenticate: async () => ({ ok: true, access }) };
}
