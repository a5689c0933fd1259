import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { getLogger } from '../base/logger.js';
import { ControlError } from '../../shared/control-contract.js';
import type { SessionGrant } from '../rfb/session.js';
import {
  INVITATION_DEFAULT_MINUTES,
  type CreatedInvitation,
  type CreateInvitationParams,
  type InvitationInfo,
} from '../../shared/invitation-contract.js';

/**
 * Invitation links (what Krfb's invitations were, made safe): each carries a
 * one-time secret that lets exactly one browser viewer in without the
 * password, until it expires or is revoked.
 *
 * - The secret is 32 random bytes; only its SHA-256 is kept, so nothing
 *   that lists, logs or audits invitations can show it. It travels in the
 *   link's fragment (never sent to a web server by a browser) and then once
 *   in the viewer's WebSocket URL, which the gateway does not log.
 * - Using it consumes it at once, before the RFB handshake: a second browser
 *   with the same link is refused, also while the first is still connecting.
 * - A refusal says why ("has expired", "was already used", "was revoked"):
 *   the viewer shows it.
 * - Kept in memory only: a restart ends every invitation.
 */

const log = getLogger('invitations');

interface Invitation extends InvitationInfo {
  digest: string;
  revoked: boolean;
}

/** At most this many kept (used and expired ones are forgotten first). */
const MAX_KEPT = 200;

const digestOf = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('base64url');

export class Invitations {
  private readonly all = new Map<string, Invitation>();
  private readonly listeners = new Set<() => void>();

  constructor(
    /** The viewer page's address (`https://host:port/viewer`), or null when no web page is served. */
    private readonly viewerUrl: () => string | null,
    private readonly now: () => number = Date.now,
  ) {}

  create(params: CreateInvitationParams = {}): CreatedInvitation {
    const base = this.viewerUrl();
    if (!base) throw new ControlError('invitations need the web dashboard, which serves the viewer page: set its port (Dashboard port, or --http-port)', 'unavailable');
    if (this.list().filter((i) => i.state === 'open').length >= MAX_KEPT) throw new ControlError(`at most ${MAX_KEPT} invitations can be open at once: revoke some first`, 'unavailable');
    const secret = randomBytes(32).toString('base64url');
    const createdAt = this.now();
    const inv: Invitation = {
      id: randomUUID(),
      label: params.label?.trim() || 'invited viewer',
      viewOnly: params.viewOnly ?? false,
      createdAt,
      expiresAt: createdAt + (params.validMinutes ?? INVITATION_DEFAULT_MINUTES) * 60_000,
      state: 'open',
      digest: digestOf(secret),
      revoked: false,
    };
    this.all.set(inv.id, inv);
    this.prune();
    log.info({ invitation: inv.id, label: inv.label, viewOnly: inv.viewOnly, expiresAt: new Date(inv.expiresAt).toISOString() }, 'invitation created');
    this.changed();
    return { ...this.info(inv), link: `${base}#invite=${secret}` };
  }

  list(): InvitationInfo[] {
    return [...this.all.values()].map((i) => this.info(i)).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** A used or expired one can be revoked too (nothing changes then). Fails with 'not-found' for no such id. */
  revoke(id: string): { revoked: true } {
    const inv = this.all.get(id);
    if (!inv) throw new ControlError('no such invitation', 'not-found');
    if (this.stateOf(inv) === 'open') {
      inv.revoked = true;
      log.info({ invitation: id }, 'invitation revoked');
      this.changed();
    }
    return { revoked: true };
  }

  /** Check a secret from a viewer and use it up: the grant the viewer's session gets. */
  redeem(secret: string, client: string): SessionGrant {
    const digest = digestOf(secret);
    const inv = [...this.all.values()].find((i) => i.digest === digest);
    const state = inv ? this.stateOf(inv) : null;
    if (!inv || state !== 'open') {
      const reason =
        state === 'used' ? 'This invitation link was already used. Ask for a new one.'
        : state === 'expired' ? 'This invitation link has expired. Ask for a new one.'
        : state === 'revoked' ? 'This invitation link was withdrawn. Ask for a new one.'
        : 'This invitation link is not valid (the server may have restarted). Ask for a new one.';
      log.warn({ client, invitation: inv?.id ?? null, state: state ?? 'unknown' }, 'invitation refused');
      return { ok: false, reason };
    }
    inv.state = 'used';
    inv.usedBy = client;
    log.info({ client, invitation: inv.id, label: inv.label }, 'invitation used');
    this.changed();
    return { ok: true, access: inv.viewOnly ? 'view-only' : 'full', label: `${inv.label} (invitation)` };
  }

  /** Called when the list changes (created, used, revoked). */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private stateOf(inv: Invitation): InvitationInfo['state'] {
    if (inv.state === 'used') return 'used';
    if (inv.revoked) return 'revoked';
    return this.now() >= inv.expiresAt ? 'expired' : 'open';
  }

  private info(inv: Invitation): InvitationInfo {
    return {
      id: inv.id,
      label: inv.label,
      viewOnly: inv.viewOnly,
      createdAt: inv.createdAt,
      expiresAt: inv.expiresAt,
      state: this.stateOf(inv),
      ...(inv.usedBy ? { usedBy: inv.usedBy } : {}),
    };
  }

  private prune(): void {
    if (this.all.size <= MAX_KEPT) return;
    const closed = [...this.all.values()].filter((i) => this.stateOf(i) !== 'open').sort((a, b) => a.createdAt - b.createdAt);
    for (const inv of closed) {
      if (this.all.size <= MAX_KEPT) break;
      this.all.delete(inv.id);
    }
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

/** The service's invitations, or the control API's error when it has none (not sharing). */
export function invitationsOf(target: { readonly invitations?: Invitations | null }): Invitations {
  if (!target.invitations) throw new ControlError('invitations are available while the server is sharing', 'unavailable');
  return target.invitations;
}
