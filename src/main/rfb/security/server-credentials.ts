import { createHash, timingSafeEqual } from 'node:crypto';
import type { Access, Credentials } from './security-type.js';
import { checkVncAuth } from './vnc-auth.js';

/** Users for the types that have user names (Plain): kept and checked elsewhere (salted hashes). */
export interface UserDirectory {
  readonly size: number;
  check(user: string, password: string): Promise<Access | null>;
}

/** The passwords a server is given: full control, view-only, either may be unset. */
export interface ServerPasswords {
  full: string | null;
  viewOnly: string | null;
}

/** Compare two texts in time that does not depend on where they differ. */
function sameText(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/**
 * The server's credentials as security types see them: the two passwords
 * (whichever matches decides the access; the full one wins a tie) and the
 * user directory.
 */
export class ServerCredentials implements Credentials {
  constructor(
    private readonly passwords: ServerPasswords,
    private readonly users: UserDirectory | null = null,
  ) {}

  get hasVncPassword(): boolean {
    return this.passwords.full !== null || this.passwords.viewOnly !== null;
  }

  get hasUsers(): boolean {
    return (this.users?.size ?? 0) > 0;
  }

  checkVncResponse(challenge: Buffer, response: Buffer): Access | null {
    const { full, viewOnly } = this.passwords;
    // Check both whatever the first says, so the time taken does not tell which password exists.
    const isFull = full !== null && checkVncAuth(full, challenge, response);
    const isViewOnly = viewOnly !== null && checkVncAuth(viewOnly, challenge, response);
    return isFull ? 'full' : isViewOnly ? 'view-only' : null;
  }

  /** A password given whole (RSA-AES without a user name): the same two passwords, compared in full. */
  checkPassword(password: string): Access | null {
    const { full, viewOnly } = this.passwords;
    const isFull = full !== null && sameText(full, password);
    const isViewOnly = viewOnly !== null && sameText(viewOnly, password);
    return isFull ? 'full' : isViewOnly ? 'view-only' : null;
  }

  async checkUser(user: string, password: string): Promise<Access | null> {
    return this.users ? this.users.check(user, password) : null;
  }
}
