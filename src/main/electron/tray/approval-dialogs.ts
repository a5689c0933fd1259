import type { MessageBoxOptions } from 'electron';
import type { Logger } from 'pino';
import { APPROVAL_BUTTONS, approvalDetail, approvalTitle, countdownText } from '../../../shared/approval-text.js';
import type { ApprovalAnswer, ApprovalEvent, PendingApproval } from '../../../shared/control-contract.js';

/** The button a dismissed dialog (Escape, the close box) stands for: Refuse. */
const REFUSE_INDEX = APPROVAL_BUTTONS.findIndex((b) => b.answer === 'refuse');

/** The dialog for one waiting viewer; `signal` takes it down when the wait ends elsewhere. */
export function approvalMessageBox(r: PendingApproval, now: number, signal: AbortSignal): MessageBoxOptions {
  return {
    type: 'question',
    title: 'TrayVNC: a viewer wants to connect',
    message: approvalTitle(r),
    detail: `${approvalDetail(r)}\n\n${countdownText(r, now)}.`,
    buttons: APPROVAL_BUTTONS.map((b) => b.label),
    defaultId: REFUSE_INDEX,
    cancelId: REFUSE_INDEX,
    noLink: true,
    signal,
  };
}

export interface ApprovalDialogDeps {
  showMessageBox(options: MessageBoxOptions): Promise<{ response: number }>;
  /** Answer through the control API (as the tray app). */
  answer(id: string, answer: ApprovalAnswer): unknown;
  now?: () => number;
  log: Logger;
}

/**
 * The tray app's accept prompts: a dialog per viewer waiting to be let in,
 * fed by the control API's `approval` event. The answer clicked goes back
 * through the control API; a dialog whose wait ended (answered in the
 * window or the dashboard, timed out, the viewer left) is taken down.
 */
export class ApprovalDialogs {
  private readonly open = new Map<string, AbortController>();

  constructor(private readonly deps: ApprovalDialogDeps) {}

  /** Dialogs showing now, by request id (for tests and diagnostics). */
  get showing(): string[] {
    return [...this.open.keys()];
  }

  onEvent(e: ApprovalEvent): void {
    if (e.type === 'settled') {
      this.open.get(e.id)?.abort();
      this.open.delete(e.id);
      return;
    }
    const r = e.request;
    if (this.open.has(r.id)) return;
    const closer = new AbortController();
    this.open.set(r.id, closer);
    this.deps
      .showMessageBox(approvalMessageBox(r, (this.deps.now ?? Date.now)(), closer.signal))
      .then(({ response }) => {
        // Taken down because the wait ended: there is nothing left to answer.
        if (closer.signal.aborted) return;
        this.open.delete(r.id);
        const answer = APPROVAL_BUTTONS[response]?.answer ?? 'refuse';
        return Promise.resolve(this.deps.answer(r.id, answer)).catch((err: unknown) => this.deps.log.info({ err, client: r.address }, 'the viewer no longer waited for this answer'));
      })
      .catch((err: unknown) => {
        this.open.delete(r.id);
        this.deps.log.warn({ err, client: r.address }, 'could not show the accept prompt');
      });
  }

  /** Sharing stopped: take every dialog down. */
  closeAll(): void {
    for (const c of this.open.values()) c.abort();
    this.open.clear();
  }
}
