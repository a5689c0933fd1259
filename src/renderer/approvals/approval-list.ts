import type { ApprovalEvent, PendingApproval } from '../../shared/control-contract.js';

/** The waiting list after one `approval` event: a request joins (once), a settled one leaves. */
export function applyApprovalEvent(list: readonly PendingApproval[], e: ApprovalEvent): PendingApproval[] {
  if (e.type === 'settled') return list.filter((r) => r.id !== e.id);
  if (list.some((r) => r.id === e.request.id)) return [...list];
  return [...list, e.request];
}
