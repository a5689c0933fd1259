import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseConfig, resolvePasswords } from '../../../src/main/app/config.js';
import { ControlService, type ControlTarget } from '../../../src/main/app/control-service.js';
import type { ScreenSource } from '../../../src/main/desktop/screen.js';
import { RfbServer } from '../../../src/main/rfb/server.js';
import { ControlError } from '../../../src/shared/control-contract.js';
import { tigerVncpasswd } from '../../support/tigervnc.js';

const dir = mkdtempSync(join(tmpdir(), 'trayvnc-control-pw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A target running with these settings (passwords resolved as the service does), listening on `address`. */
function target(config: Record<string, unknown>, address: string | null = '127.0.0.1'): ControlTarget {
  const cfg = parseConfig(config);
  const pw = resolvePasswords(cfg);
  return {
    server: new RfbServer({ password: pw.full, viewOnlyPassword: pw.viewOnly }),
    config: cfg,
    source: { name: 'synthetic', width: 640, height: 480 } as ScreenSource,
    listening: address ? { address, family: 'IPv4', port: 5900 } : null,
    password: pw.full,
    viewOnlyPassword: pw.viewOnly,
    websocket: null,
  };
}

const services: ControlService[] = [];
afterEach(() => {
  for (const s of services.splice(0)) s.close();
});
function make(t: ControlTarget): ControlService {
  const s = new ControlService(t);
  services.push(s);
  return s;
}

async function failure(p: Promise<unknown>): Promise<ControlError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ControlError);
  return e as ControlError;
}

describe('the view-only password through the control API', () => {
  it('is never shown, says whether it is set, and applies to the next viewer', async () => {
    const t = target({ password: 'secret12' }, '0.0.0.0');
    const c = make(t);
    expect(c.getSettings()).not.toHaveProperty('view_only_password');
    expect(c.getSettings().view_only_password_set).toBe(false);
    expect(c.getState()).toMatchObject({ passwordSet: true, viewOnlyPasswordSet: false });
    const r = await c.updateSettings({ view_only_password: 'justlook' });
    expect(r.applied).toEqual(['view_only_password']);
    expect(JSON.stringify(r)).not.toContain('justlook');
    expect(r.settings.view_only_password_set).toBe(true);
    expect(t.server.options.viewOnlyPassword).toBe('justlook');
    expect(c.getState().viewOnlyPasswordSet).toBe(true);
    expect(JSON.stringify(c.getSettings())).not.toContain('justlook');
    // Removed while the full password still guards the server: live.
    const off = await c.updateSettings({ view_only_password: null });
    expect(off.applied).toEqual(['view_only_password']);
    expect(t.server.options.viewOnlyPassword).toBeNull();
  });

  it('refuses one equal to the password in its first 8 characters, inline or in a file, and changes nothing', async () => {
    const c = make(target({ password: 'secret12' }));
    const inline = await failure(c.updateSettings({ view_only_password: 'secret12-and-more' }));
    expect(inline.code).toBe('invalid-settings');
    expect(inline.fieldErrors?.['view_only_password']?.[0]).toMatch(/^must differ from the password in its first 8 characters/);

    const file = join(dir, 'passwd');
    writeFileSync(file, tigerVncpasswd('secret12'));
    const t = target({ password_file: file });
    const c2 = make(t);
    const fromFile = await failure(c2.updateSettings({ view_only_password: 'secret12' }));
    expect(fromFile.fieldErrors?.['view_only_password']?.[0]).toMatch(/would give full control/);
    expect(t.server.options.viewOnlyPassword).toBeNull();
    expect(c2.getSettings().view_only_password_set).toBe(false);
    // a different one is fine
    expect((await c2.updateSettings({ view_only_password: 'justlook' })).applied).toEqual(['view_only_password']);
  });

  it('sees the view-only password of a vncpasswd password_file as set', () => {
    const file = join(dir, 'both');
    writeFileSync(file, tigerVncpasswd('secret12', 'justlook'));
    const t = target({ password_file: file });
    expect(t.server.options.viewOnlyPassword).toBe('justlook');
    const c = make(t);
    expect(c.getSettings()).toMatchObject({ password_set: true, view_only_password_set: true });
    expect(JSON.stringify(c.getSettings())).not.toContain('justlook');
  });

  it('keeps the last password until a restart when the server listens beyond loopback', async () => {
    const t = target({ view_only_password: 'justlook' }, '0.0.0.0');
    const c = make(t);
    expect(c.getState()).toMatchObject({ passwordSet: true, viewOnlyPasswordSet: true });
    const r = await c.updateSettings({ view_only_password: null });
    expect(r.restartRequired).toEqual(['view_only_password']);
    expect(t.server.options.viewOnlyPassword).toBe('justlook');
    // on loopback it may go at once
    const t2 = target({ view_only_password: 'justlook' });
    expect((await make(t2).updateSettings({ view_only_password: null })).applied).toEqual(['view_only_password']);
    expect(t2.server.options.viewOnlyPassword).toBeNull();
  });

  it('takes a password or its file, not both, and a file replaces the password', async () => {
    const c = make(target({ password: 'secret12' }));
    const both = await failure(c.updateSettings({ view_only_password: 'a', view_only_password_file: '/x' }));
    expect(Object.keys(both.fieldErrors!)).toEqual(['view_only_password', 'view_only_password_file']);
    await c.updateSettings({ view_only_password: 'justlook' });
    const file = join(dir, 'vo.txt');
    writeFileSync(file, 'another1\n');
    const r = await c.updateSettings({ view_only_password_file: file });
    expect(r.settings).toMatchObject({ view_only_password_file: file, view_only_password_set: true });
    expect(r.restartRequired).toContain('view_only_password_file');
  });
});
