import { useState } from 'react';
import type { RecordingStatusInfo } from '../../shared/recording-contract.js';
import type { ControlClient } from '../api/control-client.js';
import { useNow } from '../hooks/use-now.js';
import { formatPlayTime } from '../player/time-format.js';
import { MODE_LABELS, modeDescription, privacyNote } from './recording-text.js';

interface RecordControlsProps {
  client: ControlClient | null;
  status: RecordingStatusInfo | null;
  onStatus: (s: RecordingStatusInfo) => void;
  active: boolean;
}

/** Recording now or not, how recordings are made, and the Start / Stop buttons. */
export function RecordControls({ client, status, onStatus, active }: RecordControlsProps) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const recording = status?.active ?? null;
  const now = useNow(1000, active && recording !== null);

  const run = async (what: 'start' | 'stop') => {
    if (!client) return;
    setBusy(true);
    setProblem(null);
    try {
      onStatus(what === 'start' ? await client.startRecording() : await client.stopRecording());
    } catch (e) {
      setProblem(`Could not ${what} recording: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card record-controls" aria-labelledby="record-heading">
      <div className="record-summary">
        <h2 id="record-heading">Recording</h2>
        <p role="status" aria-label="Recording status" className={`record-status${recording ? ' recording' : ''}`}>
          <span className="record-dot" aria-hidden="true" />
          {!status ? (
            'Reading the recording status…'
          ) : recording ? (
            <>
              Recording now: <code>{recording.name}</code>, {formatPlayTime(Math.max(0, now - recording.startedAt))}
            </>
          ) : (
            'Not recording.'
          )}
        </p>
        {status ? (
          <p className="muted">
            Record: <strong>{MODE_LABELS[status.mode]}</strong>. {modeDescription(status.mode)}
          </p>
        ) : null}
      </div>
      {status?.error ? (
        <div role="alert" className="notice record-error">
          <strong>The last recording stopped early or could not start:</strong> {status.error}
        </div>
      ) : null}
      <div className="record-actions">
        <button type="button" className="button primary" disabled={!client || !status || busy || recording !== null} onClick={() => void run('start')}>
          Start recording
        </button>
        <button type="button" className="button" disabled={!client || busy || recording === null} onClick={() => void run('stop')}>
          Stop recording
        </button>
        {status ? (
          <p className="muted privacy-note" id="record-privacy">
            {privacyNote(status)} <a href="#settings">Change this in Settings.</a>
          </p>
        ) : null}
      </div>
      <p className="inline-problem" aria-live="polite">
        {problem}
      </p>
    </section>
  );
}
