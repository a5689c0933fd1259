import type { PlayerState } from './player-controller.js';
import { SPEEDS } from './clock.js';
import { formatSpeed } from './time-format.js';
import type { WebmExport } from './use-webm-export.js';

interface PlayerControlsProps {
  state: PlayerState | null;
  onToggle: () => void;
  onSpeed: (speed: number) => void;
  onSkipIdle: (skip: boolean) => void;
  webm: WebmExport;
}

/** Play/Pause, the speed, skip idle, and Export WebM. */
export function PlayerControls({ state, onToggle, onSpeed, onSkipIdle, webm }: PlayerControlsProps) {
  const ready = state !== null;
  const playing = state?.playing ?? false;
  return (
    <div className="player-controls">
      <button type="button" className="button primary play-button" disabled={!ready} onClick={onToggle}>
        {playing ? 'Pause' : 'Play'}
      </button>
      <label className="speed-control">
        <span>Speed</span>
        <select className="input select speed-select" disabled={!ready} value={String(state?.speed ?? 1)} onChange={(e) => onSpeed(Number(e.currentTarget.value))}>
          {SPEEDS.map((s) => (
            <option key={s} value={String(s)}>
              {formatSpeed(s)}
            </option>
          ))}
        </select>
      </label>
      <label className="check" title="Stretches of a few seconds or more where nothing happens play in about a second">
        <input type="checkbox" disabled={!ready} checked={state?.skipIdle ?? false} onChange={(e) => onSkipIdle(e.currentTarget.checked)} />
        <span>Skip idle</span>
      </label>
      <span className="player-controls-gap" />
      {state?.following ? (
        <span className="pill live-pill" role="status">
          Live: waiting for more
        </span>
      ) : null}
      <button type="button" className="button" disabled={!ready} aria-pressed={webm.exporting} onClick={webm.exporting ? webm.stop : webm.start}>
        {webm.exporting ? 'Stop export' : 'Export WebM'}
      </button>
    </div>
  );
}
