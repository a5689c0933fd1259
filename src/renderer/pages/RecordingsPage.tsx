import { useCallback, useState } from 'react';
import type { RecordingListItem } from '../../shared/recording-contract.js';
import type { ControlClient } from '../api/control-client.js';
import { useFileDrop } from '../hooks/use-file-drop.js';
import { useImport } from '../hooks/use-import.js';
import { useRecordings } from '../hooks/use-recordings.js';
import { ImportControls } from '../recordings/ImportControls.js';
import { PlayerPanel } from '../recordings/PlayerPanel.js';
import { RecordControls } from '../recordings/RecordControls.js';
import { RecordingsTable } from '../recordings/RecordingsTable.js';

interface RecordingsPageProps {
  client: ControlClient | null;
  active: boolean;
}

/** Recording now or not, opening a file from this computer, the recordings folder, and the player. */
export function RecordingsPage({ client, active }: RecordingsPageProps) {
  const { status, list, listError, refresh, setStatus } = useRecordings(client, active);
  const [selected, setSelected] = useState<RecordingListItem | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // A file opened from this computer is in the folder now: listed, and in the player.
  const opened = useCallback(
    (item: RecordingListItem) => {
      refresh();
      setSelected(item);
    },
    [refresh],
  );
  const importer = useImport(client, opened);
  const dragging = useFileDrop((files) => void importer.importFiles(files), active && client !== null);

  const remove = async (item: RecordingListItem) => {
    if (!client) return;
    setProblem(null);
    try {
      await client.deleteRecording({ name: item.name });
      if (selected?.name === item.name) setSelected(null);
    } catch (e) {
      setProblem(`Could not delete ${item.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    refresh();
  };

  // The list item of the recording being played, as the list now has it (a live one grows, then finishes).
  const playing = selected ? (list?.find((r) => r.name === selected.name) ?? selected) : null;

  return (
    <div className="page recordings-page">
      <RecordControls client={client} status={status} onStatus={setStatus} active={active} />
      <ImportControls importer={importer} disabled={!client} />
      {client && playing ? <PlayerPanel client={client} item={playing} active={active} onClose={() => setSelected(null)} /> : null}
      <RecordingsTable list={list} error={listError} playing={playing?.name ?? null} onPlay={setSelected} onDelete={remove} />
      <p className="inline-problem" aria-live="polite">
        {problem}
      </p>
      {dragging ? (
        <div className="drop-overlay" aria-hidden="true">
          <p>Drop the recording to open it</p>
        </div>
      ) : null}
    </div>
  );
}
