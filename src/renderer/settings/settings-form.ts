import type { SettingsPatch, SettingsView, UpdateSettingsResult } from '../../shared/control-contract.js';
import { fieldErrorLine, SETTING_LABELS, validateSettings, type FieldErrors, type SettingKey } from '../../shared/settings-schema.js';
import { NO_SYSTEM_CAPTURE, sourceFormValue } from './source-choice.js';

/**
 * The settings form's logic, apart from React: what the fields hold, how
 * they become a change for `updateSettings`, and how problems map back onto
 * fields. Validation is the shared schema's, so the form and the server
 * refuse a value with the same words.
 */

/** The settings the form edits, in display order. */
export const FORM_FIELDS = [
  'password',
  'view_only_password',
  'host',
  'port',
  'max_connections',
  'view_only',
  'source',
  'accept_prompt',
  'accept_timeout',
  'accept_default',
  'frame_rate',
  'enable_region_detection',
  'enable_metrics',
  'log_level',
  'record_dir',
  'record_mode',
  'record_keys',
  'record_clipboard_text',
] as const satisfies readonly SettingKey[];

export type FormField = (typeof FORM_FIELDS)[number];

export const NUMBER_FIELDS = ['port', 'max_connections', 'frame_rate', 'accept_timeout'] as const satisfies readonly FormField[];
export const BOOLEAN_FIELDS = ['view_only', 'accept_prompt', 'enable_region_detection', 'enable_metrics', 'record_keys', 'record_clipboard_text'] as const satisfies readonly FormField[];
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const RECORD_MODES = ['off', 'while-viewed', 'manual'] as const;
export const ACCEPT_DEFAULTS = ['refuse', 'view-only', 'accept'] as const;

type NumberField = (typeof NUMBER_FIELDS)[number];
type BooleanField = (typeof BOOLEAN_FIELDS)[number];

/** The password fields: empty unless a new password is typed (the settings never hold them in clear). */
export const PASSWORD_FIELDS = ['password', 'view_only_password'] as const satisfies readonly FormField[];

/** What the inputs hold: numbers as typed (so an empty field stays empty), the passwords only when typed. */
export type FormValues = { [K in NumberField]: string } & { [K in BooleanField]: boolean } & {
  password: string;
  view_only_password: string;
  host: string;
  log_level: string;
  /** Empty: the default folder. */
  record_dir: string;
  /** The mode in force (an unset mode shows as the one it stands for). */
  record_mode: string;
  accept_default: string;
  /** The screen source; empty: Automatic (the setting unset). */
  source: string;
};

/** The Record setting in force: record_mode, or while-viewed when only a folder is set (as the server decides). */
export function recordModeOf(view: Pick<SettingsView, 'record_dir' | 'record_mode'>): (typeof RECORD_MODES)[number] {
  return view.record_mode ?? (view.record_dir !== undefined ? 'while-viewed' : 'off');
}

export function formValuesFrom(view: SettingsView): FormValues {
  return {
    password: '',
    view_only_password: '',
    host: view.host ?? '',
    port: String(view.port),
    max_connections: String(view.max_connections),
    accept_timeout: String(view.accept_timeout),
    accept_prompt: view.accept_prompt,
    accept_default: view.accept_default,
    frame_rate: String(view.frame_rate),
    view_only: view.view_only,
    source: sourceFormValue(view.source),
    enable_region_detection: view.enable_region_detection,
    enable_metrics: view.enable_metrics,
    log_level: view.log_level,
    record_dir: view.record_dir ?? '',
    record_mode: recordModeOf(view),
    record_keys: view.record_keys,
    record_clipboard_text: view.record_clipboard_text,
  };
}

export function sameFormValues(a: FormValues, b: FormValues): boolean {
  return FORM_FIELDS.every((f) => a[f] === b[f]);
}

/** A typed number, or null for an empty field (which the schema refuses with the field's own message). */
function numberFromText(text: string): number | null {
  const t = text.trim();
  return t === '' ? null : Number(t);
}

/** What the form knows of the server beyond its settings. */
export interface SaveContext {
  /** Whether the server can take the system's screen capture (null: not known, so it is not refused here). */
  systemCapture?: boolean | null;
}

export type PreparedSave =
  | { ok: true; patch: SettingsPatch; changed: FormField[] }
  | { ok: false; fieldErrors: FieldErrors };

/**
 * Check the form against the loaded settings and build the change to send:
 * only the fields that differ. The whole resulting configuration is
 * validated, as the server does, so a value is judged with the others.
 */
export function prepareSave(loaded: SettingsView, values: FormValues, context: SaveContext = {}): PreparedSave {
  const { password_set: _passwordSet, view_only_password_set: _viewOnlySet, ...current } = loaded;
  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(current)) if (v !== undefined) merged[k] = v;

  const patch: Record<string, unknown> = {};
  const changed: FormField[] = [];
  const set = (field: FormField, value: unknown) => {
    merged[field] = value;
    if (value !== (current as Record<string, unknown>)[field]) {
      patch[field] = value;
      changed.push(field);
    }
  };

  for (const field of PASSWORD_FIELDS) {
    const typed = values[field];
    if (typed === '') continue;
    // A password replaces a password file (the server does the same).
    delete merged[`${field}_file`];
    merged[field] = typed;
    patch[field] = typed;
    changed.push(field);
  }
  const host = values.host.trim();
  if (host === '') {
    delete merged['host'];
    if (current.host !== undefined) {
      patch['host'] = null; // back to the default listen address
      changed.push('host');
    }
  } else {
    set('host', host);
  }
  for (const f of NUMBER_FIELDS) set(f, numberFromText(values[f]));
  for (const f of BOOLEAN_FIELDS) set(f, values[f]);
  set('log_level', values.log_level);
  set('accept_default', values.accept_default);
  const recordDir = values.record_dir.trim();
  if (recordDir === '') {
    delete merged['record_dir'];
    if (current.record_dir !== undefined) {
      patch['record_dir'] = null; // back to the default folder
      changed.push('record_dir');
    }
  } else {
    set('record_dir', recordDir);
  }
  // An unset mode is shown as the mode it stands for: only a changed choice is sent.
  if (values.record_mode !== recordModeOf(loaded)) set('record_mode', values.record_mode);
  if (values.source === '') {
    delete merged['source'];
    if (current.source !== undefined) {
      patch['source'] = null; // back to Automatic
      changed.push('source');
    }
  } else {
    set('source', values.source);
  }

  const v = validateSettings(merged);
  // A server that cannot share the system's screen capture would save the choice and then fail to start with it.
  const noCapture = context.systemCapture === false && changed.includes('source') && values.source === 'system-capture';
  if (!v.ok || noCapture) return { ok: false, fieldErrors: { ...(v.ok ? {} : v.fieldErrors), ...(noCapture ? { source: [NO_SYSTEM_CAPTURE] } : {}) } };
  return { ok: true, patch: patch as SettingsPatch, changed };
}

/** What the form calls a setting: its label ("Frame rate"), or the key of one it does not know. */
export function settingLabel(key: string): string {
  return (SETTING_LABELS as Readonly<Record<string, string>>)[key] ?? key;
}

/**
 * Field errors as the form shows them, each named by its label ("Frame rate
 * must be …"): those of the form's fields by field, and the rest (shown
 * above the buttons).
 */
export function splitFieldErrors(errors: FieldErrors): { byField: Partial<Record<FormField, string>>; other: string[] } {
  const byField: Partial<Record<FormField, string>> = {};
  const other: string[] = [];
  for (const [key, messages] of Object.entries(errors)) {
    const lines = messages.map((m) => fieldErrorLine(key, m, settingLabel));
    if ((FORM_FIELDS as readonly string[]).includes(key)) byField[key as FormField] = lines.join(' ');
    else other.push(...lines);
  }
  return { byField, other };
}

/**
 * New settings arrived (saved from another window): take them for every
 * field the user has not touched, keep the user's edits elsewhere.
 */
export function rebaseFormValues(values: FormValues, before: SettingsView, after: SettingsView): FormValues {
  const was = formValuesFrom(before);
  const now = formValuesFrom(after);
  const out = { ...values };
  for (const f of FORM_FIELDS) {
    if (values[f] === was[f]) (out as Record<FormField, string | boolean>)[f] = now[f];
  }
  return out;
}

const labelList = (keys: readonly SettingKey[]) => keys.map(settingLabel).join(', ');

/**
 * What a save did, in words: "Settings saved to /home/me/.config/trayvnc/config.json.
 * Applied now: Frame rate. Restart TrayVNC to apply: Port."
 */
export function describeSaveResult(result: UpdateSettingsResult): string {
  const where = result.savedTo !== undefined ? `Settings saved to ${result.savedTo}.` : 'Settings saved.';
  const parts = [result.saved === false ? 'Settings changed for this run only (the server does not save them).' : where];
  if (result.applied.length > 0) parts.push(`Applied now: ${labelList(result.applied)}.`);
  if (result.restartRequired.length > 0) parts.push(`Restart TrayVNC to apply: ${labelList(result.restartRequired)}.`);
  return parts.join(' ');
}
