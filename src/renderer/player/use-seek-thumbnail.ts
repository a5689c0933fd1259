import { useCallback, useEffect, useState } from 'react';
import type { ControlClient } from '../api/control-client.js';
import { createNoVncDecoders } from './novnc-decoders.js';
import { ThumbnailLoader, type ThumbnailView } from './thumbnail-loader.js';

export interface SeekThumbnails {
  /** What the thumbnail shows now; null: none shown. */
  view: ThumbnailView | null;
  /** Point at moment `t` (ms), or at nothing. */
  want: (t: number | null) => void;
}

/**
 * The seek bar's thumbnails for one recording: a ThumbnailLoader reading
 * keyframes alone through the control API. Made again only for another
 * recording (or connection); the keyframe list follows a recording that grows.
 */
export function useSeekThumbnail(client: ControlClient, name: string, keyframes: readonly number[]): SeekThumbnails {
  const [view, setView] = useState<ThumbnailView | null>(null);
  const [loader, setLoader] = useState<ThumbnailLoader | null>(null);

  useEffect(() => {
    const l = new ThumbnailLoader((index) => client.readRecordingSegment({ name, index, keyframeOnly: true }), createNoVncDecoders, setView);
    setLoader(l);
    return () => {
      l.dispose();
      setLoader(null);
      setView(null);
    };
  }, [client, name]);

  useEffect(() => loader?.setKeyframes(keyframes), [loader, keyframes]);

  const want = useCallback((t: number | null) => loader?.want(t), [loader]);
  return { view, want };
}
