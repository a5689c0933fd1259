import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/main/app/config.js';
import { VncService } from '../../src/main/app/vnc-service.js';
import { RecordingReader } from '../../src/main/recording/reader.js';
import { Encoding } from '../../src/main/rfb/constants.js';
import { startCli, type CliRun } from '../support/cli-process.js';
import { NoVncViewer } from '../support/novnc-viewer.js';
import { TestViewer } from '../support/test-viewer.js';
import { waitFor } from '../support/wait.js';

/**
 * A recording must never lose a session: a killed server leaves a file that
 * plays to within a second of the kill; a full disk stops the recording with
 * a clear message while sharing goes on; typed keys stay out of files unless
 * the user allows them.
 */

const temps: string[] = [];
const runs: CliRun[] = [];
let service: VncService | null = null;
afterEach(async () => {
  for (const r of runs.splice(0)) await r.stop();
  await service?.stop();
  service = null;
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(what: string): string {
  const d = mkdtempSync(join(tmpdir(), `trayvnc-${what}-`));
  temps.push(d);
  return d;
}

async function everyRecord(path: string) {
  const reader = await RecordingReader.open(path);
  const records = [];
  for await (const r of reader.records(0)) records.push(r);
  const info = reader.info();
  await reader.close();
  return { info, records };
}

describe('recording robustness', () => {
  it('kill -9 during a recording: the file reads as cut short and plays to within 1 s of the kill', async () => {
    const dir = tempDir('kill');
    const run = startCli(['serve', '--source', 'synthetic', '--size', '320x200', '--port', '0', '--frame-rate', '30', '--record', dir]);
    runs.push(run);
    const port = Number((await run.waitFor(/TrayVNC listening on 127\.0\.0\.1:(\d+)/, 10_000, 'stdout')).match[1]);
    const viewer = await NoVncViewer.connect({ port, encodings: [Encoding.ZRLE] });
    try {
      await waitFor('a recording file', () => readdirSync(dir).length === 1);
      await new Promise((r) => setTimeout(r, 3000)); // the synthetic desktop moves: updates all along
      run.child.kill('SIGKILL');
      const killedAt = Date.now();
      await run.exited;
      const file = join(dir, readdirSync(dir)[0]!);
      const { info, records } = await everyRecord(file);
      expect(info.complete).toBe(false);
      expect(info.truncatedAtMs).not.toBeNull();
      const killedAtMs = killedAt - Date.parse(info.header.startedAt);
      const lastPicture = Math.max(...records.filter((r) => r.type === 'update' || r.type === 'keyframe').map((r) => r.t));
      expect(killedAtMs - lastPicture, `killed at ${killedAtMs} ms, last picture at ${lastPicture} ms`).toBeLessThanOrEqual(1000 + 100);
      expect(records.some((r) => r.type === 'end')).toBe(false);
    } finally {
      viewer.close();
    }
  }, 30_000);

  it('a full disk stops the recording with a clear message, and the viewer keeps its update rate', async () => {
    const dir = tempDir('full');
    const mountPoint = join(dir, 'small');
    mkdirSync(mountPoint);
    // A real full disk: a 384 KiB tmpfs (this test runs as root, as CI does).
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=384k', 'tmpfs', mountPoint]);
    try {
      service = await VncService.create(
        parseConfig({ source: 'synthetic', width: 640, height: 400, port: 0, host: '127.0.0.1', frame_rate: 30, record_dir: mountPoint }),
      );
      const port = (await service.start()).port;
      const viewer = await NoVncViewer.connect({ port, encodings: [Encoding.ZRLE] });
      try {
        await waitFor('the recording to fail', () => service!.recordings!.status().error !== null, 20_000, 50);
        expect(service.recordings!.status().error).toMatch(/disk is full/);
        expect(service.recordings!.status().active).toBeNull();
        // Sharing goes on at its pace: count the viewer's updates over a second.
        const before = viewer.updates;
        await new Promise((r) => setTimeout(r, 1000));
        expect(viewer.updates - before).toBeGreaterThanOrEqual(20);
        expect(viewer.error).toBeNull();
      } finally {
        viewer.close();
      }
      await service.stop();
      service = null;
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  }, 40_000);

  for (const keys of [false, true]) {
    it(`key events are ${keys ? 'in the file when record_keys is on' : 'absent from the file unless record_keys is on'}`, async () => {
      const dir = tempDir('keys');
      service = await VncService.create(
        parseConfig({ source: 'synthetic', width: 64, height: 48, port: 0, host: '127.0.0.1', record_dir: dir, record_mode: 'manual', record_keys: keys }),
      );
      const port = (await service.start()).port;
      await service.recordings!.start();
      const v = await TestViewer.connect(port);
      await waitFor('the viewer', () => service!.server.clients.length === 1);
      for (const ch of 'pw1') {
        v.key(ch.charCodeAt(0), true);
        v.key(ch.charCodeAt(0), false);
      }
      v.pointer(3, 4, 0);
      await new Promise((r) => setTimeout(r, 200));
      v.close();
      const summary = await service.recordings!.stop();
      const { records } = await everyRecord(summary!.path);
      const events = records.flatMap((r) => (r.type === 'event' ? [r.event] : []));
      expect(events.some((e) => e.kind === 'pointer')).toBe(true);
      const keyEvents = events.filter((e) => e.kind === 'key');
      if (keys) expect(keyEvents.map((e) => (e.kind === 'key' ? e.keysym : 0))).toEqual([0x70, 0x70, 0x77, 0x77, 0x31, 0x31]);
      else expect(keyEvents).toEqual([]);
    });
  }
});
