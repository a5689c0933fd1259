import { useEffect, useId, useRef, useState, type FocusEvent, type FormEvent, type PointerEvent } from 'react';
import { useColorScheme } from '../hooks/use-color-scheme.js';
import { heatLevels } from './heatmap.js';
import { SeekThumbnail } from './SeekThumbnail.js';
import { timeAtX, xAtTime } from './thumbnail-cache.js';
import { thumbnailSize } from './thumbnail-image.js';
import { formatPlayTime } from './time-format.js';
import type { SeekThumbnails } from './use-seek-thumbnail.js';

interface SeekBarProps {
  position: number;
  duration: number;
  activity: readonly number[];
  onSeek: (t: number) => void;
  /** Keyframe thumbnails where the pointer is (or the keyboard focus), and the recording's picture size. */
  thumbnails?: SeekThumbnails;
  picture?: { width: number; height: number };
}

/** Bins of the heat-map: enough for a smooth strip, few enough to draw at once. */
const HEAT_BINS = 300;

/**
 * The position slider with the time beside it and the activity heat-map
 * drawn along it (busy stretches darker), so the interesting parts of a long
 * recording can be found at a glance; pointing at the bar (or focusing the
 * slider with the keyboard) shows the keyframe there as a thumbnail. Arrow
 * keys, Home and End on the slider are the player's shortcuts (5 s steps;
 * PlayerView handles them).
 */
export function SeekBar({ position, duration, activity, onSeek, thumbnails, picture }: SeekBarProps) {
  const heat = useRef<HTMLCanvasElement>(null);
  const track = useRef<HTMLDivElement>(null);
  const tipId = useId();
  // The pointer over the bar (px from its left edge), and whether the slider has the keyboard's focus.
  const [hover, setHover] = useState<{ x: number; width: number } | null>(null);
  const [keyboard, setKeyboard] = useState<{ width: number } | null>(null);
  const want = thumbnails?.want;
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

  // With the keyboard (and no pointer over the bar) the thumbnail follows the slider.
  useEffect(() => {
    if (keyboard && !hover) want?.(position);
  }, [keyboard, hover, position, want]);

  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - r.left;
    setHover({ x, width: r.width });
    want?.(timeAtX(x, r.width, duration));
  };
  const onPointerLeave = () => {
    setHover(null);
    if (!keyboard) want?.(null);
  };
  const onFocus = (e: FocusEvent<HTMLInputElement>) => {
    // Only a focus the browser would ring (the keyboard's), not a click's: the pointer shows its own.
    if (e.currentTarget.matches(':focus-visible')) setKeyboard({ width: track.current?.clientWidth ?? 0 });
  };
  const onBlur = () => {
    setKeyboard(null);
    if (!hover) want?.(null);
  };

  const seekTo = (e: FormEvent<HTMLInputElement>) => onSeek(Number(e.currentTarget.value));
  const text = `${formatPlayTime(position)} / ${formatPlayTime(duration)}`;
  const view = thumbnails?.view ?? null;
  const shown = view !== null && (hover !== null || keyboard !== null);
  const width = hover?.width ?? keyboard?.width ?? 0;
  return (
    <div className="seek-bar">
      <div className="seek-track" ref={track} onPointerMove={thumbnails ? onPointerMove : undefined} onPointerLeave={thumbnails ? onPointerLeave : undefined}>
        {shown ? (
          <SeekThumbnail
            id={tipId}
            view={view}
            x={hover?.x ?? xAtTime(view.t, width, duration)}
            trackWidth={width}
            size={thumbnailSize(picture?.width ?? 0, picture?.height ?? 0)}
          />
        ) : null}
        <canvas ref={heat} className="heat-map" aria-hidden="true" title="Activity: darker where more happened" />
        <input
          type="range"
          className="seek-input"
          aria-label="Position"
          aria-valuetext={`${formatPlayTime(position)} of ${formatPlayTime(duration)}`}
          aria-describedby={shown ? tipId : undefined}
          min={0}
          max={Math.max(1, Math.round(duration))}
          step={1}
          value={Math.round(position)}
          // Both: React's onChange misses values set by script (tests); input events are the same either way.
          onChange={seekTo}
          onInput={seekTo}
          onFocus={thumbnails ? onFocus : undefined}
          onBlur={thumbnails ? onBlur : undefined}
        />
      </div>
      <output className="play-time" aria-label="Time">
        {text}
      </output>
    </div>
  );
}
