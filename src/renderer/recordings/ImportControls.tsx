import { useRef, type ChangeEvent } from 'react';
import { formatBytes } from '../format.js';
import type { Importer } from '../hooks/use-import.js';

interface ImportControlsProps {
  importer: Importer;
  disabled: boolean;
}

/**
 * "Open a recording file…": a file from this computer is copied into the
 * recordings folder and opened in the player (dropping one onto the page
 * does the same). Shows the upload's progress and why a file was refused.
 */
export function ImportControls({ importer, disabled }: ImportControlsProps) {
  const input = useRef<HTMLInputElement>(null);
  const { progress, problem, importFiles } = importer;

  const chosen = (e: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(e.currentTarget.files ?? []);
    // Cleared, so choosing the same file again is a change too.
    e.currentTarget.value = '';
    void importFiles(files);
  };

  const percent = progress && progress.total > 0 ? Math.floor((progress.sent / progress.total) * 100) : 0;
  return (
    <section className="card import-controls" aria-label="Open a recording file">
      <div className="import-row">
        <button type="button" className="button" disabled={disabled || progress !== null} onClick={() => input.current?.click()}>
          Open a recording file…
        </button>
        <input ref={input} type="file" accept=".gz,application/gzip" hidden aria-label="Recording file to open" onChange={chosen} />
        <p className="muted import-hint">Or drop a .vnc.gz file onto this page. It is copied into the recordings folder and opened in the player.</p>
      </div>
      {progress ? (
        <div className="import-progress" role="status">
          <progress value={progress.sent} max={Math.max(1, progress.total)} aria-label={`Uploading ${progress.name}`} />
          <span>
            Uploading <code>{progress.name}</code>: {percent} % of {formatBytes(progress.total)}
          </span>
        </div>
      ) : null}
      {problem ? (
        <p role="alert" className="inline-problem">
          {problem}
        </p>
      ) : null}
    </section>
  );
}
