import { CAPTURE_BRIDGE_NAME, desktopConstraints, displayMediaOptions, type CaptureBridge, type CaptureFrameMessage } from './capture-api.js';
import { FramePacer, LatestFrameSender } from './frame-pacer.js';
import { areaOf, changedArea } from './changed-area.js';
import { CaptureRate } from './capture-rate.js';

/**
 * The hidden capture page: opens the screen main chose (a desktopCapturer
 * source with getUserMedia, or getDisplayMedia) and hands its frames to main
 * in the format the platform delivered (RGB, or I420/NV12 with its colour
 * space, which main converts: see capture-frame.ts), converting here only
 * what main does not take. It sends at most at the frame rate, only while
 * main wants frames, and only when the screen produced a new frame (an idle
 * screen sends next to nothing), always ending on the newest picture.
 *
 * Frames are read with MediaStreamTrackProcessor where present (every
 * Chromium Electron ships) and converted by VideoFrame.copyTo; a canvas is
 * the fallback for both.
 */

/** Chromium's MediaStreamTrackProcessor (not in TypeScript's DOM library). */
type TrackProcessorClass = new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => { readable: ReadableStream<VideoFrame> };

const bridge = (window as unknown as Record<string, CaptureBridge | undefined>)[CAPTURE_BRIDGE_NAME];

let canvas: OffscreenCanvas | null = null;
/** Called when main resumes the stream, to send the frame kept while paused. */
let resumeHook: () => void = () => undefined;
/** Called when main asks for the next frame whole. */
let refreshHook: () => void = () => undefined;
let copyToWorks = true;
let nativeWorks = true;
/** Whether the capture paints the pointer into its frames (the track says; Chromium always does). */
let pointerInFrames = true;

/** RGBA pixels of anything a canvas can draw. */
function viaCanvas(source: CanvasImageSource, width: number, height: number): CaptureFrameMessage {
  if (!canvas || canvas.width !== width || canvas.height !== height) canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
  if (!ctx) throw new Error('no 2D canvas');
  ctx.drawImage(source, 0, 0, width, height);
  const image = ctx.getImageData(0, 0, width, height);
  return { width, height, format: 'rgba', stride: width * 4, data: image.data.buffer as ArrayBuffer };
}

/** Formats taken as they are: the server converts them itself (exactly, or with the colour space the frame states). */
const NATIVE: Record<string, CaptureFrameMessage['format']> = { BGRA: 'bgra', BGRX: 'bgra', RGBA: 'rgba', RGBX: 'rgba', I420: 'i420', NV12: 'nv12' };

async function nativePixels(frame: VideoFrame, format: CaptureFrameMessage['format'], width: number, height: number): Promise<CaptureFrameMessage> {
  const data = new ArrayBuffer(frame.allocationSize());
  const planes = await frame.copyTo(data);
  const first = planes[0];
  if (!first) throw new Error('a frame without planes');
  const yuv = format === 'i420' || format === 'nv12';
  return {
    width,
    height,
    format,
    stride: first.stride,
    ...(yuv ? { planes: planes.map((p) => ({ offset: p.offset, stride: p.stride })), colorSpace: frame.colorSpace.toJSON() } : {}),
    data,
  };
}

/**
 * A frame's pixels for main: in the format the platform delivered when main
 * takes it (RGB as it is; I420/NV12 with its colour space, 1.5 bytes a pixel
 * instead of 4), else converted to BGRA here (or, failing that, by a canvas).
 */
async function pixelsOf(frame: VideoFrame): Promise<CaptureFrameMessage> {
  const width = frame.visibleRect?.width ?? frame.displayWidth;
  const height = frame.visibleRect?.height ?? frame.displayHeight;
  const sourceFormat = frame.format ?? 'texture';
  const native = frame.format ? NATIVE[frame.format] : undefined;
  if (native && nativeWorks) {
    try {
      return { ...(await nativePixels(frame, native, width, height)), sourceFormat };
    } catch {
      nativeWorks = false; // e.g. an odd crop of a YUV frame: convert here instead
    }
  }
  if (copyToWorks) {
    try {
      const data = new ArrayBuffer(width * height * 4);
      await frame.copyTo(data, { format: 'BGRA', layout: [{ offset: 0, stride: width * 4 }] });
      return { width, height, format: 'bgra', stride: width * 4, data, sourceFormat };
    } catch {
      copyToWorks = false; // this Chromium cannot convert here; the canvas can
    }
  }
  return { ...viaCanvas(frame, width, height), sourceFormat: 'canvas' };
}

/**
 * Frames from the track as they come; only the newest unsent one is kept
 * (also while paused, so a viewer arriving gets the screen as it is now,
 * even if it has not changed since).
 */
async function pumpTrack(b: CaptureBridge, track: MediaStreamTrack, pacer: FramePacer, rate: CaptureRate, Processor: TrackProcessorClass): Promise<void> {
  const sender = new LatestFrameSender<VideoFrame>(
    pacer,
    async (frame) => {
      let message: CaptureFrameMessage;
      try {
        message = await pixelsOf(frame);
      } finally {
        frame.close();
      }
      // A still screen's frames are dropped here, unless main asked for one (a viewer arrived after a pause);
      // of a YUV frame only the area that changed goes (changed-area.ts).
      const change = changedArea(lastSent, message);
      // Frames of another layout (a new size or format) count as changed.
      const still = change.kind === 'none';
      rate.frame(!still, performance.now());
      if (still && !mustSend) return;
      const send = !mustSend && change.kind === 'area' ? areaOf(message, change.top, change.bottom, change.left, change.right) : message;
      try {
        await b.sendFrame({ ...send, pointer: pointerInFrames });
      } catch (e) {
        // Main may not have it: the next frame goes whole, so later pieces are never laid on a picture main lacks.
        lastSent = null;
        mustSend = true;
        throw e;
      }
      mustSend = false;
      lastSent = message;
    },
    (frame) => frame.close(),
    { now: () => performance.now(), setTimeout: (fn, ms) => setTimeout(fn, ms) },
    (e) => void b.reportError(`a frame could not be sent: ${e instanceof Error ? e.message : String(e)}`).catch(() => undefined),
  );
  let lastSent: CaptureFrameMessage | null = null;
  let mustSend = true;
  resumeHook = () => {
    mustSend = true;
    sender.kick();
  };
  refreshHook = () => {
    mustSend = true;
  };
  // Every frame is taken as it comes; the sender keeps only the newest unsent one.
  const reader = new Processor({ track, maxBufferSize: 1 }).readable.getReader();
  for (;;) {
    const { value: frame, done } = await reader.read();
    if (done) return;
    sender.offer(frame);
  }
}

async function pollVideo(b: CaptureBridge, stream: MediaStream, pacer: FramePacer): Promise<void> {
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  await video.play();
  for (;;) {
    await new Promise((r) => setTimeout(r, pacer.intervalMs));
    if (stream.getVideoTracks().every((t) => t.readyState === 'ended')) return;
    if (video.videoWidth === 0 || pacer.wait(performance.now()) > 0) continue;
    pacer.sent(performance.now());
    await b.sendFrame({ ...viaCanvas(video, video.videoWidth, video.videoHeight), sourceFormat: 'canvas', pointer: pointerInFrames });
  }
}

async function run(b: CaptureBridge): Promise<void> {
  const request = await b.ready();
  const pacer = new FramePacer(request.frameRate);
  let track: MediaStreamTrack | undefined;
  // The capture's own rate (best effort: the pacer holds the limit either way): slowed while the screen is still or nobody watches.
  const rate = new CaptureRate(request.frameRate, (fps) => void track?.applyConstraints({ frameRate: { max: fps } }).catch(() => undefined), performance.now());
  b.onCommand((c) => {
    if (c.type === 'pause') {
      pacer.pause();
      rate.pause();
    } else if (c.type === 'frame-rate') {
      pacer.setRate(c.frameRate);
      rate.setFrameRate(c.frameRate);
    } else if (c.type === 'refresh') {
      refreshHook();
    } else {
      pacer.resume();
      rate.resume(performance.now());
      resumeHook();
    }
  });
  let stream: MediaStream;
  try {
    stream =
      request.method === 'display-media'
        ? // resizeMode, cursor and displaySurface are not all in TypeScript's DOM constraint types.
          await navigator.mediaDevices.getDisplayMedia(displayMediaOptions(request) as DisplayMediaStreamOptions)
        : // Chromium's `mandatory` form is not in the standard constraint types.
          await navigator.mediaDevices.getUserMedia(desktopConstraints(request) as unknown as MediaStreamConstraints);
  } catch (e) {
    await b.reportError(`the screen could not be opened: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return;
  }
  track = stream.getVideoTracks()[0];
  if (!track) {
    await b.reportError('the screen capture has no video');
    return;
  }
  // Commands may have come while the screen was opening (a pause): the track starts at the rate they left.
  if (rate.current !== request.frameRate) void track.applyConstraints({ frameRate: { max: rate.current } }).catch(() => undefined);
  // Browsers that honour `cursor: 'never'` say so here; Chromium says 'always' (and Electron's desktop source nothing).
  const cursor = (track.getSettings() as { cursor?: string }).cursor;
  pointerInFrames = cursor !== 'never';
  track.addEventListener('ended', () => void b.reportError('the screen capture ended'));
  const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorClass }).MediaStreamTrackProcessor;
  if (Processor) await pumpTrack(b, track, pacer, rate, Processor);
  else await pollVideo(b, stream, pacer);
}

if (bridge) {
  run(bridge).catch((e: unknown) => {
    void bridge.reportError(e instanceof Error ? e.message : String(e));
  });
}
