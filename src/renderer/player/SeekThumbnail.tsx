import { useEffect, useRef } from 'react';
import type { ThumbnailView } from './thumbnail-loader.js';
import { formatPlayTime } from './time-format.js';

interface SeekThumbnailProps {
  /** The tooltip's id (the slider is described by it). */
  id: string;
  view: ThumbnailView;
  /** Where the moment lies along the seek bar, and the bar's width (px). */
  x: number;
  trackWidth: number;
  /** The thumbnail's size for this recording, held while its picture loads. */
  size: { width: number; height: number };
}

/** Padding and border around the picture (player.css: .seek-thumbnail). */
const FRAME = 10;

/**
 * The picture above the seek bar where the pointer is (or where the slider
 * is, with the keyboard): the keyframe at or before that moment, made small,
 * and the moment's time. Kept inside the bar's width so it never makes the
 * page scroll sideways.
 */
export function SeekThumbnail({ id, view, x, trackWidth, size }: SeekThumbnailProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const thumb = view.thumbnail;

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d', { alpha: false });
    if (!el || !ctx || !thumb) return;
    el.width = thumb.width;
    el.height = thumb.height;
    // Its own pixels at their own size: the test compares them with the picture made small the same way.
    ctx.putImageData(new ImageData(thumb.rgba, thumb.width, thumb.height), 0, 0);
  }, [thumb]);

  const box = (thumb?.width ?? size.width) + FRAME;
  const left = Math.max(0, Math.min(trackWidth - box, x - box / 2));
  const time = formatPlayTime(view.t);
  return (
    <div id={id} role="tooltip" className="seek-thumbnail" style={{ left }} data-segment={view.index} data-keyframe-ms={thumb?.t}>
      {thumb ? (
        <canvas
          ref={canvas}
          className="seek-thumbnail-canvas"
          role="img"
          aria-label={`Keyframe at ${formatPlayTime(thumb.t)}: the last picture saved at or before ${time}`}
          style={{ width: thumb.width, height: thumb.height }}
        />
      ) : (
        <div className="seek-thumbnail-empty" style={{ width: size.width, height: size.height }}>
          {EMPTY_TEXT[view.state]}
        </div>
      )}
      <span className="seek-thumbnail-time" aria-hidden={thumb ? true : undefined}>
        {time}
      </span>
    </div>
  );
}

const EMPTY_TEXT: Record<ThumbnailView['state'], string> = {
  none: 'Before the first picture',
  loading: 'Loading the picture…',
  ready: '',
  failed: 'No picture',
};
