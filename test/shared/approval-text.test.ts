import { describe, expect, it } from 'vitest';
import { APPROVAL_BUTTONS, approvalDetail, approvalTitle, countdownText, secondsLeft } from '../../src/shared/approval-text.js';

const request = { address: '192.168.1.20:50001', securityType: 'vnc', user: null, access: 'full' as const, expiresAt: 100_000, defaultAnswer: 'refuse' as const };

describe('the accept prompt’s words', () => {
  it('names the viewer, how it authenticated and what it asks for', () => {
    expect(approvalTitle(request)).toBe('192.168.1.20:50001 wants to connect');
    expect(approvalDetail(request)).toBe('Authenticated with the VNC password; asks to see and control your screen.');
    expect(approvalDetail({ ...request, securityType: 'vencrypt', user: 'eve', access: 'view-only' })).toBe(
      'Signed in as eve with VeNCrypt (TLS); asks to see your screen (its password is view-only).',
    );
    expect(approvalDetail({ ...request, securityType: 'ra2_256' })).toBe('Authenticated with RSA-AES-256; asks to see and control your screen.');
  });

  it('counts down in whole seconds to the default answer, never below zero', () => {
    expect(secondsLeft(request, 70_001)).toBe(30);
    expect(countdownText(request, 72_500)).toBe('Refused in 28 s if nobody answers');
    expect(countdownText({ ...request, defaultAnswer: 'view-only' }, 99_000)).toBe('Accepted view-only in 1 s if nobody answers');
    expect(countdownText({ ...request, defaultAnswer: 'accept' }, 200_000)).toBe('Accepted in 0 s if nobody answers');
  });

  it('offers the three answers in one order', () => {
    expect(APPROVAL_BUTTONS.map((b) => b.label)).toEqual(['Accept', 'Accept view-only', 'Refuse']);
  });
});
