/**
 * A real recording made by the real pieces: an RfbServer sharing a frame, a
 * Recorder watching it into a RecordingWriter, a viewer that points, types
 * and pastes, changes marked on the frame, a scroll sent as a copy, and a
 * resize. The writer's clock is a fake one moved forward at each step, so the
 * recording spans minutes in a second and its times are known.
 */
import { createFrame, type Frame } from '../../src/main/framebuffer/frame.js';
import { RECORDING_FORMAT, RECORDING_VERSION, type RecordingHeader } from '../../src/main/recording/format.js';
import { Recorder, RECORDING_PIXEL_FORMAT } from '../../src/main/recording/recorder.js';
import { RecordingWriter, type RecordingSummary } from '../../src/main/recording/writer.js';
import { RfbServer } from '../../src/main/rfb/server.js';
import { fillRect, renderPattern, scrollFrame } from './desktop-image.js';
import { TestViewer } from './test-viewer.js';
import { waitFor } from './wait.js';

export interface LiveRecording {
  summary: RecordingSummary;
  header: RecordingHeader;
  /** What the server showed last (a copy), which playing the recording must end on. */
  lastFrame: Frame;
  /** The fake times (ms) at which the steps happened: the resize, and the finish. */
  resizedAt: number;
  finishedAt: number;
}

export interface LiveRecordingOptions {
  /** ServerInit's name (its length decides how the handshake's FBS block is padded). */
  desktopName?: string;
  size?: { width: number; height: number };
  resizeTo?: { width: number; height: number };
}

function copyFrame(f: Frame): Frame {
  const out = createFrame(f.width, f.height);
  for (let y = 0; y < f.height; y++) out.pixels.set(f.pixels.subarray(y * f.stride, y * f.stride + f.width), y * f.width);
  return out;
}

/** Record to `path` (which must not exist); resolves once the file is finished and everything is closed. */
export async function makeLiveRecording(path: string, opts: LiveRecordingOptions = {}): Promise<LiveRecording> {
  const { width, height } = opts.size ?? { width: 96, height: 64 };
  const resizeTo = opts.resizeTo ?? { width: 120, height: 72 };
  const desktopName = opts.desktopName ?? 'live desktop';
  const server = new RfbServer({ password: null, frameRate: 60, alwaysShared: true, desktopName });
  let frame = renderPattern(width, height, 11);
  server.setFrame(frame);
  const port = (await server.listen(0, '127.0.0.1')).port;
  let now = 0;
  const header: RecordingHeader = {
    format: RECORDING_FORMAT,
    version: RECORDING_VERSION,
    server: 'TrayVNC test',
    startedAt: '2026-12-06T21:58:00.000Z',
    width,
    height,
    pixelFormat: RECORDING_PIXEL_FORMAT,
    frameRate: 60,
    host: 'testhost',
    desktopName,
    keys: false,
    clipboardText: false,
  };
  const writer = await RecordingWriter.open({ path, header, now: () => now });
  const recorder = new Recorder(server, writer, { keys: false, clipboardText: false });
  let viewer: TestViewer | null = null;
  try {
    recorder.start();
    await waitFor('the first keyframe', () => writer.stats.keyframes === 1);
    const updated = async (what: string, change: () => void) => {
      const before = writer.stats.updates;
      change();
      await waitFor(what, () => writer.stats.updates > before);
    };

    now = 4_000;
    viewer = await TestViewer.connect(port);
    await waitFor('the viewer', () => server.clients.length === 1);
    viewer.pointer(10, 12, 0);
    viewer.pointer(11, 13, 1);
    viewer.cutText(Buffer.from('pasted text', 'latin1'));
    await waitFor('the clipboard event', () => writer.stats.events >= 4);

    now = 9_000;
    await updated('an update', () => {
      fillRect(frame, { x: 8, y: 8, w: 40, h: 20 }, (x, y) => ((x * 3 + y * 5) * 0x010203) & 0xffffff);
      server.markChanged([{ x: 8, y: 8, w: 40, h: 20 }]);
    });

    now = 15_000;
    // A scroll: rows 16.. move up by 10 (a copy), and the strip it uncovers is repainted.
    await updated('a scroll', () => {
      scrollFrame(frame, { x: 0, y: 6, w: width, h: height - 16 }, 16);
      fillRect(frame, { x: 0, y: height - 10, w: width, h: 10 }, (x) => 0x00ff00 + x);
      server.applyChanges([{ dst: { x: 0, y: 6, w: width, h: height - 16 }, srcX: 0, srcY: 16 }], [{ x: 0, y: height - 10, w: width, h: 10 }]);
    });

    const resizedAt = 30_000;
    now = resizedAt;
    frame = renderPattern(resizeTo.width, resizeTo.height, 12);
    server.setFrame(frame);
    await waitFor('a keyframe at the new size', () => writer.stats.keyframes === 2);

    now = 42_000;
    viewer.pointer(50, 40, 0);
    await updated('an update at the new size', () => {
      fillRect(frame, { x: 20, y: 30, w: 33, h: 17 }, (x, y) => 0x800000 + x * 256 + y);
      server.markChanged([{ x: 20, y: 30, w: 33, h: 17 }]);
    });

    const finishedAt = 65_000;
    now = finishedAt;
    recorder.stop();
    const summary = await writer.finish('test over');
    return { summary, header, lastFrame: copyFrame(frame), resizedAt, finishedAt };
  } finally {
    recorder.stop();
    await writer.finish('test over');
    viewer?.close();
    await server.close();
  }
}
