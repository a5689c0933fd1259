import { ControlError, type SettingsView } from '../../shared/control-contract.js';
import type { Settings } from '../../shared/settings-schema.js';
import { hasViewOnlyPassword } from './config.js';

/**
 * The passwords among the settings, as the control API treats them: never
 * sent back (only whether each is set), and each given either inline or as a
 * file, one replacing the other.
 */

/** A password setting, the file setting that would hold the same password, and how each is named in a refusal. */
export const PASSWORD_PAIRS = [
  ['password', 'password_file', 'a password file', 'a password'],
  ['view_only_password', 'view_only_password_file', 'a view-only password file', 'a view-only password'],
] as const;

/** The settings without the passwords, which never go back to a UI: only whether each is set. */
export function redact(s: Settings): SettingsView {
  const { password, view_only_password: _viewOnly, ...rest } = s;
  return {
    ...rest,
    password_set: (password !== null && password !== undefined) || s.password_file !== undefined,
    view_only_password_set: hasViewOnlyPassword(s),
  };
}

/** Refuse a change that gives a password and its file together (which one is meant is unclear). */
export function checkPasswordPairs(patch: Readonly<Record<string, unknown>>): void {
  for (const [pw, file, fileWords, pwWords] of PASSWORD_PAIRS) {
    if (patch[pw] !== undefined && patch[pw] !== null && patch[file] !== undefined && patch[file] !== null) {
      throw new ControlError(`give either ${pw} or ${file}, not both`, 'invalid-settings', {
        [pw]: [`and ${fileWords} cannot both be given`],
        [file]: [`and ${pwWords} cannot both be given`],
      });
    }
  }
}

/** In settings merged with `patch`: a password given replaces its file, and a file given replaces its password (as on the command line). */
export function settlePasswordPairs(merged: Record<string, unknown>, patch: Readonly<Record<string, unknown>>): void {
  for (const [pw, file] of PASSWORD_PAIRS) {
    if (patch[pw] !== undefined) delete merged[file];
    if (patch[file] !== undefined && patch[file] !== null) delete merged[pw];
  }
}
