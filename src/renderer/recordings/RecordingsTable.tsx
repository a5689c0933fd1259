import { useState } from 'react';
import type { RecordingListItem } from '../../shared/recording-contract.js';
import { formatBytes } from '../format.js';
import { formatLength, formatRecordingDate } from '../player/time-format.js';
import { recordingState } from './recording-text.js';

interface RecordingsTableProps {
  list: RecordingListItem[] | null;
  error: string | null;
  /** The recording in the player, if any. */
  playing: string | null;
  onPlay: (item: RecordingListItem) => void;
  onDelete: (item: RecordingListItem) => Promise<void>;
}

const COLUMNS = ['Date', 'Length', 'Size', 'Viewers', 'State', 'Actions'] as const;
const NUMERIC = new Set<string>(['Length', 'Size', 'Viewers']);

/** The recordings folder, newest first, with Play and Delete (which asks first). */
export function RecordingsTable({ list, error, playing, onPlay, onDelete }: RecordingsTableProps) {
  // The row whose Delete was pressed once and now asks to confirm.
  const [confirming, setConfirming] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);

  const remove = async (item: RecordingListItem) => {
    setDeleting(item.name);
    try {
      await onDelete(item);
    } finally {
      setDeleting(null);
      setConfirming(null);
    }
  };

  const items = list ?? [];
  return (
    <div className="card table-card">
      <div className="table-scroll">
        <table className="recordings-table">
          <caption>Recordings</caption>
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th key={c} scope="col" className={NUMERIC.has(c) ? 'num' : undefined}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.name} aria-current={item.name === playing ? 'true' : undefined}>
                <td className="recording-when">
                  <time dateTime={new Date(item.startedAt).toISOString()}>{formatRecordingDate(item.startedAt)}</time>
                  <span className="recording-name">{item.name}</span>
                </td>
                <td className="num">{item.kind === 'unknown' ? '—' : formatLength(item.durationMs)}</td>
                <td className="num">{formatBytes(item.bytes)}</td>
                <td className="num">{item.kind === 'unknown' ? '—' : item.viewers}</td>
                <td>
                  <span className={`state state-${recordingState(item).replace(/ /g, '-')}`} title={item.problem}>
                    {recordingState(item)}
                  </span>
                  {item.kind === 'pyvncserver' ? <span className="recording-name">PyVNCServer</span> : null}
                </td>
                <td className="row-actions">
                  {confirming === item.name ? (
                    <>
                      <button type="button" className="button danger" disabled={deleting !== null} aria-label={`Confirm deleting ${item.name}`} onClick={() => void remove(item)}>
                        Delete for good
                      </button>
                      <button type="button" className="button" disabled={deleting !== null} aria-label={`Keep ${item.name}`} onClick={() => setConfirming(null)}>
                        Keep
                      </button>
                    </>
                  ) : (
                    <>
                      <button
                        type="button"
                        className="button"
                        disabled={item.kind === 'unknown'}
                        title={item.problem}
                        aria-label={`Play ${item.name}`}
                        onClick={() => onPlay(item)}
                      >
                        Play
                      </button>
                      <button
                        type="button"
                        className="button danger"
                        disabled={item.live}
                        title={item.live ? 'Stop the recording first' : undefined}
                        aria-label={`Delete ${item.name}`}
                        onClick={() => setConfirming(item.name)}
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list !== null && items.length === 0 ? <p className="empty-state">No recordings yet.</p> : null}
      {list === null && !error ? <p className="empty-state">Loading…</p> : null}
      {error ? <p className="empty-state inline-problem">Could not read the recordings folder: {error}</p> : null}
    </div>
  );
}
