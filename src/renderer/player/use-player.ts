import { useEffect, useRef, useState, type RefObject } from 'react';
import type { RecordingDetails } from '../../shared/recording-contract.js';
import type { ControlClient } from '../api/control-client.js';
import { CanvasView } from './canvas-view.js';
import { createNoVncDecoders } from './novnc-decoders.js';
import { PlayerController, type PlayerState, type Scheduler } from './player-controller.js';

/** The page's clock and animation frames. */
const browserScheduler: Scheduler = {
  now: () => performance.now(),
  frame: (cb) => {
    const id = requestAnimationFrame(cb);
    return () => cancelAnimationFrame(id);
  },
};

/**
 * A PlayerController for `details`, drawing into `canvas`, for as long as the
 * component shows the same recording (new details of the same one — a live
 * recording re-read — keep the player).
 */
export function usePlayer(client: ControlClient, details: RecordingDetails, canvas: RefObject<HTMLCanvasElement | null>): [PlayerState | null, PlayerController | null] {
  const [state, setState] = useState<PlayerState | null>(null);
  const [controller, setController] = useState<PlayerController | null>(null);
  const first = useRef(details);
  first.current = details;

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const d = first.current;
    const view = new CanvasView(el);
    const c = new PlayerController(
      d,
      {
        details: () => client.getRecording({ name: d.name }),
        segment: (index) => client.readRecordingSegment({ name: d.name, index }),
      },
      (fb, t) => view.draw(fb, t),
      browserScheduler,
      createNoVncDecoders,
    );
    const off = c.subscribe(setState);
    setState(c.state);
    setController(c);
    void c.start();
    return () => {
      off();
      c.dispose();
      setController(null);
    };
  }, [client, details.name, canvas]);

  return [state, controller];
}
