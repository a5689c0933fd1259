import { describe, expect, it } from 'vitest';
import type { SettingsView, UpdateSettingsResult } from '../../src/shared/control-contract.js';
import { SettingsSchema } from '../../src/shared/settings-schema.js';
import {
  describeSaveResult,
  formValuesFrom,
  prepareSave,
  rebaseFormValues,
  sameFormValues,
  splitFieldErrors,
} from '../../src/renderer/settings/settings-form.js';

// The defaults, as getSettings returns them for a configuration with nothing set.
const loaded: SettingsView = { ...SettingsSchema.parse({}), password_set: false, view_only_password_set: false };

describe('settings form', () => {
  it('starts from the loaded settings, password empty and host optional', () => {
    const v = formValuesFrom(loaded);
    expect(v).toMatchObject({ password: '', host: '', port: '5900', frame_rate: '60', max_connections: '10', view_only: false, log_level: 'info' });
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

  it('sends a typed view-only password (replacing its file), and refuses one the password shadows', () => {
    const withFile: SettingsView = { ...loaded, password_set: true, view_only_password_set: true, view_only_password_file: '/etc/vo' };
    const v = formValuesFrom(withFile);
    expect(v.view_only_password).toBe('');
    expect(prepareSave(withFile, { ...v, view_only_password: 'watch123' })).toEqual({
      ok: true,
      patch: { view_only_password: 'watch123' },
      changed: ['view_only_password'],
    });
    // Both typed alike in their first 8 characters: DES would not tell them apart.
    const r = prepareSave(loaded, { ...formValuesFrom(loaded), password: 'secret12', view_only_password: 'secret12-but-longer' });
    expect(r.ok).toBe(false);
    expect(r.ok ? null : splitFieldErrors(r.fieldErrors).byField.view_only_password).toBe(
      'View-only password must differ from the password in its first 8 characters (VNC Authentication reads only 8, so it would give full control)',
    );
    expect(prepareSave(loaded, { ...formValuesFrom(loaded), password: 'secret12', view_only_password: 'secret13' }).ok).toBe(true);
  });

  it('refuses out-of-range and empty numbers with the schema’s words, under the labels the form shows', () => {
    const r = prepareSave(loaded, { ...formValuesFrom(loaded), frame_rate: '70', port: '', max_connections: '2.5' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(splitFieldErrors(r.fieldErrors).byField).toEqual({
      frame_rate: 'Frame rate must be a whole number from 1 to 60',
      port: 'Port must be a whole number from 0 to 65535',
      max_connections: 'Maximum connections must be a whole number from 1 to 1000',
    });
    const nan = prepareSave(loaded, { ...formValuesFrom(loaded), port: 'abc' });
    expect(nan.ok ? null : splitFieldErrors(nan.fieldErrors).byField.port).toBe('Port must be a whole number from 0 to 65535');
  });

  it('refuses an over-long password, and a listen address that is not one', () => {
    const r = prepareSave(loaded, { ...formValuesFrom(loaded), password: 'x'.repeat(257) });
    expect(r.ok ? null : splitFieldErrors(r.fieldErrors).byField.password).toBe('Password must be at most 256 characters');
    const h = prepareSave(loaded, { ...formValuesFrom(loaded), host: 'not a host!!' });
    expect(h.ok ? null : splitFieldErrors(h.fieldErrors).byField.host).toMatch(/^Listen address must be an IP address .* or a host name/);
  });

  it('splits server field errors into form fields and the rest, each named by its label', () => {
    const { byField, other } = splitFieldErrors({
      port: ['must be a whole number from 0 to 65535'],
      password_file: ['and a password cannot both be given'],
      settings: ['the settings must be an object'],
    });
    expect(byField).toEqual({ port: 'Port must be a whole number from 0 to 65535' });
    expect(other).toEqual(['Password file and a password cannot both be given', 'the settings must be an object']);
  });

  it('takes settings changed elsewhere without losing unsaved edits', () => {
    const edited = { ...formValuesFrom(loaded), frame_rate: '15' };
    const after: SettingsView = { ...loaded, frame_rate: 25, port: 5901, view_only: true };
    const v = rebaseFormValues(edited, loaded, after);
    expect(v.frame_rate).toBe('15');
    expect(v.port).toBe('5901');
    expect(v.view_only).toBe(true);
  });

  it('shows the recording settings, an unset Record as the mode it stands for', () => {
    expect(formValuesFrom(loaded)).toMatchObject({ record_dir: '', record_mode: 'off', record_keys: false, record_clipboard_text: false });
    // A folder alone means recording while viewed, as the server decides.
    expect(formValuesFrom({ ...loaded, record_dir: '/srv/rec' })).toMatchObject({ record_dir: '/srv/rec', record_mode: 'while-viewed' });
    expect(formValuesFrom({ ...loaded, record_dir: '/srv/rec', record_mode: 'manual' }).record_mode).toBe('manual');
  });

  it('sends recording changes: a chosen mode, the switches, a folder (null to return to the default)', () => {
    const r = prepareSave(loaded, { ...formValuesFrom(loaded), record_mode: 'manual', record_keys: true, record_dir: ' /srv/rec ' });
    expect(r).toEqual({
      ok: true,
      patch: { record_keys: true, record_dir: '/srv/rec', record_mode: 'manual' },
      changed: ['record_keys', 'record_dir', 'record_mode'],
    });
    const withDir: SettingsView = { ...loaded, record_dir: '/srv/rec' };
    // The mode shown (while viewed, from the folder) was not chosen: it is not sent.
    expect(prepareSave(withDir, formValuesFrom(withDir))).toEqual({ ok: true, patch: {}, changed: [] });
    expect(prepareSave(withDir, { ...formValuesFrom(withDir), record_dir: '' })).toEqual({ ok: true, patch: { record_dir: null }, changed: ['record_dir'] });
    const bad = prepareSave(loaded, { ...formValuesFrom(loaded), record_mode: 'sometimes' });
    expect(bad.ok ? null : Object.keys(splitFieldErrors(bad.fieldErrors).byField)).toEqual(['record_mode']);
  });

  it('shows an unset screen source as Automatic, and sends a chosen one (null to return to Automatic)', () => {
    expect(formValuesFrom(loaded).source).toBe('');
    expect(formValuesFrom({ ...loaded, source: 'x11' }).source).toBe('x11');
    expect(prepareSave(loaded, { ...formValuesFrom(loaded), source: 'synthetic' })).toEqual({ ok: true, patch: { source: 'synthetic' }, changed: ['source'] });
    const chosen: SettingsView = { ...loaded, source: 'x11' };
    expect(prepareSave(chosen, { ...formValuesFrom(chosen), source: '' })).toEqual({ ok: true, patch: { source: null }, changed: ['source'] });
    expect(prepareSave(chosen, formValuesFrom(chosen))).toEqual({ ok: true, patch: {}, changed: [] });
    const bad = prepareSave(loaded, { ...formValuesFrom(loaded), source: 'vnc' });
    expect(bad.ok ? null : splitFieldErrors(bad.fieldErrors).byField.source).toBe('Screen source must be one of x11, synthetic, system-capture');
  });

  it("refuses the system's screen capture where the server cannot start with it, and only there", () => {
    const v = { ...formValuesFrom(loaded), source: 'system-capture' };
    const refused = prepareSave(loaded, v, { systemCapture: false });
    expect(refused.ok ? null : splitFieldErrors(refused.fieldErrors).byField).toEqual({
      source: "Screen source cannot be the system's screen capture here: only the tray app has it, and this server would not start with it",
    });
    // With another problem in the form, both are said.
    const both = prepareSave(loaded, { ...v, port: '' }, { systemCapture: false });
    expect(both.ok ? [] : Object.keys(both.fieldErrors).sort()).toEqual(['port', 'source']);
    expect(prepareSave(loaded, v, { systemCapture: true })).toEqual({ ok: true, patch: { source: 'system-capture' }, changed: ['source'] });
    // Not known: left to the server.
    expect(prepareSave(loaded, v, { systemCapture: null }).ok).toBe(true);
    expect(prepareSave(loaded, v).ok).toBe(true);
  });

  it('describes what a save applied and what needs a restart', () => {
    const result: UpdateSettingsResult = { settings: loaded, applied: ['frame_rate', 'view_only'], restartRequired: ['port'] };
    expect(describeSaveResult(result)).toBe('Settings saved. Applied now: Frame rate, View only. Restart TrayVNC to apply: Port.');
    expect(describeSaveResult({ settings: loaded, applied: [], restartRequired: [] })).toBe('Settings saved.');
    // The screen source is chosen at start: it is said under its label.
    expect(describeSaveResult({ settings: loaded, applied: [], restartRequired: ['source'] })).toBe('Settings saved. Restart TrayVNC to apply: Screen source.');
  });

  it('says where the settings were saved, or that they were not', () => {
    const savedTo = '/home/me/.config/trayvnc/config.json';
    expect(describeSaveResult({ settings: loaded, applied: ['frame_rate'], restartRequired: [], saved: true, savedTo })).toBe(
      `Settings saved to ${savedTo}. Applied now: Frame rate.`,
    );
    expect(describeSaveResult({ settings: loaded, applied: ['frame_rate'], restartRequired: [], saved: false })).toBe(
      'Settings changed for this run only (the server does not save them). Applied now: Frame rate.',
    );
  });

});
