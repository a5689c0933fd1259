/**
 * Saving what the player shows as a WebM video: the canvas's stream
 * (captureStream) through a MediaRecorder, then a download of the Blob. The
 * video runs as the playback did — at its speed, with idle stretches skipped
 * if that was chosen.
 */

export type WebmSupport = { ok: true; mimeType: string } | { ok: false; reason: string };

const TYPES = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm'];
/** Frames per second of the video. */
const FPS = 30;

/** Whether this browser can make a WebM video of a canvas, and in which type. */
export function webmSupport(): WebmSupport {
  if (typeof MediaRecorder === 'undefined') return { ok: false, reason: 'This browser cannot record video (it has no MediaRecorder), so it cannot export WebM.' };
  if (typeof HTMLCanvasElement.prototype.captureStream !== 'function') {
    return { ok: false, reason: 'This browser cannot capture a canvas as video, so it cannot export WebM.' };
  }
  const mimeType = TYPES.find((t) => MediaRecorder.isTypeSupported(t));
  if (!mimeType) return { ok: false, reason: 'This browser cannot write WebM video.' };
  return { ok: true, mimeType };
}

/** Records a canvas until stopped. */
export class CanvasVideoRecorder {
  private readonly recorder: MediaRecorder;
  private readonly chunks: Blob[] = [];
  private readonly track: CanvasCaptureMediaStreamTrack | null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(canvas: HTMLCanvasElement, private readonly mimeType: string) {
    // Frames on request, at a steady rate: a still picture still makes video time pass.
    const stream = canvas.captureStream(0);
    const track = stream.getVideoTracks()[0];
    this.track = track && 'requestFrame' in track ? (track as CanvasCaptureMediaStreamTrack) : null;
    this.recorder = new MediaRecorder(stream, { mimeType });
    this.recorder.addEventListener('dataavailable', (e) => {
      if (e.data.size > 0) this.chunks.push(e.data);
    });
  }

  start(): void {
    this.recorder.start(1000);
    this.track?.requestFrame();
    this.timer = setInterval(() => this.track?.requestFrame(), 1000 / FPS);
  }

  /** Stop, and the video so far. */
  stop(): Promise<Blob> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return new Promise((resolve) => {
      const done = () => {
        for (const t of this.recorder.stream.getTracks()) t.stop();
        resolve(new Blob(this.chunks, { type: this.mimeType.split(';')[0] }));
      };
      if (this.recorder.state === 'inactive') done();
      else {
        this.recorder.addEventListener('stop', done, { once: true });
        this.recorder.stop();
      }
    });
  }
}

/** Offer `blob` as a file download named `fileName`. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once it starts; give it time to.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

