import { useEffect, useRef, type FormEvent } from 'react';
import { useColorScheme } from '../hooks/use-color-scheme.js';
import { heatLevels } from './heatmap.js';
import { formatPlayTime } from './time-format.js';

interface SeekBarProps {
  position: number;
  duration: number;
  activity: readonly number[];
  onSeek: (t: number) => void;
}

/** Bins of the heat-map: enough for a smooth strip, few enough to draw at once. */
const HEAT_BINS = 300;

/**
 * The position slider with the time beside it and the activity heat-map
 * drawn along it (busy stretches darker), so the interesting parts of a long
 * recording can be found at a glance. Arrow keys, Home and End on the slider
 * are the player's shortcuts (5 s steps; PlayerView handles them).
 */
export function SeekBar({ position, duration, activity, onSeek }: SeekBarProps) {
  const heat = useRef<HTMLCanvasElement>(null);
  // The strip's colour comes from the theme: drawn again when it changes.
  const theme = useColorScheme();

  useEffect(() => {
    const canvas = heat.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const levels = heatLevels(activity, duration, HEAT_BINS);
    canvas.width = levels.length;
    canvas.height = 1;
    ctx.clearRect(0, 0, canvas.width, 1);
    // The heat colour of the theme in force (the element's CSS colour), at each bin's strength.
    ctx.fillStyle = getComputedStyle(canvas).color;
    levels.forEach((level, i) => {
      if (level <= 0) return;
      ctx.globalAlpha = 0.15 + 0.85 * level;
      ctx.fillRect(i, 0, 1, 1);
    });
    ctx.globalAlpha = 1;
  }, [activity, duration, theme]);

  const seekTo = (e: FormEvent<HTMLInputElement>) => onSeek(Number(e.currentTarget.value));
  const text = `${formatPlayTime(position)} / ${formatPlayTime(duration)}`;
  return (
    <div className="seek-bar">
      <div className="seek-track">
        <canvas ref={heat} className="heat-map" aria-hidden="true" title="Activity: darker where more happened" />
        <input
          type="range"
          className="seek-input"
          aria-label="Position"
          aria-valuetext={`${formatPlayTime(position)} of ${formatPlayTime(duration)}`}
          min={0}
          max={Math.max(1, Math.round(duration))}
          step={1}
          value={Math.round(position)}
          // Both: React's onChange misses values set by script (tests); input events are the same either way.
          onChange={seekTo}
          onInput={seekTo}
        />
      </div>
      <output className="play-time" aria-label="Time">
        {text}
      </output>
    </div>
  );
}
