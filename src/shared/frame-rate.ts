/**
 * Updates per second per client: the range and default that the settings
 * schema, the server, the settings form, the command line's help and the
 * capture page all use. No dependencies, so any bundle can take it.
 */
export const FRAME_RATE = { min: 1, max: 60, default: 60 } as const;

/** A frame rate brought into range; anything that is not a number becomes the minimum. */
export function clampFrameRate(fps: number): number {
  if (!Number.isFinite(fps)) return FRAME_RATE.min;
  return Math.min(FRAME_RATE.max, Math.max(FRAME_RATE.min, fps));
}

/** Whether `fps` is a frame rate the app accepts as it is. */
export function isFrameRate(fps: unknown): fps is number {
  return typeof fps === 'number' && Number.isFinite(fps) && fps >= FRAME_RATE.min && fps <= FRAME_RATE.max;
}
