import { useCallback, useRef, useState } from 'react';
import type { RecordingListItem } from '../../shared/recording-contract.js';
import type { ControlClient } from '../api/control-client.js';
import { looksLikeGzip, uploadRecording } from '../recordings/upload.js';

export interface ImportProgress {
  name: string;
  sent: number;
  total: number;
}

export interface Importer {
  /** The file being sent now. */
  progress: ImportProgress | null;
  /** Why the last file could not be opened. */
  problem: string | null;
  importFiles: (files: readonly File[]) => Promise<void>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Opening recording files from this computer: each is sent into the
 * recordings folder (importRecording), one file at a time, and
 * `onImported` is told of each as the list shows it. A file that does not
 * even start as gzip is refused here, before it is sent.
 */
export function useImport(client: ControlClient | null, onImported: (item: RecordingListItem) => void): Importer {
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const busy = useRef(false);

  const importFiles = useCallback(
    async (files: readonly File[]) => {
      if (!client || files.length === 0) return;
      if (busy.current) {
        setProblem('A file is being opened: wait for it to finish, then try again.');
        return;
      }
      busy.current = true;
      setProblem(null);
      try {
        for (const file of files) {
          try {
            if (!(await looksLikeGzip(file))) throw new Error('it is not a recording (a recording is a .vnc.gz file)');
            setProgress({ name: file.name, sent: 0, total: file.size });
            const item = await uploadRecording(file, (chunk) => client.importRecording(chunk), {
              onProgress: (sent, total) => setProgress({ name: file.name, sent, total }),
            });
            onImported(item);
          } catch (e) {
            setProblem(`Could not open ${file.name}: ${message(e)}`);
          }
        }
      } finally {
        busy.current = false;
        setProgress(null);
      }
    },
    [client, onImported],
  );

  return { progress, problem, importFiles };
}
