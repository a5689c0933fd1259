import type { SettingsPatch } from '../../shared/control-contract.js';
import { ControlError } from '../../shared/control-contract.js';
import { fieldErrorLines, LOCAL_ONLY_SETTINGS, SETTING_KEYS, validateSettings, type SettingKey, type Settings } from '../../shared/settings-schema.js';
import { settingsPasswordClash } from './config.js';
import { checkPasswordPairs, settlePasswordPairs } from './settings-secrets.js';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The settings after `patch`, validated against the schema (merged into the
 * current settings first: a field's value is checked with the others, as in
 * a config file). Throws a ControlError naming each refused field; nothing
 * is changed then.
 */
export function mergeSettingsPatch(current: Settings, patch: SettingsPatch): Settings {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new ControlError('settings must be an object', 'invalid-params');
  }
  const known = new Set<string>(SETTING_KEYS);
  const unknown = Object.keys(patch).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    const fieldErrors = Object.fromEntries(unknown.map((k) => [k, ['is not a setting']]));
    throw new ControlError(`unknown setting${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, 'invalid-settings', fieldErrors);
  }
  const entries = Object.entries(patch as Record<string, unknown>);
  const localOnly = entries.filter(([k, v]) => LOCAL_ONLY_SETTINGS.includes(k as SettingKey) && !same(v, current[k as SettingKey]));
  if (localOnly.length > 0) {
    const keys = localOnly.map(([k]) => k);
    const fieldErrors = Object.fromEntries(keys.map((k) => [k, ['can be changed only in the config file or on the command line']]));
    throw new ControlError(`${keys.join(', ')} can be changed only in the config file or on the command line`, 'invalid-settings', fieldErrors);
  }
  const given = patch as Record<string, unknown>;
  checkPasswordPairs(given);
  const merged: Record<string, unknown> = { ...current };
  for (const [k, v] of entries) {
    if (v === null && k !== 'password' && k !== 'view_only_password') delete merged[k];
    else merged[k] = v;
  }
  settlePasswordPairs(merged, given);
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];

  const v = validateSettings(merged);
  if (!v.ok) {
    throw new ControlError(fieldErrorLines(v.fieldErrors).join('; '), 'invalid-settings', v.fieldErrors);
  }
  const next = v.settings;
  // Passwords in files are checked against each other too (the schema sees only those given inline).
  const clash = settingsPasswordClash(next);
  if (clash) throw new ControlError(clash, 'invalid-settings', { view_only_password: [clash] });
  return next;
}
