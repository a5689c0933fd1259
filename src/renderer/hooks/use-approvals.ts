import { useEffect, useState } from 'react';
import type { ApprovalAnswer, PendingApproval } from '../../shared/control-contract.js';
import type { ControlClient } from '../api/control-client.js';
import { applyApprovalEvent } from '../approvals/approval-list.js';

/**
 * Viewers waiting for someone to let them in (accept_prompt): read on
 * connect, then kept by the `approval` event — a request arrives, a wait
 * ends (answered here or elsewhere, timed out, the viewer left).
 */
export function useApprovals(client: ControlClient | null): { pending: PendingApproval[]; answer(id: string, answer: ApprovalAnswer): Promise<void> } {
  const [pending, setPending] = useState<PendingApproval[]>([]);
  useEffect(() => {
    if (!client) return;
    let live = true;
    // Waits that ended before the first list arrived must not come back with it.
    const ended = new Set<string>();
    const off = client.on('approval', (e) => {
      if (e.type === 'settled') ended.add(e.id);
      setPending((list) => applyApprovalEvent(list, e));
    });
    client.listApprovals().then(
      (list) => {
        if (live) setPending((now) => [...now, ...list.filter((r) => !ended.has(r.id) && !now.some((p) => p.id === r.id))].sort((a, b) => a.askedAt - b.askedAt));
      },
      () => undefined, // not connected yet: the banner says so, and the event brings what comes next
    );
    return () => {
      live = false;
      off();
      setPending([]);
    };
  }, [client]);

  const answer = async (id: string, a: ApprovalAnswer) => {
    if (!client) return;
    await client.answerApproval({ id, answer: a });
    setPending((list) => list.filter((r) => r.id !== id));
  };
  return { pending, answer };
}
