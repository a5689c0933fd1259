import { describe, expect, it } from 'vitest';
import { Invitations } from '../../../src/main/app/invitations.js';
import { viewerUrlOf } from '../../../src/main/app/viewer-url.js';
import { ControlError } from '../../../src/shared/control-contract.js';

const BASE = 'https://192.0.2.7:5980/viewer';
const secretOf = (link: string) => new URL(link).hash.replace(/^#invite=/, '');

describe('Invitations', () => {
  it('makes a link to the viewer with a secret in its fragment, shown only at creation', () => {
    const inv = new Invitations(() => BASE);
    const made = inv.create({ label: 'Alice', viewOnly: true, validMinutes: 5 });
    expect(made.link.startsWith(`${BASE}#invite=`)).toBe(true);
    expect(secretOf(made.link)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(made.expiresAt - made.createdAt).toBe(5 * 60_000);
    const listed = inv.list();
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(secretOf(made.link));
    expect(listed[0]).toMatchObject({ id: made.id, label: 'Alice', viewOnly: true, state: 'open' });
  });

  it('lets exactly one viewer in, with the access it was made for', () => {
    const inv = new Invitations(() => BASE);
    const made = inv.create({ viewOnly: true });
    expect(inv.redeem(secretOf(made.link), '10.0.0.2:5000')).toEqual({ ok: true, access: 'view-only', label: 'invited viewer (invitation)' });
    const second = inv.redeem(secretOf(made.link), '10.0.0.3:5000');
    expect(second.ok).toBe(false);
    expect(second.ok ? '' : second.reason).toMatch(/already used/);
    expect(inv.list()[0]).toMatchObject({ state: 'used', usedBy: '10.0.0.2:5000' });
  });

  it('refuses an expired, a revoked and an unknown link, each saying why', () => {
    let now = 1_000_000;
    const inv = new Invitations(() => BASE, () => now);
    const expiring = inv.create({ validMinutes: 1 });
    const revoked = inv.create();
    expect(inv.revoke(revoked.id)).toEqual({ revoked: true });
    now += 60_001;
    const reason = (secret: string) => {
      const g = inv.redeem(secret, '10.0.0.2:1');
      return g.ok ? 'let in' : g.reason;
    };
    expect(reason(secretOf(expiring.link))).toMatch(/expired/);
    expect(reason(secretOf(revoked.link))).toMatch(/withdrawn/);
    expect(reason('x'.repeat(43))).toMatch(/not valid/);
    expect(() => inv.revoke('no-such-id')).toThrow(ControlError);
  });

  it('needs the web page to link to', () => {
    const inv = new Invitations(() => null);
    expect(() => inv.create()).toThrow(/dashboard/);
  });
});

describe('viewerUrlOf', () => {
  it('links to /viewer on the dashboard, with a LAN address in place of "every address"', () => {
    expect(viewerUrlOf('http://127.0.0.1:5980/?token=abc')).toBe('http://127.0.0.1:5980/viewer');
    expect(viewerUrlOf('https://0.0.0.0:5980/?token=abc', () => '192.168.1.20')).toBe('https://192.168.1.20:5980/viewer');
    expect(viewerUrlOf('http://[::]:5980/?token=abc', () => 'fd00::5')).toBe('http://[fd00::5]:5980/viewer');
    expect(viewerUrlOf('http://0.0.0.0:5980/', () => null)).toBe('http://0.0.0.0:5980/viewer');
  });
});
