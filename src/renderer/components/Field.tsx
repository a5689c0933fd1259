import type { ReactNode } from 'react';

interface FieldProps {
  id: string;
  label: string;
  hint: string;
  error: string | undefined;
  restart: boolean;
  /** A checkbox: the control sits beside the text rather than under the label. */
  inline?: boolean;
  children: ReactNode;
}

/** One setting on the Settings page: its label and hint beside the control, and the error under it. */
export function Field({ id, label, hint, error, restart, inline, children }: FieldProps) {
  return (
    <div className={`field${inline ? ' field-inline' : ''}${error ? ' invalid' : ''}`}>
      <div className="field-text">
        <label htmlFor={id}>{label}</label>
        {restart ? <span className="pill">Restart to apply</span> : null}
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      </div>
      <div className="field-control">
        {children}
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      </div>
    </div>
  );
}
