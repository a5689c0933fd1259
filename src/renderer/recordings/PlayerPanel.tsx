import { useEffect, useRef, useState } from 'react';
import type { RecordingDetails, RecordingListItem } from '../../shared/recording-contract.js';
import type { ControlClient } from '../api/control-client.js';
import { formatBytes } from '../format.js';
import { PlayerView } from '../player/PlayerView.js';
import { TimelinePanel } from '../player/TimelinePanel.js';
import { formatLength, formatRecordingDate } from '../player/time-format.js';
import { recordingState } from './recording-text.js';

interface PlayerPanelProps {
  client: ControlClient;
  item: RecordingListItem;
  /** The page is shown (playback pauses while it is not). */
  active: boolean;
  onClose: () => void;
}

type Loaded = { kind: 'loading' } | { kind: 'ready'; details: RecordingDetails } | { kind: 'failed'; message: string };

export const PYVNCSERVER_MESSAGE = 'This recording was made by PyVNCServer: it holds no pictures, only a timeline';

/**
 * The recording chosen from the list: its details read, then the player — or,
 * for PyVNCServer's files, which hold no pictures, the timeline alone.
 */
export function PlayerPanel({ client, item, active, onClose }: PlayerPanelProps) {
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let live = true;
    setLoaded({ kind: 'loading' });
    client.getRecordingInfo({ name: item.name }).then(
      (details) => {
        if (live) setLoaded({ kind: 'ready', details });
      },
      (e: unknown) => {
        if (live) setLoaded({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
      },
    );
    return () => {
      live = false;
    };
  }, [client, item.name]);

  // Opening a recording takes the reader there (the list may be long).
  useEffect(() => {
    heading.current?.focus();
    heading.current?.scrollIntoView?.({ block: 'nearest' });
  }, [item.name]);

  const pictures = item.kind === 'trayvnc';
  return (
    <section className="card player-panel" aria-labelledby="player-heading">
      <div className="player-head">
        <div className="player-title">
          <h2 id="player-heading" ref={heading} tabIndex={-1}>
            {item.name}
          </h2>
          <p className="muted">
            {formatRecordingDate(item.startedAt)} · {formatLength(item.durationMs)} · {formatBytes(item.bytes)}
            {pictures && item.width > 0 ? ` · ${item.width}×${item.height}` : ''} · {recordingState(item)}
          </p>
        </div>
        <button type="button" className="button" onClick={onClose}>
          Close player
        </button>
      </div>
      {!pictures ? (
        <p className="notice" role="note">
          {PYVNCSERVER_MESSAGE}.
        </p>
      ) : null}
      {loaded.kind === 'loading' ? <p className="muted">Reading the recording…</p> : null}
      {loaded.kind === 'failed' ? (
        <p role="alert" className="inline-problem">
          {pictures ? 'Cannot play this recording' : 'Cannot read its timeline'}: {loaded.message}
        </p>
      ) : null}
      {loaded.kind === 'ready' && pictures ? <PlayerView key={item.name} client={client} details={loaded.details} active={active} /> : null}
      {loaded.kind === 'ready' && !pictures ? <TimelinePanel events={loaded.details.timeline} current={null} /> : null}
    </section>
  );
}
