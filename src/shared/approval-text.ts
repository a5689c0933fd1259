import type { ApprovalAnswer, PendingApproval } from './control-contract.js';

/**
 * The words of an accept prompt, the same in the dashboard and the tray
 * app's dialog. Plain functions: loadable in the renderer and the main process.
 */

/** The buttons, in the order both UIs show them. */
export const APPROVAL_BUTTONS: ReadonlyArray<{ answer: ApprovalAnswer; label: string }> = [
  { answer: 'accept', label: 'Accept' },
  { answer: 'view-only', label: 'Accept view-only' },
  { answer: 'refuse', label: 'Refuse' },
];

export function approvalTitle(r: Pick<PendingApproval, 'address'>): string {
  return `${r.address} wants to connect`;
}

/** How each security type reads in a sentence ("Authenticated with …"). */
const SECURITY_NAMES: Readonly<Record<string, string>> = {
  none: 'no password',
  vnc: 'the VNC password',
  vencrypt: 'VeNCrypt (TLS)',
  ra2: 'RSA-AES',
  ra2_256: 'RSA-AES-256',
  ra2ne: 'RSA-AES (unencrypted session)',
  ra2ne_256: 'RSA-AES-256 (unencrypted session)',
};

/** "Signed in as eve with VeNCrypt; asks to see and control your screen." */
export function approvalDetail(r: Pick<PendingApproval, 'securityType' | 'user' | 'access'>): string {
  const type = SECURITY_NAMES[r.securityType] ?? r.securityType;
  const how = r.user ? `Signed in as ${r.user} with ${type}` : `Authenticated with ${type}`;
  const wants = r.access === 'full' ? 'asks to see and control your screen' : 'asks to see your screen (its password is view-only)';
  return `${how}; ${wants}.`;
}

const DEFAULT_WORDS: Readonly<Record<ApprovalAnswer, string>> = {
  accept: 'Accepted',
  'view-only': 'Accepted view-only',
  refuse: 'Refused',
};

/** Whole seconds left before the default answer applies (never below 0). */
export function secondsLeft(r: Pick<PendingApproval, 'expiresAt'>, now: number): number {
  return Math.max(0, Math.ceil((r.expiresAt - now) / 1000));
}

/** "Refused in 27 s if nobody answers". */
export function countdownText(r: Pick<PendingApproval, 'expiresAt' | 'defaultAnswer'>, now: number): string {
  return `${DEFAULT_WORDS[r.defaultAnswer]} in ${secondsLeft(r, now)} s if nobody answers`;
}
