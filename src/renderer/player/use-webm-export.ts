import { useEffect, useRef, useState, type RefObject } from 'react';
import { formatBytes } from '../format.js';
import { videoFileName } from '../recordings/recording-text.js';
import type { PlayerController, PlayerState } from './player-controller.js';
import { CanvasVideoRecorder, downloadBlob, webmSupport } from './webm-export.js';

export interface WebmExport {
  exporting: boolean;
  /** What happened: saved, or why it cannot be done here. */
  message: { kind: 'ok' | 'problem'; text: string } | null;
  start: () => void;
  /** Stop early and save what was recorded so far. */
  stop: () => void;
}

/**
 * Export the playback as WebM: play from the start while the canvas is
 * recorded, and save the video when playback ends (or when stopped).
 */
export function useWebmExport(canvas: RefObject<HTMLCanvasElement | null>, controller: PlayerController | null, state: PlayerState | null, name: string): WebmExport {
  const [exporting, setExporting] = useState(false);
  const [message, setMessage] = useState<WebmExport['message']>(null);
  const recorder = useRef<CanvasVideoRecorder | null>(null);

  const finish = async () => {
    const r = recorder.current;
    recorder.current = null;
    setExporting(false);
    if (!r) return;
    controller?.pause();
    try {
      const blob = await r.stop();
      const file = videoFileName(name);
      downloadBlob(blob, file);
      setMessage({ kind: 'ok', text: `Saved ${file} (${formatBytes(blob.size)}).` });
    } catch (e) {
      setMessage({ kind: 'problem', text: `Could not export the video: ${e instanceof Error ? e.message : String(e)}` });
    }
  };

  const start = () => {
    const el = canvas.current;
    if (!el || !controller || recorder.current) return;
    const support = webmSupport();
    if (!support.ok) {
      setMessage({ kind: 'problem', text: support.reason });
      return;
    }
    try {
      const r = new CanvasVideoRecorder(el, support.mimeType);
      controller.pause();
      controller.seek(0);
      r.start();
      recorder.current = r;
      controller.play();
      setExporting(true);
      setMessage(null);
    } catch (e) {
      setMessage({ kind: 'problem', text: `Could not export the video: ${e instanceof Error ? e.message : String(e)}` });
    }
  };

  // Playback reached the end (or was paused by hand): the video is done.
  const stopped = !!state && !state.playing;
  useEffect(() => {
    if (exporting && stopped) void finish();
    // Only these two matter: finish reads refs and the newest props, and re-running on its identity would finish twice.
  }, [exporting, stopped]);

  // Leaving the player abandons an export under way.
  useEffect(
    () => () => {
      void recorder.current?.stop();
      recorder.current = null;
    },
    [],
  );

  return { exporting, message, start, stop: () => void finish() };
}
