import { describe, expect, it } from 'vitest';
import { applyApprovalEvent } from '../../src/renderer/approvals/approval-list.js';
import type { PendingApproval } from '../../src/shared/control-contract.js';

const r = (id: string): PendingApproval => ({
  id,
  address: `10.0.0.${id}:5000`,
  securityType: 'none',
  user: null,
  access: 'full',
  askedAt: Number(id),
  expiresAt: Number(id) + 30_000,
  defaultAnswer: 'refuse',
});

describe('applyApprovalEvent', () => {
  it('adds each request once and drops it when its wait ends', () => {
    let list: PendingApproval[] = [];
    list = applyApprovalEvent(list, { type: 'pending', request: r('1') });
    list = applyApprovalEvent(list, { type: 'pending', request: r('2') });
    list = applyApprovalEvent(list, { type: 'pending', request: r('1') });
    expect(list.map((x) => x.id)).toEqual(['1', '2']);
    list = applyApprovalEvent(list, { type: 'settled', id: '1', answer: 'accept', by: 'person' });
    expect(list.map((x) => x.id)).toEqual(['2']);
    list = applyApprovalEvent(list, { type: 'settled', id: '9', answer: 'refuse', by: 'timeout' });
    expect(list.map((x) => x.id)).toEqual(['2']);
  });
});
