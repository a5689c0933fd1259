import { useCallback, useEffect, useRef, useState } from 'react';
import { ControlError } from '../../shared/control-contract.js';
import type { RecordingListItem, RecordingStatusInfo } from '../../shared/recording-contract.js';
import type { ControlClient } from '../api/control-client.js';

/** While a recording is being written its length and size grow: the list is re-read this often (page shown only). */
const LIVE_REFRESH_MS = 3000;

export interface Recordings {
  status: RecordingStatusInfo | null;
  list: RecordingListItem[] | null;
  /** Why the list could not be read. */
  listError: string | null;
  refresh: () => void;
  setStatus: (s: RecordingStatusInfo) => void;
}

const quiet = (e: unknown) => e instanceof ControlError && (e.code === 'unavailable' || e.code === 'unauthorized');

/**
 * The recording status and the recordings folder: read on connect, again on
 * every `recording` event (a recording started, stopped or failed) and
 * `settings` event (the mode, the folder, keys and clipboard text), and,
 * while one is being written and the page is shown, every few seconds.
 */
export function useRecordings(client: ControlClient | null, active: boolean): Recordings {
  const [status, setStatus] = useState<RecordingStatusInfo | null>(null);
  const [list, setList] = useState<RecordingListItem[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  // Answers can arrive out of order: only the newest request's is kept.
  const asked = useRef(0);

  const refresh = useCallback(() => {
    if (!client) return;
    const seq = ++asked.current;
    client.listRecordings().then(
      (items) => {
        if (seq !== asked.current) return;
        setList(items);
        setListError(null);
      },
      (e: unknown) => {
        if (seq !== asked.current || quiet(e)) return;
        setListError(e instanceof Error ? e.message : String(e));
      },
    );
  }, [client]);

  useEffect(() => {
    if (!client) return;
    let live = true;
    const readStatus = () =>
      client.getRecordingStatus().then(
        (s) => {
          if (live) setStatus(s);
        },
        (e: unknown) => {
          if (!quiet(e)) console.error(e);
        },
      );
    void readStatus();
    refresh();
    const off = client.on('recording', (s) => {
      setStatus(s);
      refresh();
    });
    // The mode, and whether keys and clipboard text are recorded, are settings: read again when they change.
    const offSettings = client.on('settings', () => {
      void readStatus();
      refresh();
    });
    return () => {
      live = false;
      off();
      offSettings();
    };
  }, [client, refresh]);

  // Coming back to the page: the folder may have changed meanwhile.
  useEffect(() => {
    if (active) refresh();
  }, [active, refresh]);

  const writing = !!status?.active || !!list?.some((r) => r.live);
  useEffect(() => {
    if (!active || !writing) return;
    const timer = setInterval(refresh, LIVE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [active, writing, refresh]);

  return { status, list, listError, refresh, setStatus };
}
