/**
 * The security part of the control API: how safe the server is to reach,
 * the fingerprints viewers are shown, and attended access's prompts.
 * Re-exported by control-contract.ts.
 */

/** Something that makes the running server unsafe to reach. */
export interface SecurityWarning {
  /** 'no-auth': anyone who reaches it gets in; 'unencrypted': logins and the session cross the network in clear. */
  kind: 'no-auth' | 'unencrypted';
  /** A sentence for the user: what it means and what to do. */
  message: string;
}

/**
 * How viewers can tell they reached this server and not an impostor: the
 * fingerprints they are shown when they first connect, to compare by eye.
 */
export interface ServerIdentity {
  /** The TLS certificate's SHA-256 (colon-separated hex, as `openssl x509 -fingerprint -sha256` and browsers show it), for VeNCrypt's X509 subtypes. */
  tlsFingerprint: string | null;
  /** The RSA key as noVNC's "Server identity" and TigerVNC's viewer show it (8 hex pairs joined by '-'), for RSA-AES. */
  rsaFingerprint: string | null;
  /** The RSA key's full SHA-256 (colon-separated hex), for pinning. */
  rsaSha256: string | null;
}

/** An answer to an accept prompt: let the viewer in as its credentials allow, let it in view-only, or refuse it. */
export type ApprovalAnswer = 'accept' | 'view-only' | 'refuse';
export const APPROVAL_ANSWERS = ['accept', 'view-only', 'refuse'] as const satisfies readonly ApprovalAnswer[];

/** A viewer that authenticated and waits for a person to let it in (accept_prompt). */
export interface PendingApproval {
  id: string;
  /** host:port of the viewer. */
  address: string;
  /** The security type it authenticated with ("none", "vnc", …). */
  securityType: string;
  /** The user name it logged in with, for security types that have them. */
  user: string | null;
  /** What its credentials allow: 'full', or 'view-only' (a view-only password). Accepting never gives more. */
  access: 'full' | 'view-only';
  /** Epoch milliseconds. */
  askedAt: number;
  /** Epoch milliseconds: then the default answer (accept_default) applies. */
  expiresAt: number;
  /** The answer that applies at expiresAt. */
  defaultAnswer: ApprovalAnswer;
}

/**
 * What the `approval` event says: a viewer waits for an answer, or a wait
 * ended (answered here or elsewhere, timed out, or the viewer left): a UI
 * showing its prompt takes it down.
 */
export type ApprovalEvent =
  | { type: 'pending'; request: PendingApproval }
  | { type: 'settled'; id: string; answer: ApprovalAnswer; by: 'person' | 'timeout' | 'left' | 'server' };
