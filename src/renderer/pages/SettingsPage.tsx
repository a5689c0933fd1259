import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ControlError, type SettingsView } from '../../shared/control-contract.js';
import { generatePassword } from '../../shared/password.js';
import { SETTING_LABELS, type SettingKey } from '../../shared/settings-schema.js';
import type { ControlClient } from '../api/control-client.js';
import {
  describeSaveResult,
  FORM_FIELDS,
  formValuesFrom,
  LOG_LEVELS,
  PASSWORD_FIELDS,
  prepareSave,
  RECORD_MODES,
  ACCEPT_DEFAULTS,
  rebaseFormValues,
  sameFormValues,
  splitFieldErrors,
  type FormField,
  type FormValues,
} from '../settings/settings-form.js';
import { FRAME_RATE } from '../../shared/frame-rate.js';
import { Field } from '../components/Field.js';
import { SourceField } from '../settings/SourceField.js';
import { MODE_LABELS } from '../recordings/recording-text.js';

interface SettingsPageProps {
  client: ControlClient | null;
  /** Settings that take effect only after a restart (from the server's state). */
  restartRequired: readonly SettingKey[];
  /** Whether the server can take the system's screen capture as its source (null: not known). */
  systemCapture: boolean | null;
}

type Errors = Partial<Record<FormField, string>>;
type PasswordField = (typeof PASSWORD_FIELDS)[number];
const HIDDEN: Record<PasswordField, boolean> = { password: false, view_only_password: false };
type SaveStatus = { kind: 'ok' | 'problem'; text: string } | null;

const ACCEPT_DEFAULT_LABELS: Record<(typeof ACCEPT_DEFAULTS)[number], string> = {
  refuse: 'Refuse',
  'view-only': 'Accept view-only',
  accept: 'Accept',
};

const fieldId = (f: FormField) => `setting-${f.replace(/_/g, '-')}`;

export function SettingsPage({ client, restartRequired, systemCapture }: SettingsPageProps) {
  const [loaded, setLoaded] = useState<SettingsView | null>(null);
  const [values, setValues] = useState<FormValues | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [status, setStatus] = useState<SaveStatus>(null);
  const [saving, setSaving] = useState(false);
  const [shown, setShown] = useState(HIDDEN);
  const formRef = useRef<HTMLFormElement>(null);
  // The event handler and the loader need the newest form without re-subscribing.
  const current = useRef({ loaded, values });
  current.current = { loaded, values };

  useEffect(() => {
    if (!client) return;
    let live = true;
    // New settings keep the user's unsaved edits (rebase) rather than discarding them.
    const take = (next: SettingsView) => {
      const { loaded: before, values: edited } = current.current;
      setLoaded(next);
      setValues(before && edited ? rebaseFormValues(edited, before, next) : formValuesFrom(next));
    };
    client.getSettings().then(
      (s) => {
        if (live) take(s);
      },
      (e: unknown) => {
        if (live && !(e instanceof ControlError && e.code === 'unavailable')) setStatus({ kind: 'problem', text: `Could not load settings: ${String(e)}` });
      },
    );
    const off = client.on('settings', (result) => take(result.settings));
    return () => {
      live = false;
      off();
    };
  }, [client]);

  if (!loaded || !values) {
    return (
      <div className="page settings-page">
        <p className="muted">{client ? 'Loading settings…' : 'The settings appear once TrayVNC is connected.'}</p>
      </div>
    );
  }

  const dirty = !sameFormValues(values, formValuesFrom(loaded));
  const attempted = Object.keys(errors).length > 0;

  const change = <K extends FormField>(field: K, value: FormValues[K]) => {
    const next = { ...values, [field]: value };
    setValues(next);
    // "Saved" no longer describes the form once it is edited again.
    if (status?.kind === 'ok') setStatus(null);
    // Once a save was refused, errors follow the fixes as they are typed.
    if (attempted) {
      const check = prepareSave(loaded, next, { systemCapture });
      setErrors(check.ok ? {} : splitFieldErrors(check.fieldErrors).byField);
    }
  };

  const focusFirstError = (errs: Errors) => {
    const first = FORM_FIELDS.find((f) => errs[f]);
    if (first) formRef.current?.querySelector<HTMLElement>(`#${fieldId(first)}`)?.focus();
  };

  const refuse = (fieldErrors: Record<string, string[]>) => {
    const { byField, other } = splitFieldErrors(fieldErrors);
    setErrors(byField);
    setStatus({ kind: 'problem', text: other.length > 0 ? `Not saved: ${other.join(' ')}` : 'Not saved: correct the highlighted fields.' });
    focusFirstError(byField);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!client || saving) return;
    const prepared = prepareSave(loaded, values, { systemCapture });
    if (!prepared.ok) {
      refuse(prepared.fieldErrors);
      return;
    }
    setErrors({});
    if (prepared.changed.length === 0) {
      setStatus({ kind: 'ok', text: 'Nothing to save: no setting was changed.' });
      return;
    }
    setSaving(true);
    setStatus(null);
    try {
      const result = await client.updateSettings(prepared.patch);
      setLoaded(result.settings);
      setValues(formValuesFrom(result.settings));
      setShown(HIDDEN);
      setStatus({ kind: 'ok', text: describeSaveResult(result) });
    } catch (err) {
      if (err instanceof ControlError && err.code === 'invalid-settings' && err.fieldErrors) refuse(err.fieldErrors);
      else setStatus({ kind: 'problem', text: `Not saved: ${err instanceof Error ? err.message : String(err)}` });
    } finally {
      setSaving(false);
    }
  };

  const reset = () => {
    setValues(formValuesFrom(loaded));
    setErrors({});
    setStatus(null);
    setShown(HIDDEN);
  };

  const generate = (f: PasswordField) => {
    change(f, generatePassword((n) => crypto.getRandomValues(new Uint8Array(n))));
    // A generated password is no use unless it can be read and passed on.
    setShown({ ...shown, [f]: true });
  };

  const needsRestart = (f: FormField) => restartRequired.includes(f);
  const props = (f: FormField) => ({ id: fieldId(f), label: SETTING_LABELS[f], error: errors[f], restart: needsRestart(f) });
  const inputA11y = (f: FormField) => ({
    id: fieldId(f),
    'aria-invalid': errors[f] ? (true as const) : undefined,
    'aria-describedby': errors[f] ? `${fieldId(f)}-error` : `${fieldId(f)}-hint`,
  });
  const numberInput = (f: 'port' | 'max_connections' | 'frame_rate' | 'accept_timeout', min: number, max: number) => (
    <input
      {...inputA11y(f)}
      type="number"
      inputMode="numeric"
      min={min}
      max={max}
      step={1}
      className="input input-number"
      value={values[f]}
      onChange={(e) => change(f, e.currentTarget.value)}
    />
  );
  const checkbox = (f: 'view_only' | 'accept_prompt' | 'enable_region_detection' | 'enable_metrics' | 'record_keys' | 'record_clipboard_text') => (
    <input {...inputA11y(f)} type="checkbox" className="switch" checked={values[f]} onChange={(e) => change(f, e.currentTarget.checked)} />
  );

  const passwordControl = (f: PasswordField, isSet: boolean) => (
    <div className="password-control">
      <input
        {...inputA11y(f)}
        type={shown[f] ? 'text' : 'password'}
        className="input"
        autoComplete="new-password"
        spellCheck={false}
        placeholder={isSet ? 'Unchanged' : 'None'}
        value={values[f]}
        onChange={(e) => change(f, e.currentTarget.value)}
      />
      <button type="button" className="button" aria-pressed={shown[f]} aria-controls={fieldId(f)} onClick={() => setShown({ ...shown, [f]: !shown[f] })}>
        {shown[f] ? 'Hide' : 'Show'}
      </button>
      <button type="button" className="button" aria-label={`Generate ${SETTING_LABELS[f].toLowerCase()}`} onClick={() => generate(f)}>
        Generate
      </button>
    </div>
  );

  return (
    <div className="page settings-page">
      <form ref={formRef} aria-label="Settings" noValidate onSubmit={(e) => void save(e)} className="settings-form">
        <fieldset className="card settings-group">
          <legend>Access</legend>
          <Field
            {...props('password')}
            hint={
              loaded.password_set
                ? 'A password is set. Type a new one to replace it. Viewers use only the first 8 characters.'
                : 'No password is set. Viewers use only the first 8 characters of one.'
            }
          >
            {passwordControl('password', loaded.password_set)}
          </Field>
          <Field
            {...props('view_only_password')}
            hint={
              loaded.view_only_password_set
                ? 'A view-only password is set: viewers who give it can watch but not control. Type a new one to replace it.'
                : 'No view-only password is set. With one, viewers who give it can watch but not control. It must differ from the password in its first 8 characters.'
            }
          >
            {passwordControl('view_only_password', loaded.view_only_password_set)}
          </Field>
          <Field {...props('host')} hint="127.0.0.1 for this computer only, 0.0.0.0 for every network. Empty: this computer only, unless a password is set.">
            <input
              {...inputA11y('host')}
              type="text"
              className="input"
              spellCheck={false}
              autoComplete="off"
              placeholder="Automatic"
              value={values.host}
              onChange={(e) => change('host', e.currentTarget.value)}
            />
          </Field>
          <Field {...props('port')} hint="TCP port for VNC viewers. The usual one is 5900; 0 picks a free port.">
            {numberInput('port', 0, 65535)}
          </Field>
          <Field {...props('max_connections')} hint="Viewers connected at the same time, 1 to 1000.">
            {numberInput('max_connections', 1, 1000)}
          </Field>
          <Field {...props('view_only')} hint="Viewers see the screen but cannot use its mouse, keyboard or clipboard." inline>
            {checkbox('view_only')}
          </Field>
        </fieldset>

        <fieldset className="card settings-group">
          <legend>Screen</legend>
          <SourceField
            field={props('source')}
            input={inputA11y('source')}
            value={values.source}
            onChange={(v) => change('source', v)}
            systemCapture={systemCapture}
            display={loaded.display}
          />
        </fieldset>

        <fieldset className="card settings-group">
          <legend>Attended access</legend>
          <Field {...props('accept_prompt')} hint="Each viewer waits until someone here chooses Accept, Accept view-only or Refuse." inline>
            {checkbox('accept_prompt')}
          </Field>
          <Field {...props('accept_timeout')} hint="Seconds to answer, 1 to 600; then the answer below applies.">
            {numberInput('accept_timeout', 1, 600)}
          </Field>
          <Field {...props('accept_default')} hint="What happens to a viewer when nobody answers in time.">
            <select {...inputA11y('accept_default')} className="input select" value={values.accept_default} onChange={(e) => change('accept_default', e.currentTarget.value)}>
              {ACCEPT_DEFAULTS.map((d) => (
                <option key={d} value={d}>
                  {ACCEPT_DEFAULT_LABELS[d]}
                </option>
              ))}
            </select>
          </Field>
        </fieldset>

        <fieldset className="card settings-group">
          <legend>Performance</legend>
          <Field {...props('frame_rate')} hint={`Most screen updates sent per second, ${FRAME_RATE.min} to ${FRAME_RATE.max}.`}>
            {numberInput('frame_rate', FRAME_RATE.min, FRAME_RATE.max)}
          </Field>
          <Field {...props('enable_region_detection')} hint="Send only the parts of the screen that changed, and detect scrolling." inline>
            {checkbox('enable_region_detection')}
          </Field>
        </fieldset>

        <fieldset className="card settings-group">
          <legend>Recording</legend>
          <Field {...props('record_dir')} hint="Where recordings are saved. Empty: the recordings folder in your data folder.">
            <input
              {...inputA11y('record_dir')}
              type="text"
              className="input"
              spellCheck={false}
              autoComplete="off"
              placeholder="Default folder"
              value={values.record_dir}
              onChange={(e) => change('record_dir', e.currentTarget.value)}
            />
          </Field>
          <Field {...props('record_mode')} hint="While viewed: one recording each time viewers are connected. Manual: only when started from the Recordings page.">
            <select {...inputA11y('record_mode')} className="input select" value={values.record_mode} onChange={(e) => change('record_mode', e.currentTarget.value)}>
              {RECORD_MODES.map((m) => (
                <option key={m} value={m}>
                  {MODE_LABELS[m]}
                </option>
              ))}
            </select>
          </Field>
          <Field {...props('record_keys')} hint="Keys viewers type go into recordings. Off keeps typed passwords out of the files." inline>
            {checkbox('record_keys')}
          </Field>
          <Field {...props('record_clipboard_text')} hint="The text viewers copy goes into recordings; off, only its size." inline>
            {checkbox('record_clipboard_text')}
          </Field>
        </fieldset>

        <fieldset className="card settings-group">
          <legend>Diagnostics</legend>
          <Field {...props('enable_metrics')} hint="Serve counters for Prometheus on the metrics port." inline>
            {checkbox('enable_metrics')}
          </Field>
          <Field {...props('log_level')} hint="How much TrayVNC writes to its log.">
            <select {...inputA11y('log_level')} className="input select" value={values.log_level} onChange={(e) => change('log_level', e.currentTarget.value)}>
              {(LOG_LEVELS as readonly string[]).includes(values.log_level) ? null : <option value={values.log_level}>{values.log_level}</option>}
              {LOG_LEVELS.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </Field>
        </fieldset>

        <div className="form-actions">
          <p role="status" className={`save-status ${status?.kind ?? ''}`}>
            {status?.text}
          </p>
          {dirty ? <span className="muted unsaved">Unsaved changes</span> : null}
          <button type="button" className="button" onClick={reset} disabled={saving}>
            Reset
          </button>
          <button type="submit" className="button primary" disabled={saving || !client} aria-busy={saving || undefined}>
            Save
          </button>
        </div>
      </form>
    </div>
  );
}
