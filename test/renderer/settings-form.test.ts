import { describe, expect, it } from 'vitest';
import type { SettingsView, UpdateSettingsResult } from '../../src/shared/control-contract.js';
import { SettingsSchema } from '../../src/shared/settings-schema.js';
import { prng } from '../support/prng.js';
import {
  describeSaveResult,
  formValuesFrom,
  generatePassword,
  PASSWORD_ALPHABET,
  prepareSave,
  rebaseFormValues,
  sameFormValues,
  splitFieldErrors,
} from '../../src/renderer/settings/settings-form.js';

// The defaults, as getSettings returns them for a configuration with nothing set.
const loaded: SettingsView = { ...SettingsSchema.parse({}), password_set: false };

describe('settings form', () => {
  it('starts from the loaded settings, password empty and host optional', () => {
    const v = formValuesFrom(loaded);
    expect(v).toMatchObject({ password: '', host: '', port: '5900', frame_rate: '30', max_connections: '10', view_only: false, log_level: 'info' });
    expect(formValuesFrom({ ...loaded, host: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(sameFormValues(v, formValuesFrom(loaded))).toBe(true);
  });

  it('sends only the changed fields', () => {
    const v = { ...formValuesFrom(loaded), frame_rate: '20', view_only: true };
    const r = prepareSave(loaded, v);
    expect(r).toEqual({ ok: true, patch: { frame_rate: 20, view_only: true }, changed: ['frame_rate', 'view_only'] });
    expect(prepareSave(loaded, formValuesFrom(loaded))).toEqual({ ok: true, patch: {}, changed: [] });
  });

  it('sends a typed password, and null to clear a listen address', () => {
    const withHost: SettingsView = { ...loaded, host: '0.0.0.0' };
    const r = prepareSave(withHost, { ...formValuesFrom(withHost), password: 'secret12', host: ' ' });
    expect(r).toEqual({ ok: true, patch: { password: 'secret12', host: null }, changed: ['password', 'host'] });
    const h = prepareSave(loaded, { ...formValuesFrom(loaded), host: ' 127.0.0.1 ' });
    expect(h).toEqual({ ok: true, patch: { host: '127.0.0.1' }, changed: ['host'] });
  });

  it('refuses out-of-range and empty numbers with the schema’s words', () => {
    const r = prepareSave(loaded, { ...formValuesFrom(loaded), frame_rate: '70', port: '', max_connections: '2.5' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fieldErrors['frame_rate']).toEqual(['frame_rate must be a whole number from 1 to 60']);
    expect(r.fieldErrors['port']).toEqual(['port must be a whole number from 0 to 65535']);
    expect(r.fieldErrors['max_connections']).toEqual(['max_connections must be a whole number from 1 to 1000']);
    const nan = prepareSave(loaded, { ...formValuesFrom(loaded), port: 'abc' });
    expect(nan.ok ? null : nan.fieldErrors['port']).toEqual(['port must be a whole number from 0 to 65535']);
  });

  it('refuses an over-long password', () => {
    const r = prepareSave(loaded, { ...formValuesFrom(loaded), password: 'x'.repeat(257) });
    expect(r.ok ? null : r.fieldErrors['password']).toEqual(['password must be at most 256 characters']);
  });

  it('splits server field errors into form fields and the rest', () => {
    const { byField, other } = splitFieldErrors({ port: ['port must be a whole number from 0 to 65535'], password_file: ['give either'], settings: ['bad'] });
    expect(byField).toEqual({ port: 'port must be a whole number from 0 to 65535' });
    expect(other).toEqual(['give either', 'bad']);
  });

  it('takes settings changed elsewhere without losing unsaved edits', () => {
    const edited = { ...formValuesFrom(loaded), frame_rate: '15' };
    const after: SettingsView = { ...loaded, frame_rate: 25, port: 5901, view_only: true };
    const v = rebaseFormValues(edited, loaded, after);
    expect(v.frame_rate).toBe('15');
    expect(v.port).toBe('5901');
    expect(v.view_only).toBe(true);
  });

  it('describes what a save applied and what needs a restart', () => {
    const result: UpdateSettingsResult = { settings: loaded, applied: ['frame_rate', 'view_only'], restartRequired: ['port'] };
    expect(describeSaveResult(result)).toBe('Settings saved. Applied now: Frame rate, View only. Restart TrayVNC to apply: Port.');
    expect(describeSaveResult({ settings: loaded, applied: [], restartRequired: [] })).toBe('Settings saved.');
  });

  it('generates 8-character passwords from the unambiguous alphabet, evenly', () => {
    const random = prng(7);
    const fill = (bytes: Uint8Array) => {
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
    };
    const counts = new Map<string, number>();
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const p = generatePassword(fill);
      expect(p).toMatch(/^[23456789abcdefghjkmnpqrstuvwxyz]{8}$/);
      for (const ch of p) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    expect(counts.size).toBe(PASSWORD_ALPHABET.length);
    // 32000 characters over 31 symbols: about 1032 each. A modulo bias would give the
    // first 8 symbols about 3% more; this only guards against gross skew.
    const expected = (n * 8) / PASSWORD_ALPHABET.length;
    for (const c of counts.values()) expect(Math.abs(c - expected)).toBeLessThan(expected * 0.15);
  });

  it('skips bytes that would favour the first characters', () => {
    let call = 0;
    // First every byte is in the dropped range, then every byte is 31 (the alphabet's first character again).
    const p = generatePassword((b) => b.fill(call++ === 0 ? 250 : 31), 2);
    expect(p).toBe('22');
    expect(call).toBe(2);
  });
});
