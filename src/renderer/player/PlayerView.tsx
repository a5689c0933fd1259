import { useEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import type { RecordingDetails } from '../../shared/recording-contract.js';
import type { ControlClient } from '../api/control-client.js';
import { PlayerControls } from './PlayerControls.js';
import { SeekBar } from './SeekBar.js';
import { TimelinePanel } from './TimelinePanel.js';
import { shortcutFor, type FocusKind, type PlayerCommand } from './shortcuts.js';
import { formatPlayTime } from './time-format.js';
import { currentEventIndex } from './timeline-search.js';
import { usePlayer } from './use-player.js';
import { useSeekThumbnail } from './use-seek-thumbnail.js';
import { useWebmExport } from './use-webm-export.js';

interface PlayerViewProps {
  client: ControlClient;
  details: RecordingDetails;
  /** The page is shown: playback pauses while another page is. */
  active: boolean;
}

/** The recording's picture (noVNC's decoders onto a canvas), its controls, seek bar and timeline. */
export function PlayerView({ client, details, active }: PlayerViewProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [state, controller] = usePlayer(client, details, canvas);
  const webm = useWebmExport(canvas, controller, state, details.name);
  const d = state?.details ?? details;
  const position = state?.position ?? 0;
  const currentIndex = currentEventIndex(d.timeline, position);
  const current = currentIndex >= 0 ? (d.timeline[currentIndex] ?? null) : null;
  const seek = useMemo(() => (t: number) => controller?.seek(t), [controller]);
  // Decoded apart from the player (a loader and picture of its own): pointing at the bar never moves playback.
  const thumbnails = useSeekThumbnail(client, d.name, d.keyframes);

  useEffect(() => {
    if (!active) controller?.pause();
  }, [active, controller]);

  const run = (cmd: PlayerCommand) => {
    if (!controller) return;
    if (cmd.kind === 'toggle') controller.toggle();
    else if (cmd.kind === 'seekBy') controller.seekBy(cmd.ms);
    else controller.seek(cmd.where === 'start' ? 0 : controller.state.details.durationMs);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const cmd = shortcutFor(e.key, focusKind(e.target));
    if (!cmd) return;
    e.preventDefault();
    e.stopPropagation();
    run(cmd);
  };

  return (
    <div className="player" onKeyDown={onKeyDown}>
      <div className="player-screen">
        <canvas
          ref={canvas}
          className="player-canvas"
          tabIndex={0}
          role="img"
          aria-label={`Recording ${d.name} at ${formatPlayTime(position)}`}
          aria-busy={state?.loading || undefined}
        />
        {state?.loading ? (
          <span className="player-loading" aria-hidden="true">
            Loading…
          </span>
        ) : null}
      </div>
      <SeekBar
        position={position}
        duration={d.durationMs}
        activity={d.activity}
        onSeek={(t) => controller?.seek(t)}
        thumbnails={thumbnails}
        picture={{ width: d.width, height: d.height }}
      />
      <PlayerControls
        state={state}
        onToggle={() => controller?.toggle()}
        onSpeed={(s) => controller?.setSpeed(s)}
        onSkipIdle={(on) => controller?.setSkipIdle(on)}
        webm={webm}
      />
      {webm.exporting ? (
        <p role="status" className="muted">
          Exporting the playback as it plays… {formatPlayTime(position)} of {formatPlayTime(d.durationMs)}
        </p>
      ) : null}
      {webm.message ? (
        <p role={webm.message.kind === 'problem' ? 'alert' : 'status'} className={webm.message.kind === 'problem' ? 'inline-problem' : 'export-done'}>
          {webm.message.text}
        </p>
      ) : null}
      {state?.error ? (
        <p role="alert" className="inline-problem">
          {state.error}
        </p>
      ) : null}
      <p className="muted shortcuts-hint">Keys: Space plays or pauses, ← and → move 5 s, Home and End go to the start and the end.</p>
      <TimelinePanel events={d.timeline} current={current} onSeek={seek} />
    </div>
  );
}

/** What has the focus, as the shortcuts see it: keys typed into a field or menu are the field's. */
function focusKind(target: EventTarget): FocusKind {
  if (target instanceof HTMLSelectElement) return 'select';
  if (target instanceof HTMLTextAreaElement) return 'text';
  if (target instanceof HTMLInputElement) {
    if (target.type === 'range') return 'other';
    return target.type === 'checkbox' || target.type === 'radio' || target.type === 'button' ? 'button' : 'text';
  }
  if (target instanceof HTMLButtonElement) return 'button';
  return 'other';
}
