import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRecordingsDir, RecordingController, recordingFileName, recordMode, type RecordingSettings } from '../../../src/main/app/recording-controller.js';
import { createFrame, type Frame } from '../../../src/main/framebuffer/frame.js';
import { RecordingReader } from '../../../src/main/recording/reader.js';
import { RfbServer } from '../../../src/main/rfb/server.js';
import { diffFrames, renderPattern } from '../../support/desktop-image.js';
import { NoVncClient } from '../../support/novnc-decoder.js';
import { TestViewer } from '../../support/test-viewer.js';
import { waitFor } from '../../support/wait.js';

const dirs: string[] = [];
let server: RfbServer | null = null;
let controller: RecordingController | null = null;

afterEach(async () => {
  await controller?.close();
  await server?.close();
  server = controller = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'trayvnc-rec-'));
  dirs.push(d);
  return d;
}

async function setup(settings: Partial<RecordingSettings>, frame: Frame) {
  server = new RfbServer({ password: null, frameRate: 60, alwaysShared: true });
  server.setFrame(frame);
  const port = (await server.listen(0, '127.0.0.1')).port;
  let current: RecordingSettings = { record_keys: false, record_clipboard_text: false, frame_rate: 60, ...settings };
  controller = new RecordingController({
    server,
    settings: () => current,
    serverVersion: 'TrayVNC test',
    onSettings: (next) => (current = { ...current, ...next }),
  });
  return { port, server, controller };
}

/** The picture at the end of a recording file, decoded by noVNC from the last keyframe on. */
async function lastPicture(path: string): Promise<Frame> {
  const reader = await RecordingReader.open(path);
  const last = reader.keyframes.at(-1)!;
  let client: NoVncClient | null = null;
  let size = { w: 0, h: 0 };
  for await (const r of reader.records(last.t)) {
    if (r.type === 'keyframe') {
      size = { w: r.width, h: r.height };
      client = await NoVncClient.create(r.width, r.height);
    }
    if ((r.type === 'keyframe' || r.type === 'update') && client) client.decodeRects(r.update.subarray(4), r.update.readUInt16BE(2));
  }
  await reader.close();
  const f = createFrame(size.w, size.h);
  const p = client!.display.rgba;
  for (let i = 0; i < f.pixels.length; i++) f.pixels[i] = (p[i * 4]! << 16) | (p[i * 4 + 1]! << 8) | p[i * 4 + 2]!;
  return f;
}

describe('recording settings', () => {
  it('--record DIR alone means while-viewed; no folder and no mode means off', () => {
    expect(recordMode({ record_dir: '/r' })).toBe('while-viewed');
    expect(recordMode({})).toBe('off');
    expect(recordMode({ record_mode: 'manual' })).toBe('manual');
    expect(recordMode({ record_dir: '/r', record_mode: 'off' })).toBe('off');
  });

  it('names files by their start time, and puts them in the user data folder by default', () => {
    expect(recordingFileName(new Date(2026, 11, 6, 9, 5, 3))).toBe('trayvnc-20261206-090503.vnc.gz');
    expect(recordingFileName(new Date(2026, 11, 6, 9, 5, 3), 2)).toBe('trayvnc-20261206-090503-2.vnc.gz');
    expect(defaultRecordingsDir({ XDG_DATA_HOME: '/d' }, '/home/u')).toBe('/d/trayvnc/recordings');
    expect(defaultRecordingsDir({}, '/home/u')).toBe('/home/u/.local/share/trayvnc/recordings');
  });
});

describe('RecordingController', () => {
  it('manual: records with nobody connected, into a complete file that plays back to the screen', async () => {
    const dir = tempDir();
    const frame = renderPattern(96, 64, 1);
    const { controller, server } = await setup({ record_dir: dir, record_mode: 'manual' }, frame);
    const status = await controller.start();
    expect(status.active?.path.startsWith(dir)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    frame.pixels.fill(0x123456, 0, 96 * 10);
    server.markChanged([{ x: 0, y: 0, w: 96, h: 10 }]);
    await new Promise((r) => setTimeout(r, 200));
    const summary = await controller.stop();
    expect(summary?.complete).toBe(true);
    expect(statSync(summary!.path).mode & 0o777).toBe(0o600);
    const reader = await RecordingReader.open(summary!.path);
    expect(reader.complete).toBe(true);
    expect(reader.header).toMatchObject({ width: 96, height: 64, keys: false, clipboardText: false, server: 'TrayVNC test' });
    expect(reader.info().updates).toBeGreaterThanOrEqual(1);
    await reader.close();
    expect(diffFrames(await lastPicture(summary!.path), frame).count).toBe(0);
    expect(controller.status().active).toBeNull();
  });

  it('while-viewed: one file per sharing period, from the first viewer to the last, with their comings and goings', async () => {
    const dir = tempDir();
    const { port } = await setup({ record_dir: dir }, renderPattern(64, 48, 2));
    expect(readdirSync(dir)).toEqual([]);
    const a = await TestViewer.connect(port);
    const b = await TestViewer.connect(port);
    await waitFor('a recording', () => controller!.status().active !== null);
    a.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(controller!.status().active).not.toBeNull(); // one viewer is still there
    b.close();
    await waitFor('the recording to finish', () => controller!.status().active === null);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const reader = await RecordingReader.open(join(dir, files[0]!));
    const info = reader.info();
    await reader.close();
    expect(info.complete).toBe(true);
    expect(info.events['connect']).toBe(2);
    expect(info.events['disconnect']).toBe(2);
    expect(info.viewers).toHaveLength(2);
  });

  it('turning recording off stops the one in progress; a folder it cannot create is a clear error', async () => {
    const dir = tempDir();
    const { controller } = await setup({ record_dir: dir, record_mode: 'manual' }, renderPattern(32, 32, 3));
    await controller.start();
    controller.useSettings({ record_dir: dir, record_mode: 'off', record_keys: false, record_clipboard_text: false });
    await waitFor('the recording to stop', () => controller.status().active === null);
    expect(controller.status().mode).toBe('off');

    // A folder inside a file cannot be made.
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    controller.useSettings({ record_dir: join(file, 'recordings'), record_mode: 'manual', record_keys: false, record_clipboard_text: false });
    await expect(controller.start()).rejects.toThrow(/cannot start recording in .*a-file\/recordings/);
    expect(controller.status().error).toMatch(/cannot start recording/);
  });
});
