import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/main/app/config.js';
import { ControlService } from '../../../src/main/app/control-service.js';
import { importName, numberedName } from '../../../src/main/app/import-name.js';
import { VncService } from '../../../src/main/app/vnc-service.js';
import type { ControlConnection } from '../../../src/main/app/control-connection.js';
import type { ControlErrorData, ControlReply } from '../../../src/shared/control-contract.js';
import type { RecordingDetails, RecordingImportResult, RecordingListItem, RecordingSegment } from '../../../src/shared/recording-contract.js';
import { PlaybackEngine } from '../../../src/renderer/player/playback-engine.js';
import { makeLiveRecording, type LiveRecording } from '../../support/live-recording.js';
import { PYVNC_EXPECTED, writePyVncRecording } from '../../support/pyvnc-fixtures.js';
import { waitFor } from '../../support/wait.js';

/**
 * importRecording through a ControlConnection, as both transports reach it:
 * files uploaded in chunks arrive byte for byte under a safe new name, are
 * listed and play; anything else is refused and leaves nothing behind, and
 * nothing is ever written outside the recordings folder.
 */

// noVNC's decoders look for `window` when loaded (as the player's engine test does).
(globalThis as { window?: unknown }).window ??= globalThis;
const { createNoVncDecoders } = await import('../../../src/renderer/player/novnc-decoders.js');

const work = mkdtempSync(join(tmpdir(), 'trayvnc-import-src-'));
/** A real recording (two keyframes, updates, events), made outside the recordings folder. */
let recording: Buffer;
let live: LiveRecording;
let pyvnc: Buffer;

beforeAll(async () => {
  live = await makeLiveRecording(join(work, 'made.vnc.gz'));
  recording = readFileSync(join(work, 'made.vnc.gz'));
  pyvnc = writePyVncRecording(join(work, 'py.vnc.gz'), { footer: true });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

let service: VncService | null = null;
const extra: ControlService[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of extra.splice(0)) c.close();
  await service?.stop();
  service = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

type Caller = ReturnType<typeof caller>;

function caller(conn: ControlConnection) {
  const call = async <T>(method: string, params?: unknown): Promise<T> => {
    const reply: ControlReply = await conn.call(method, params);
    if ('error' in reply) throw new Error(`${reply.error.code}: ${reply.error.message}`);
    return reply.result as T;
  };
  const refused = async (method: string, params?: unknown): Promise<ControlErrorData | null> => {
    const reply = await conn.call(method, params);
    return 'error' in reply ? reply.error : null;
  };
  return { conn, call, refused };
}

async function started(opts: { importIdleMs?: number } = {}) {
  // The recordings folder is a folder of its own inside `root`, so a write beside it would show.
  const root = mkdtempSync(join(tmpdir(), 'trayvnc-import-'));
  dirs.push(root);
  const dir = join(root, 'recordings');
  service = await VncService.create(parseConfig({ source: 'synthetic', width: 64, height: 48, port: 0, host: '127.0.0.1', record_dir: dir, record_mode: 'manual' }));
  await service.start();
  let control = service.control!;
  if (opts.importIdleMs !== undefined) {
    control = new ControlService(service, { importIdleMs: opts.importIdleMs });
    extra.push(control);
  }
  return { root, dir, control, ...caller(control.openConnection(() => undefined, 'a test')) };
}

/** Upload `bytes` in chunks of `size`; the last reply. */
async function upload(c: Caller, bytes: Buffer, name: string, size: number, id = 'up1'): Promise<RecordingImportResult> {
  let last: RecordingImportResult | null = null;
  for (let offset = 0; offset < bytes.length || offset === 0; offset += size) {
    const end = Math.min(bytes.length, offset + size);
    last = await c.call<RecordingImportResult>('importRecording', { upload: id, name, offset, data: bytes.subarray(offset, end).toString('base64'), last: end === bytes.length });
    if (end === bytes.length) break;
  }
  return last!;
}

/** Everything under `root`, as paths relative to it. */
function tree(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).sort();
}

describe('importRecording', () => {
  it('takes a real recording in chunks, byte for byte, and it is listed and plays', async () => {
    const c = await started();
    const chunk = Math.ceil(recording.length / 5) + 1; // five chunks, the last one short
    const replies: number[] = [];
    let result: RecordingImportResult | null = null;
    for (let offset = 0; offset < recording.length; offset += chunk) {
      const end = Math.min(recording.length, offset + chunk);
      result = await c.call<RecordingImportResult>('importRecording', { upload: 'a', name: 'Office session.vnc.gz', offset, data: recording.subarray(offset, end).toString('base64'), last: end === recording.length });
      replies.push(result.received);
      if (end < recording.length) expect(result.item).toBeNull();
    }
    expect(replies).toHaveLength(5);
    expect(replies.at(-1)).toBe(recording.length);
    expect(result!.item).toMatchObject({ name: 'Office-session.vnc.gz', kind: 'trayvnc', complete: true, bytes: recording.length, width: 96, height: 64, viewers: 1 });
    expect(readFileSync(join(c.dir, 'Office-session.vnc.gz')).equals(recording)).toBe(true);
    expect(statSync(join(c.dir, 'Office-session.vnc.gz')).mode & 0o777).toBe(0o600);
    expect(readdirSync(c.dir)).toEqual(['Office-session.vnc.gz']); // no temp file left
    expect((await c.call<RecordingListItem[]>('listRecordings')).map((r) => r.name)).toEqual(['Office-session.vnc.gz']);

    // It plays: the player's engine, reading its segments through the API, ends on what the server showed last.
    const details = await c.call<RecordingDetails>('getRecordingInfo', { name: 'Office-session.vnc.gz' });
    expect(details.keyframes).toHaveLength(2);
    expect(details.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['connect', 'clipboard', 'resize']));
    const engine = new PlaybackEngine(
      { segment: (index) => c.call<RecordingSegment>('readRecordingSegment', { name: 'Office-session.vnc.gz', index }) },
      createNoVncDecoders,
      details,
    );
    await engine.show(details.durationMs);
    const { width, height, pixels } = live.lastFrame;
    expect([engine.fb.width, engine.fb.height]).toEqual([width, height]);
    let wrong = 0;
    for (let i = 0; i < width * height; i++) {
      const p = pixels[i]!;
      const d = engine.fb.data;
      if (d[i * 4] !== p >>> 16 || d[i * 4 + 1] !== ((p >>> 8) & 255) || d[i * 4 + 2] !== (p & 255)) wrong++;
    }
    expect(wrong).toBe(0);
  });

  it('readRecordingSegment with keyframeOnly returns the keyframe alone', async () => {
    const c = await started();
    await upload(c, recording, 'k.vnc.gz', 64 * 1024);
    for (const index of [0, 1]) {
      const full = await c.call<RecordingSegment>('readRecordingSegment', { name: 'k.vnc.gz', index });
      const only = await c.call<RecordingSegment>('readRecordingSegment', { name: 'k.vnc.gz', index, keyframeOnly: true });
      expect(full.records.filter((r) => r.type === 'update').length, `segment ${index} has updates`).toBeGreaterThan(0);
      expect(only.records).toHaveLength(1);
      expect(only.records[0]).toEqual(full.records[0]);
      expect(only.records[0]!.type).toBe('keyframe');
      expect(only).toMatchObject({ name: 'k.vnc.gz', index, more: full.more });
    }
    expect((await c.refused('readRecordingSegment', { name: 'k.vnc.gz', index: 0, keyframeOnly: 'yes' }))?.code).toBe('invalid-params');
  });

  it("accepts PyVNCServer's recordings, which show their timeline", async () => {
    const c = await started();
    const { item } = await upload(c, pyvnc, 'pyvncserver.vnc.gz', 100);
    expect(item).toMatchObject({ name: 'pyvncserver.vnc.gz', kind: 'pyvncserver', complete: true, durationMs: PYVNC_EXPECTED.durationMs });
    expect(readFileSync(join(c.dir, 'pyvncserver.vnc.gz')).equals(pyvnc)).toBe(true);
    const details = await c.call<RecordingDetails>('getRecordingInfo', { name: 'pyvncserver.vnc.gz' });
    expect(details.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['connect', 'keys', 'clipboard']));
  });

  it('refuses what is not a recording, and leaves nothing behind', async () => {
    const c = await started();
    const others: Array<[string, Buffer]> = [
      ['notes.vnc.gz', Buffer.from('just some text, long enough to be more than a header\n'.repeat(50))],
      ['other.vnc.gz', zlib.gzipSync(Buffer.from('{"not":"a recording header"}\n'))],
      ['cut.vnc.gz', recording.subarray(0, 10)],
      ['empty.vnc.gz', Buffer.alloc(0)],
    ];
    for (const [i, [name, bytes]] of others.entries()) {
      const error = await c.refused('importRecording', { upload: `x${i}`, name, offset: 0, data: bytes.toString('base64'), last: true });
      expect(error, name).toMatchObject({ code: 'failed', message: expect.stringMatching(new RegExp(`^"${name.replaceAll('.', '\\.')}" is not a recording: `)) });
    }
    expect(tree(c.root)).toEqual(['recordings']);
    expect(c.control.recordings.imports.active).toBe(0);
  });

  it('checks offsets, sizes and ids, and drops an upload whose chunk was refused', async () => {
    const c = await started();
    const piece = (offset: number, n: number) => recording.subarray(offset, offset + n).toString('base64');
    await c.call('importRecording', { upload: 'o', name: 'o.vnc.gz', offset: 0, data: piece(0, 100), last: false });
    // A chunk that skips ahead (or goes back) is refused, and the upload ends with it.
    const skip = await c.refused('importRecording', { upload: 'o', name: 'o.vnc.gz', offset: 200, data: piece(200, 100), last: false });
    expect(skip).toMatchObject({ code: 'invalid-params', message: expect.stringMatching(/out of order.*100 bytes received.*dropped/) });
    expect((await c.refused('importRecording', { upload: 'o', name: 'o.vnc.gz', offset: 100, data: piece(100, 100), last: false }))?.message).toMatch(/no upload o in progress/);
    // Not at the start of an upload nobody began.
    expect((await c.refused('importRecording', { upload: 'never', name: 'n.vnc.gz', offset: 5, data: piece(0, 5), last: true }))?.code).toBe('invalid-params');
    // Params the schema refuses: chunks over 1 MiB, not base64, bad ids, offsets past the limit.
    const big = Buffer.alloc(1024 * 1024 + 3).toString('base64');
    for (const params of [
      { upload: 'b', name: 'b.vnc.gz', offset: 0, data: big, last: true },
      { upload: 'b', name: 'b.vnc.gz', offset: 0, data: 'not base64!', last: true },
      { upload: '../b', name: 'b.vnc.gz', offset: 0, data: '', last: true },
      { upload: 'b', name: 'b.vnc.gz', offset: 2 * 1024 ** 3 + 1, data: '', last: true },
      { upload: 'b', name: '', offset: 0, data: '', last: true },
      { upload: 'b', name: 'b.vnc.gz', offset: 0, data: '', last: true, path: '/tmp/x' },
    ]) {
      expect((await c.refused('importRecording', params))?.code, JSON.stringify(params).slice(0, 80)).toBe('invalid-params');
    }
    await waitFor('the dropped upload to be removed', () => tree(c.root).length === 1);
    expect(tree(c.root)).toEqual(['recordings']);
  });

  it('refuses a file over the size limit as it arrives, before writing past it', async () => {
    const c = await started();
    // A limit of 1000 bytes, on a service of its own (the real one is 2 GiB).
    const { RecordingImports } = await import('../../../src/main/app/recording-import.js');
    const imports = new RecordingImports({ dir: () => c.dir, problem: async () => null, item: async () => ({}) as RecordingListItem, log: c.control.log, maxBytes: 1000 });
    const owner = {};
    const chunk = (offset: number, n: number, last = false) => imports.chunk(owner, { upload: 's', name: 's.vnc.gz', offset, data: Buffer.alloc(n, 7).toString('base64'), last });
    expect((await chunk(0, 600)).received).toBe(600);
    await expect(chunk(600, 600)).rejects.toMatchObject({ code: 'invalid-params', message: expect.stringMatching(/too big to import \(at most 1000 bytes\)/) });
    await waitFor('the partial file to be removed', () => readdirSync(c.dir).length === 0);
    expect(imports.active).toBe(0);
  });

  it('names files safely inside the folder, whatever they were called, and never replaces one', async () => {
    const c = await started();
    const outside = join(c.root, 'x.vnc.gz');
    writeFileSync(outside, 'mine');
    const names: Array<[string, string]> = [
      ['../x.vnc.gz', 'x.vnc.gz'],
      ['a/b.vnc.gz', 'b.vnc.gz'],
      ['.x.vnc.gz', 'x-2.vnc.gz'], // hidden no more; x.vnc.gz is taken by now
      ['..', 'recording.vnc.gz'],
      ['C:\\Users\\me\\..\\evil.vnc.gz', 'evil.vnc.gz'],
      ['/etc/passwd', 'passwd.vnc.gz'],
      ['a..b .vnc.gz', 'a.b.vnc.gz'],
      ['x.vnc.gz\u0000.txt', 'x.vnc.gz-.txt.vnc.gz'],
    ];
    for (const [i, [from, to]] of names.entries()) {
      const { item } = await upload(c, pyvnc, from, 4096, `n${i}`);
      expect(item?.name, from).toBe(to);
    }
    expect(readFileSync(outside, 'utf8')).toBe('mine');
    expect(tree(c.root)).toEqual(['recordings', ...names.map(([, to]) => join('recordings', to)).sort(), 'x.vnc.gz'].sort());

    // An existing name gets the next free number; the file there stays as it was.
    writeFileSync(join(c.dir, 'taken.vnc.gz'), 'already here');
    writeFileSync(join(c.dir, 'taken-2.vnc.gz'), 'and here');
    expect((await upload(c, recording, 'taken.vnc.gz', 50_000, 't')).item?.name).toBe('taken-3.vnc.gz');
    expect(readFileSync(join(c.dir, 'taken.vnc.gz'), 'utf8')).toBe('already here');
    expect(readFileSync(join(c.dir, 'taken-2.vnc.gz'), 'utf8')).toBe('and here');
    expect(readFileSync(join(c.dir, 'taken-3.vnc.gz')).equals(recording)).toBe(true);
  });

  it('drops an upload left unfinished: after a while without chunks, or when its connection closes', async () => {
    const c = await started({ importIdleMs: 200 });
    await c.call('importRecording', { upload: 'idle', name: 'i.vnc.gz', offset: 0, data: recording.subarray(0, 1000).toString('base64'), last: false });
    expect(readdirSync(c.dir)).toEqual([expect.stringMatching(/^\.import-[\w-]+\.part$/)]);
    expect((await c.call<RecordingListItem[]>('listRecordings'))).toEqual([]); // the partial file is not listed
    await waitFor('the idle upload to be dropped', () => readdirSync(c.dir).length === 0, 3000);
    expect((await c.refused('importRecording', { upload: 'idle', name: 'i.vnc.gz', offset: 1000, data: '', last: true }))?.message).toMatch(/no upload idle in progress/);

    // A second peer's upload ends with its connection; the first peer's goes on.
    const other = caller(c.control.openConnection(() => undefined, 'another test'));
    await other.call('importRecording', { upload: 'gone', name: 'g.vnc.gz', offset: 0, data: recording.subarray(0, 1000).toString('base64'), last: false });
    await c.call('importRecording', { upload: 'kept', name: 'k.vnc.gz', offset: 0, data: recording.subarray(0, 1000).toString('base64'), last: false });
    expect(readdirSync(c.dir)).toHaveLength(2);
    other.conn.close();
    await waitFor('the closed peer\u2019s upload to be removed', () => readdirSync(c.dir).length === 1, 3000);
    const done = await c.call<RecordingImportResult>('importRecording', { upload: 'kept', name: 'k.vnc.gz', offset: 1000, data: recording.subarray(1000).toString('base64'), last: true });
    expect(done.item?.name).toBe('k.vnc.gz');
    expect(readdirSync(c.dir)).toEqual(['k.vnc.gz']);
    expect(c.control.recordings.imports.active).toBe(0);
  });

  it('removes what uploads of a killed server left behind, but not a file being uploaded now', async () => {
    const c = await started({ importIdleMs: 200 });
    mkdirSync(c.dir, { recursive: true });
    const stale = join(c.dir, '.import-leftover.part');
    writeFileSync(stale, 'half a file');
    const old = new Date(Date.now() - 60_000);
    utimesSync(stale, old, old);
    const fresh = join(c.dir, '.import-fresh.part'); // someone else's, still being written
    writeFileSync(fresh, 'more');
    await c.call('importRecording', { upload: 'u', name: 'u.vnc.gz', offset: 0, data: recording.toString('base64'), last: true });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(readdirSync(c.dir).sort()).toEqual(['.import-fresh.part', 'u.vnc.gz']);
  });

  it('makes names the list accepts', () => {
    expect(importName('session.vnc.gz')).toBe('session.vnc.gz');
    expect(importName('Session.VNC.GZ')).toBe('Session.vnc.gz');
    expect(importName('capture.gz')).toBe('capture.vnc.gz');
    expect(importName('Sitzung März 2026.vnc.gz')).toBe('Sitzung-M-rz-2026.vnc.gz');
    expect(importName('-rf.vnc.gz')).toBe('rf.vnc.gz');
    expect(importName('...')).toBe('recording.vnc.gz');
    expect(importName('x'.repeat(300)).length).toBe(120 + '.vnc.gz'.length);
    // Whatever comes in — separators, dots, control and non-ASCII characters — a plain name of the folder comes out.
    const alphabet = ['a', 'Z', '7', '.', '..', '/', '\\', '-', '_', ' ', '\u0000', 'é', '😀', '.vnc.gz', '.gz', ':', '~', '$'];
    let seed = 1;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 3000; i++) {
      const name = Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]).join('');
      for (const made of [importName(name), numberedName(importName(name), 1000)]) {
        expect(made, JSON.stringify(name)).toMatch(/^[A-Za-z0-9][\w.-]{0,200}\.vnc\.gz$/);
        expect(made.includes('..'), JSON.stringify(name)).toBe(false);
      }
    }
    expect(numberedName('a.vnc.gz', 1)).toBe('a.vnc.gz');
    expect(numberedName('a.vnc.gz', 12)).toBe('a-12.vnc.gz');
  });
});
