import { useState } from 'react';
import type { ApprovalAnswer, PendingApproval } from '../../shared/control-contract.js';
import { APPROVAL_BUTTONS, approvalDetail, approvalTitle, countdownText } from '../../shared/approval-text.js';
import { useNow } from '../hooks/use-now.js';

interface ApprovalPromptsProps {
  pending: readonly PendingApproval[];
  answer(id: string, answer: ApprovalAnswer): Promise<void>;
}

/**
 * The accept prompts: one card per viewer waiting to be let in, above every
 * page, with its countdown to the default answer and the three answers.
 */
export function ApprovalPrompts({ pending, answer }: ApprovalPromptsProps) {
  const now = useNow(250, pending.length > 0);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  if (pending.length === 0) return null;

  const reply = async (r: PendingApproval, a: ApprovalAnswer) => {
    setBusy(r.id);
    setProblem(null);
    try {
      await answer(r.id, a);
    } catch (e) {
      setProblem(`Could not answer ${r.address}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="approvals" aria-label="Viewers waiting to connect">
      {pending.map((r) => {
        const titleId = `approval-${r.id}-title`;
        const detailId = `approval-${r.id}-detail`;
        return (
          <div key={r.id} role="alertdialog" aria-modal="false" aria-labelledby={titleId} aria-describedby={detailId} className="approval card">
            <div className="approval-text">
              <h2 id={titleId} className="approval-title">
                {approvalTitle(r)}
              </h2>
              <p id={detailId} className="approval-detail">
                {approvalDetail(r)}
              </p>
              <p className="approval-countdown muted" aria-live="off">
                {countdownText(r, now)}
              </p>
            </div>
            <div className="approval-actions">
              {APPROVAL_BUTTONS.map((b) => (
                <button
                  key={b.answer}
                  type="button"
                  className={`button${b.answer === 'accept' ? ' primary' : b.answer === 'refuse' ? ' danger' : ''}`}
                  disabled={busy === r.id}
                  onClick={() => void reply(r, b.answer)}
                >
                  {b.label}
                </button>
              ))}
            </div>
          </div>
        );
      })}
      {problem ? (
        <p role="alert" className="approval-problem">
          {problem}
        </p>
      ) : null}
    </section>
  );
}
