import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RecordingReader } from '../../../src/main/recording/reader.js';
import { RecordingError, type RecordingFile } from '../../../src/main/recording/recording-file.js';
import { RecordingWriter } from '../../../src/main/recording/writer.js';
import { prng } from '../../support/prng.js';
import { HEADER, rawUpdate, recordsInFile, tempDir } from '../../support/recording-fixtures.js';
import { waitFor } from '../../support/wait.js';

/**
 * A recording that cannot go on: the disk fills, fails or is too slow. The
 * writer must stop by itself, say why in a sentence, tell its listeners
 * once, never throw at the recorder, leave no unhandled error behind, and
 * leave a file that reads as cut short.
 */

const tmp = tempDir();
afterAll(() => tmp.remove());

/** Noise: what deflate cannot shrink, so the bytes reach the disk as they are. */
function noise(bytes: number, seed: number): Buffer {
  const rand = prng(seed);
  const w = 256;
  return rawUpdate(0, 0, w, Math.ceil(bytes / (4 * w)), () => Math.floor(rand() * 0x1_0000_0000));
}

/** A file sink over a real file whose writes can be made to fail or to crawl. */
async function sink(path: string, behave: { failAfterBytes?: number; code?: string; delayMs?: number }): Promise<RecordingFile> {
  const fh = await open(path, 'wx', 0o600);
  let written = 0;
  return {
    async write(data, position) {
      if (behave.delayMs) await new Promise((r) => setTimeout(r, behave.delayMs));
      if (behave.failAfterBytes !== undefined && written + data.length > behave.failAfterBytes) {
        // A disk that fills part-way: what fits is written, then the error.
        const fits = Math.max(0, behave.failAfterBytes - written);
        await fh.write(data, 0, fits, position);
        written += fits;
        throw Object.assign(new Error(`${behave.code}: simulated`), { code: behave.code });
      }
      await fh.write(data, 0, data.length, position);
      written += data.length;
    },
    close: () => fh.close(),
  };
}

let unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
});
afterEach(async () => {
  // Give stray rejections and 'error' events a moment to show up before checking there were none.
  await new Promise((r) => setTimeout(r, 50));
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  expect(unhandled).toEqual([]);
});

/** Check the writer's state after it stopped on its own with `code`, matching `message`. */
async function expectStopped(w: RecordingWriter, path: string, code: string, message: RegExp, calls: Error[]) {
  expect(w.failure).toBeInstanceOf(RecordingError);
  expect((w.failure as RecordingError).code).toBe(code);
  expect(w.failure!.message).toMatch(message);
  await waitFor('the failure listener', () => calls.length > 0, 1000);
  expect(calls).toEqual([w.failure]);
  // Later calls are ignored, without throwing.
  const before = w.stats;
  w.keyframe(4, 4, rawUpdate(0, 0, 4, 4, () => 1));
  w.update(rawUpdate(0, 0, 1, 1, () => 1));
  w.event({ kind: 'marker', label: 'after' });
  expect(w.stats).toEqual(before);
  const late: Error[] = [];
  w.onFailure((e) => late.push(e));
  await waitFor('the late listener', () => late.length > 0, 1000);
  expect(late).toEqual([w.failure]);
  const summary = await w.finish('stopped');
  expect(summary.complete).toBe(false);
  expect(calls.length).toBe(1);
  // The file is closed as it was: it opens as a recording cut short.
  const r = await RecordingReader.open(path);
  try {
    expect(r.complete).toBe(false);
    expect(r.info().truncatedAtMs).not.toBeNull();
    expect(r.info().endReason).toBeNull();
  } finally {
    await r.close();
  }
}

describe('RecordingWriter on a full disk', () => {
  const mnt = tempDir('trayvnc-rec-tmpfs-');
  let mounted = false;
  beforeAll(() => {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt.dir], { timeout: 10_000, stdio: 'pipe' });
      mounted = true;
    } catch {
      mounted = false;
    }
  });
  afterAll(() => {
    if (mounted) {
      try {
        execFileSync('umount', [mnt.dir], { timeout: 10_000, stdio: 'pipe' });
      } catch {
        // Busy (a file left open by a failing test): detach it now, so no mount outlives the run.
        execFileSync('umount', ['-l', mnt.dir], { timeout: 10_000, stdio: 'pipe' });
      }
    }
    mnt.remove();
  });

  it('stops with "the disk is full (ENOSPC)", calls onFailure once, throws nothing', async () => {
    // A real full disk when this may mount a 256 KiB tmpfs (root); otherwise a sink that fills at 256 KiB.
    const path = mounted ? mnt.path('rec.vnc.gz') : tmp.path('full.vnc.gz');
    const openFile = mounted ? undefined : (p: string) => sink(p, { failAfterBytes: 256 * 1024, code: 'ENOSPC' });
    console.info(`ENOSPC test: ${mounted ? 'a 256 KiB tmpfs' : 'a sink that fails at 256 KiB (tmpfs could not be mounted)'}`);
    let now = 0;
    const w = await RecordingWriter.open({ path, header: HEADER, now: () => now, ...(openFile ? { openFile } : {}) });
    const calls: Error[] = [];
    w.onFailure((e) => calls.push(e));
    for (let i = 0; i < 20 && !w.failure; i++) {
      now += 1000;
      expect(() => w.keyframe(256, 64, noise(64 * 1024, i))).not.toThrow();
      now += 10;
      w.event({ kind: 'marker', label: `keyframe ${i}` });
      await w.flushed();
    }
    await expectStopped(w, path, 'ENOSPC', new RegExp(`^recording stopped: the disk is full \\(ENOSPC\\) writing ${path.replace(/[.]/g, '\\.')}$`), calls);
    // What reached the disk before it filled is all there.
    expect(recordsInFile(readFileSync(path)).filter((r) => r.type === 4).length).toBeGreaterThanOrEqual(2);
  });
});

describe('RecordingWriter on a failing or slow disk (a sink in place of the file)', () => {
  it('stops with "the disk reported an input/output error (EIO)" on a write error', async () => {
    const path = tmp.path('eio.vnc.gz');
    let now = 0;
    const w = await RecordingWriter.open({ path, header: HEADER, now: () => now, openFile: (p) => sink(p, { failAfterBytes: 100_000, code: 'EIO' }) });
    const calls: Error[] = [];
    w.onFailure((e) => calls.push(e));
    for (let i = 0; i < 10 && !w.failure; i++) {
      now += 500;
      w.keyframe(256, 64, noise(64 * 1024, 100 + i));
      await w.flushed();
    }
    await expectStopped(w, path, 'EIO', /^recording stopped: the disk reported an input\/output error \(EIO\) writing .*eio\.vnc\.gz$/, calls);
  });

  it('stops with "the disk cannot keep up" when more than maxQueuedBytes wait', async () => {
    const path = tmp.path('slow.vnc.gz');
    let now = 0;
    const w = await RecordingWriter.open({
      path,
      header: HEADER,
      now: () => now,
      maxQueuedBytes: 1024 * 1024,
      openFile: (p) => sink(p, { delayMs: 200 }),
    });
    const calls: Error[] = [];
    w.onFailure((e) => calls.push(e));
    w.keyframe(256, 64, noise(64 * 1024, 1));
    const started = Date.now();
    for (let i = 0; i < 200 && !w.failure && Date.now() - started < 10_000; i++) {
      now += 33;
      expect(() => w.update(noise(64 * 1024, 2 + i))).not.toThrow();
      // Let deflate run (the thread pool), as the capture loop would between frames.
      await new Promise((r) => setTimeout(r, 5));
    }
    await expectStopped(w, path, 'ESLOW', /^recording stopped: the disk cannot keep up \(more than 1 MiB waiting to be written to .*slow\.vnc\.gz\)$/, calls);
  });

  it('stops, rather than throws, when a call cannot be recorded, and survives a listener that throws', async () => {
    const path = tmp.path('bad-call.vnc.gz');
    const w = await RecordingWriter.open({ path, header: HEADER });
    const calls: Error[] = [];
    w.onFailure(() => {
      throw new Error('a listener bug');
    });
    w.onFailure((e) => calls.push(e));
    w.keyframe(64, 48, rawUpdate(0, 0, 1, 1, () => 0));
    expect(() => w.keyframe(70_000, 10, Buffer.alloc(16))).not.toThrow();
    await expectStopped(w, path, 'EINVAL', /^recording stopped: a keyframe could not be recorded/, calls);
  });

  it('rejects open when even the HEADER cannot be written, leaving a sink the caller gave to the caller', async () => {
    const path = tmp.path('no-header.vnc.gz');
    const attempt = RecordingWriter.open({ path, header: HEADER, openFile: (p) => sink(p, { failAfterBytes: 0, code: 'ENOSPC' }) });
    await expect(attempt).rejects.toThrow(/^recording stopped: the disk is full \(ENOSPC\) writing/);
    // With a sink of its own the caller owns the file; only a file the writer created itself is removed.
    expect(readFileSync(path).length).toBe(0);
  });
});
