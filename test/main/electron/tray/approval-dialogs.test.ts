import type { MessageBoxOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { getLogger } from '../../../../src/main/base/logger.js';
import { ApprovalDialogs, approvalMessageBox } from '../../../../src/main/electron/tray/approval-dialogs.js';
import type { ApprovalAnswer, PendingApproval } from '../../../../src/shared/control-contract.js';

const request = (id: string, over: Partial<PendingApproval> = {}): PendingApproval => ({
  id,
  address: `192.168.1.${id}:50000`,
  securityType: 'vnc',
  user: null,
  access: 'full',
  askedAt: 0,
  expiresAt: 30_000,
  defaultAnswer: 'refuse',
  ...over,
});

/** A message box the test answers by hand, as a person would click; a signal takes it down as Electron does (cancelId). */
function dialogs() {
  const shown: Array<{ options: MessageBoxOptions; click(button: number): void }> = [];
  const answers: Array<[string, ApprovalAnswer]> = [];
  const d = new ApprovalDialogs({
    showMessageBox: (options) =>
      new Promise((resolve) => {
        shown.push({ options, click: (response) => resolve({ response }) });
        options.signal?.addEventListener('abort', () => resolve({ response: options.cancelId ?? 0 }));
      }),
    answer: (id, answer) => answers.push([id, answer]),
    now: () => 3_000,
    log: getLogger('test'),
  });
  return { d, shown, answers };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('approvalMessageBox', () => {
  it('shows who, how, the countdown and the three answers; Escape refuses', () => {
    const box = approvalMessageBox(request('7'), 3_000, new AbortController().signal);
    expect(box.message).toBe('192.168.1.7:50000 wants to connect');
    expect(box.detail).toBe('Authenticated with the VNC password; asks to see and control your screen.\n\nRefused in 27 s if nobody answers.');
    expect(box.buttons).toEqual(['Accept', 'Accept view-only', 'Refuse']);
    expect(box.cancelId).toBe(2);
  });
});

describe('ApprovalDialogs', () => {
  it('answers with the button clicked, one dialog per waiting viewer', async () => {
    const { d, shown, answers } = dialogs();
    d.onEvent({ type: 'pending', request: request('1') });
    d.onEvent({ type: 'pending', request: request('2') });
    d.onEvent({ type: 'pending', request: request('1') });
    expect(shown).toHaveLength(2);
    shown[1]!.click(1);
    shown[0]!.click(0);
    await tick();
    expect(answers).toEqual([
      ['2', 'view-only'],
      ['1', 'accept'],
    ]);
    expect(d.showing).toEqual([]);
  });

  it('takes a dialog down, without answering, when the wait ended elsewhere', async () => {
    const { d, shown, answers } = dialogs();
    d.onEvent({ type: 'pending', request: request('3') });
    d.onEvent({ type: 'settled', id: '3', answer: 'accept', by: 'person' });
    await tick();
    expect(shown[0]!.options.signal?.aborted).toBe(true);
    expect(answers).toEqual([]);
    d.onEvent({ type: 'pending', request: request('4') });
    d.closeAll();
    await tick();
    expect(answers).toEqual([]);
  });
});
