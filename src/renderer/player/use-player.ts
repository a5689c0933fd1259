import { useEffect, useState, type RefObject } from 'react';
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
 * A PlayerController for `details`, drawing into `canvas`. The details are
 * read once when the recording is opened; the controller re-reads a live
 * recording's details itself, so the player is made again only for another
 * recording (or a new connection).
 */
export function usePlayer(client: ControlClient, details: RecordingDetails, canvas: RefObject<HTMLCanvasElement | null>): [PlayerState | null, PlayerController | null] {
  const [state, setState] = useState<PlayerState | null>(null);
  const [controller, setController] = useState<PlayerController | null>(null);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const view = new CanvasView(el);
    const { name } = details;
    const c = new PlayerController(
      details,
      {
        details: () => client.getRecordingInfo({ name }),
        segment: (index) => client.readRecordingSegment({ name, index }),
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
  }, [client, details, canvas]);

  return [state, controller];
}
