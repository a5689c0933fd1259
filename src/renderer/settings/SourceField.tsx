import type { ComponentProps } from 'react';
import { Field } from '../components/Field.js';
import { SOURCE_HINT, sourceNote, sourceOptions, SOURCE_VALUES } from './source-choice.js';

interface SourceFieldProps {
  /** The field's label, id, error and restart pill, as the page gives every field. */
  field: Omit<ComponentProps<typeof Field>, 'hint' | 'children'>;
  /** The select's id and accessible description. */
  input: { id: string; 'aria-invalid': true | undefined; 'aria-describedby': string };
  value: string;
  onChange: (value: string) => void;
  /** Whether the server can take the system's screen capture (null: not known). */
  systemCapture: boolean | null;
  /** The X display the settings name, if any (Automatic and X11 share it). */
  display: string | undefined;
}

/** The screen source: Automatic, X11, the system's screen capture or the test pattern, with what tells them apart. */
export function SourceField({ field, input, value, onChange, systemCapture, display }: SourceFieldProps) {
  const note = sourceNote(value, systemCapture, display);
  const known = (SOURCE_VALUES as readonly string[]).includes(value);
  return (
    <Field {...field} hint={SOURCE_HINT}>
      <select {...input} aria-describedby={note ? `${input['aria-describedby']} ${input.id}-note` : input['aria-describedby']} className="input select source-select" value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {/* A value from a newer config file stays as it is until another is chosen. */}
        {known ? null : <option value={value}>{value}</option>}
        {sourceOptions(systemCapture).map((o) => (
          <option key={o.value} value={o.value} disabled={o.disabled && o.value !== value}>
            {o.label}
          </option>
        ))}
      </select>
      {note ? (
        <p id={`${input.id}-note`} className="hint source-note" aria-live="polite">
          {note}
        </p>
      ) : null}
    </Field>
  );
}
