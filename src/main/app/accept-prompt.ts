import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ApprovalAnswer, ApprovalEvent, PendingApproval } from '../../shared/control-contract.js';

/** How a prompt's wait ended. `origin` names the person's window ("the dashboard at …") when one answered. */
export type PromptOutcome =
  | { answer: ApprovalAnswer; by: 'person'; origin: string }
  | { answer: ApprovalAnswer; by: 'timeout' }
  /** The viewer left, or the server stopped, before anyone answered. */
  | { answer: 'refuse'; by: 'left' | 'server' };

/** What a prompt shows about the viewer. */
export type PromptRequest = Pick<PendingApproval, 'address' | 'securityType' | 'user' | 'access'>;

interface Waiting {
  request: PendingApproval;
  settle(outcome: PromptOutcome): void;
}

/**
 * The accept prompts waiting for a person: each viewer that authenticated
 * while accept_prompt is on waits here until someone answers (the dashboard,
 * the tray app — whichever is first), its time runs out (the default answer),
 * or it leaves. Several may wait at once. UIs hear each one arrive and each
 * wait end through `subscribe` (the control API's `approval` event).
 */
export class PromptBroker {
  private readonly waiting = new Map<string, Waiting>();
  private readonly events = new EventEmitter<{ approval: [ApprovalEvent] }>();

  constructor(private readonly now: () => number = Date.now) {
    this.events.setMaxListeners(0);
  }

  /**
   * Ask about one viewer; resolves when the wait ends. `signal` ends it
   * early (the viewer left). Never rejects.
   */
  ask(what: PromptRequest, timeoutMs: number, defaultAnswer: ApprovalAnswer, signal?: AbortSignal): Promise<PromptOutcome> {
    const askedAt = this.now();
    const request: PendingApproval = { id: randomUUID(), ...what, askedAt, expiresAt: askedAt + timeoutMs, defaultAnswer };
    if (signal?.aborted) return Promise.resolve({ answer: 'refuse', by: 'left' });
    return new Promise<PromptOutcome>((resolve) => {
      const onAbort = () => settle({ answer: 'refuse', by: 'left' });
      const timer = setTimeout(() => settle({ answer: defaultAnswer, by: 'timeout' }), timeoutMs);
      const settle = (outcome: PromptOutcome) => {
        if (!this.waiting.delete(request.id)) return;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.events.emit('approval', { type: 'settled', id: request.id, answer: outcome.answer, by: outcome.by });
        resolve(outcome);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(request.id, { request, settle });
      this.events.emit('approval', { type: 'pending', request });
    });
  }

  /** A person answered (`origin`: where from). False when that viewer no longer waits. */
  answer(id: string, answer: ApprovalAnswer, origin: string): boolean {
    const w = this.waiting.get(id);
    if (!w) return false;
    w.settle({ answer, by: 'person', origin });
    return true;
  }

  /** The viewers waiting now, oldest first. */
  list(): PendingApproval[] {
    return [...this.waiting.values()].map((w) => w.request);
  }

  /** Hear every arrival and every end of a wait; returns how to stop. */
  subscribe(listener: (event: ApprovalEvent) => void): () => void {
    this.events.on('approval', listener);
    return () => this.events.off('approval', listener);
  }

  /** The server is stopping: every wait ends with a refusal. */
  close(): void {
    for (const w of [...this.waiting.values()]) w.settle({ answer: 'refuse', by: 'server' });
  }
}
