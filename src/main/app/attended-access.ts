import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ApprovalAnswer } from '../../shared/control-contract.js';
import { getLogger } from '../base/logger.js';
import type { Access } from '../rfb/security/security-type.js';
import type { Approval, ApprovalRequest, ConnectionApprover } from '../rfb/server.js';
import type { Session } from '../rfb/session.js';
import { runAcceptCommand, type CommandRequest, type CommandResult } from './accept-command.js';
import { PromptBroker } from './accept-prompt.js';
import type { Config } from './config.js';

/** The settings attended access reads at each viewer (so changes apply to the next one). */
export type AttendedSettings = Pick<Config, 'accept_prompt' | 'accept_command' | 'accept_timeout' | 'accept_default'>;

/**
 * Who let a viewer in or kept it out: nobody was asked ('auto'), a person at
 * a prompt, the accept command, or the default answer when neither answered
 * in time.
 */
export type DecidedBy = 'auto' | 'person' | 'command' | 'default';

export interface Decision {
  session: Session;
  answer: ApprovalAnswer;
  by: DecidedBy;
  /** The person's window ("the dashboard at 127.0.0.1:50412"), when a person answered. */
  origin?: string;
  /** What was asked and did not answer in time, when the default applied. */
  timedOut?: 'prompt' | 'command';
  /** The access it got, when let in. */
  access?: Access;
  /** What the viewer was told, when refused. */
  reason?: string;
}

/** The words a refused viewer reads (RFB 3.8 shows them). */
export const REFUSED_AT_DESKTOP = 'The connection was refused at the desktop';
export const REFUSED_BY_COMMAND = 'The connection was refused by the accept command';

export interface AttendedAccessOptions {
  /** How to run the command (tests may stand in). */
  runCommand?: typeof runAcceptCommand;
  log?: Logger;
}

/**
 * Attended access: the server's approver (RfbServer.approver). For each
 * viewer that authenticated it runs the accept command (accept_command),
 * then asks a person (accept_prompt, through the PromptBroker) — each one
 * asked must let it in, and the access is the narrowest given. With neither
 * set, every viewer that authenticated gets in as its credentials allow.
 * Each decision is heard by `onDecision` (the audit trail).
 */
export class AttendedAccess {
  readonly prompts = new PromptBroker();
  private readonly events = new EventEmitter<{ decision: [Decision] }>();
  private readonly decisions = new WeakMap<Session, Decision>();
  private readonly log: Logger;
  private readonly runCommand: typeof runAcceptCommand;

  constructor(
    private readonly settings: () => AttendedSettings,
    opts: AttendedAccessOptions = {},
  ) {
    this.log = opts.log ?? getLogger('attended');
    this.runCommand = opts.runCommand ?? runAcceptCommand;
  }

  /** The approver to install on the server. */
  readonly approve: ConnectionApprover = async (request) => {
    const s = this.settings();
    let access = request.access;
    let decision: Omit<Decision, 'session'> = { answer: 'accept', by: 'auto' };
    if (s.accept_command !== undefined) {
      decision = await this.askCommand(s.accept_command, request, s);
      if (request.signal.aborted) return { ok: false, reason: 'the client left while the accept command ran' };
      if (decision.answer === 'refuse') return this.decide(request.session, decision);
      if (decision.answer === 'view-only') access = 'view-only';
    }
    if (s.accept_prompt) {
      this.log.info({ client: request.session.address, timeout: s.accept_timeout }, `${request.session.address} waits to be let in (answer within ${s.accept_timeout} s)`);
      const outcome = await this.prompts.ask(
        { address: request.session.address, securityType: request.securityType.name, user: request.user ?? null, access },
        s.accept_timeout * 1000,
        s.accept_default,
        request.signal,
      );
      if (outcome.by === 'left' || outcome.by === 'server') {
        return { ok: false, reason: outcome.by === 'left' ? 'the client left while waiting for an answer' : 'the server is stopping' };
      }
      if (outcome.by === 'person') decision = { answer: outcome.answer, by: 'person', origin: outcome.origin };
      else decision = { answer: outcome.answer, by: 'default', timedOut: 'prompt' };
      if (decision.answer === 'refuse') {
        const reason = outcome.by === 'person' ? REFUSED_AT_DESKTOP : `${REFUSED_AT_DESKTOP}: nobody answered in ${s.accept_timeout} s`;
        return this.decide(request.session, { ...decision, reason });
      }
      if (decision.answer === 'view-only') access = 'view-only';
    }
    return this.decide(request.session, { ...decision, access });
  };

  /** How `session` got in (or was kept out); undefined for one never decided on (a watcher). */
  decisionFor(session: Session): Decision | undefined {
    return this.decisions.get(session);
  }

  /** Hear every decision; returns how to stop. */
  onDecision(listener: (d: Decision) => void): () => void {
    this.events.on('decision', listener);
    return () => this.events.off('decision', listener);
  }

  /** The server is stopping: prompts still waiting are refused. */
  close(): void {
    this.prompts.close();
    this.events.removeAllListeners();
  }

  private decide(session: Session, d: Omit<Decision, 'session'>): Approval {
    const decision: Decision = { session, ...d };
    this.decisions.set(session, decision);
    const fields = { client: session.address, answer: d.answer, by: d.by, ...(d.origin ? { origin: d.origin } : {}) };
    if (d.by !== 'auto') this.log.info(fields, d.reason ? `${session.address} refused: ${d.reason}` : `${session.address} let in (${d.access}) by ${describeBy(d)}`);
    this.events.emit('decision', decision);
    return d.answer === 'refuse' ? { ok: false, reason: d.reason ?? REFUSED_AT_DESKTOP } : { ok: true, access: d.access ?? session.access ?? 'view-only' };
  }

  private async askCommand(command: string, request: ApprovalRequest, s: AttendedSettings): Promise<Omit<Decision, 'session'>> {
    const what: CommandRequest = { ip: request.session.ip, port: portOf(request.session.address), securityType: request.securityType.name, user: request.user ?? null, access: request.access };
    const result = await this.runCommand(command, what, s.accept_timeout * 1000, request.signal);
    this.logCommand(result, request.session.address);
    switch (result.kind) {
      case 'exit':
        if (result.code === 0) return { answer: 'accept', by: 'command' };
        if (result.code === 1) return { answer: 'view-only', by: 'command' };
        return { answer: 'refuse', by: 'command', reason: REFUSED_BY_COMMAND };
      case 'timeout':
        return s.accept_default === 'refuse'
          ? { answer: 'refuse', by: 'default', timedOut: 'command', reason: `${REFUSED_BY_COMMAND}: it did not answer in ${s.accept_timeout} s` }
          : { answer: s.accept_default, by: 'default', timedOut: 'command' };
      default:
        return { answer: 'refuse', by: 'command', reason: REFUSED_BY_COMMAND };
    }
  }

  private logCommand(result: CommandResult, address: string): void {
    const output = 'output' in result && result.output ? { output: result.output } : {};
    if (result.kind === 'exit') this.log.debug({ client: address, code: result.code, ...output }, `the accept command exited with ${result.code}`);
    else if (result.kind === 'timeout') this.log.warn({ client: address, ...output }, 'the accept command did not answer in time and was killed');
    else if (result.kind === 'signal') this.log.warn({ client: address, signal: result.signal, ...output }, `the accept command was killed by ${result.signal}`);
    else if (result.kind === 'error') this.log.error({ client: address, problem: result.message }, `the accept command could not be run: ${result.message}`);
  }
}

function describeBy(d: Omit<Decision, 'session'>): string {
  if (d.by === 'person') return d.origin ?? 'a person';
  if (d.by === 'command') return 'the accept command';
  return `the default answer (nobody answered the ${d.timedOut ?? 'prompt'} in time)`;
}

/** The port of "10.0.0.7:50412" or "::1:50412" (0 when there is none). */
function portOf(address: string): number {
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return Number.isInteger(port) ? port : 0;
}
