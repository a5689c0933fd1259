import type { CaptureRequest } from '../../shared/capture-contract.js';

export { CAPTURE_BRIDGE_NAME, type CaptureBridge, type CaptureCommand, type CaptureFrameMessage, type CapturePlane, type CaptureRequest } from '../../shared/capture-contract.js';

/**
 * getUserMedia constraints for an Electron desktop source (Chromium's
 * non-standard `mandatory` form, which is how a desktopCapturer id is
 * passed). The capture is at most the screen's device size, so a HiDPI
 * screen is not scaled down, and at most the frame rate.
 */
/**
 * getDisplayMedia options for the whole screen at its own size: no scaling
 * (resizeMode 'none', at most the screen's size), at most the frame rate, and
 * no pointer where the browser honours it (Chromium paints it in regardless,
 * and says so in the track's `cursor` setting).
 */
export function displayMediaOptions(r: CaptureRequest): { video: Record<string, unknown>; audio: false } {
  return {
    video: {
      width: { max: r.width },
      height: { max: r.height },
      frameRate: { max: r.frameRate },
      resizeMode: 'none',
      cursor: 'never',
      displaySurface: 'monitor',
    },
    audio: false,
  };
}

export function desktopConstraints(r: CaptureRequest): { audio: false; video: { mandatory: Record<string, string | number> } } {
  return {
    audio: false,
    video: {
      mandatory: {
        chromeMediaSource: 'desktop',
        chromeMediaSourceId: r.sourceId,
        maxWidth: r.width,
        maxHeight: r.height,
        maxFrameRate: r.frameRate,
      },
    },
  };
}
