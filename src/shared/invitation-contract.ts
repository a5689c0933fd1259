/**
 * Invitations and reverse connections: the ways to reach a viewer besides
 * waiting for it to connect.
 *
 * Invitations: links to the bundled browser viewer that let one browser in
 * without the password, for a limited time (the control API's part; see
 * app/invitations.ts).
 */

/** Where an invitation stands. */
export type InvitationState = 'open' | 'used' | 'expired' | 'revoked';

export interface InvitationInfo {
  id: string;
  /** What the person who shared called it (shown in the client list as the viewer's name). */
  label: string;
  viewOnly: boolean;
  /** Milliseconds since the epoch. */
  createdAt: number;
  expiresAt: number;
  state: InvitationState;
  /** The address that used it, once used. */
  usedBy?: string;
}

/** What creating one gives back: the only time the link (and its secret) is shown. */
export interface CreatedInvitation extends InvitationInfo {
  /** The viewer's address with the secret in its fragment (#invite=…), which browsers never send to a server. */
  link: string;
}

export interface CreateInvitationParams {
  /** How long it can be used, in minutes (default 60, at most 7 days). */
  validMinutes?: number;
  /** Let the viewer watch but not control. */
  viewOnly?: boolean;
  label?: string;
}

export const INVITATION_MAX_MINUTES = 7 * 24 * 60;
export const INVITATION_DEFAULT_MINUTES = 60;

/** A call out to a viewer in listen mode (trayvnc serve --connect, connectToViewer). */
export type OutgoingState = 'connecting' | 'connected' | 'retrying' | 'failed' | 'ended';

export interface OutgoingInfo {
  id: number;
  /** host:port as dialled. */
  target: string;
  state: OutgoingState;
  /** Why it failed or ended, or when it retries. */
  reason?: string;
  attempts: number;
}
