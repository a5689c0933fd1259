import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingReader, type RecordingInfo } from '../../src/main/recording/reader.js';
import { diffFrames } from '../support/desktop-image.js';
import { followRfbStream, readFbs } from '../support/fbs-reader.js';
import { makeLiveRecording, type LiveRecording } from '../support/live-recording.js';
import { PYVNC_EXPECTED, PYVNC_HEADER, writePyVncRecording } from '../support/pyvnc-fixtures.js';
import { tempDir, walkGzipMembers } from '../support/recording-fixtures.js';

/** `trayvnc recording …` as built (dist/), as a user runs it; each run is bounded to 20 s. */
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'main', 'cli.js');

function trayvnc(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // TZ: the dates printed are local time, and the expected ones are UTC.
    execFile(process.execPath, [CLI, 'recording', ...args], { timeout: 20_000, env: { ...process.env, TZ: 'UTC', DISPLAY: '' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** "mm:ss" of a time, worked out here: whole seconds, rounded down. */
const mmss = (ms: number) => `${String(Math.floor(ms / 60_000)).padStart(2, '0')}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`;

/** A failure is one line on stderr, naming the file, and no stack trace. */
function expectOneLineError(r: { stderr: string }, ...parts: string[]): void {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^trayvnc: /);
  for (const p of parts) expect(lines[0]).toContain(p);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

async function infoOf(path: string): Promise<RecordingInfo> {
  const reader = await RecordingReader.open(path);
  try {
    return reader.info();
  } finally {
    await reader.close();
  }
}

const tmp = tempDir('trayvnc-cli-rec-');
const dir = tmp.path('recordings');
let live: LiveRecording;
let complete: string;
let cut: string;
let cutInfo: RecordingInfo;

beforeAll(async () => {
  mkdirSync(dir);
  complete = join(dir, 'trayvnc-20261206-215800.vnc.gz');
  live = await makeLiveRecording(complete);
  // The file as the server left it when killed: everything before the index member.
  const whole = readFileSync(complete);
  cut = join(dir, 'trayvnc-20261206-215800-cut.vnc.gz');
  writeFileSync(cut, whole.subarray(0, walkGzipMembers(whole).at(-1)!.offset - 3));
  cutInfo = await infoOf(cut);
}, 60_000);

afterAll(() => tmp.remove());

describe('trayvnc recording info', () => {
  it('sums up a complete recording for a person, and as JSON', async () => {
    const r = await trayvnc('info', complete);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^trayvnc-20261206-215800\.vnc\.gz: a TrayVNC recording, complete$/m);
    expect(out).toMatch(/^duration\s+01:05$/m);
    expect(out).toMatch(/^status\s+complete \(test over\)$/m);
    expect(out).toMatch(/^started\s+2026-12-06 21:58:00 by TrayVNC test on testhost$/m);
    expect(out).toMatch(/^desktop\s+96x64 "live desktop", resized 1 time$/m);
    const info = await infoOf(complete);
    expect(out).toMatch(new RegExp(`^file size\\s+${(info.bytes / 1024).toFixed(1)} KiB$`, 'm'));
    expect(out).toMatch(new RegExp(`^updates\\s+${info.updates}$`, 'm'));
    expect(out).toMatch(/^keyframes\s+2$/m);
    expect(out).toMatch(/^viewers\s+1$/m);
    const v = info.viewers[0]!;
    expect(out).toContain(`${v.address} [${v.client}]: 1 connect, pointer 3, keys 0, clipboard 1`);
    expect(out).toMatch(/^clipboard\s+1 transfer \(1 from viewers, 0 to viewers\)$/m);
    expect(out).toMatch(/^events\s+pointer 3, clipboard 1, connect 1, resize 1$/m);
    expect(out).toMatch(/^recorded\s+keys no, clipboard text no/m);

    const json = await trayvnc('info', '--json', complete);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(info)));
  });

  it('says a file cut short is truncated at mm:ss, and exits 0', async () => {
    expect(cutInfo.complete).toBe(false);
    const r = await trayvnc('info', cut);
    expect(r.code, r.stderr).toBe(0);
    expect(cutInfo.truncatedAtMs).toBe(42_000); // the last update, at the fake clock's 0:42
    expect(r.stdout).toMatch(/^trayvnc-20261206-215800-cut\.vnc\.gz: a TrayVNC recording, truncated at 00:42$/m);
    expect(r.stdout).toMatch(new RegExp(`^status\\s+truncated at ${mmss(cutInfo.truncatedAtMs!)}: the file was cut short`, 'm'));
    const json = JSON.parse((await trayvnc('info', '--json', cut)).stdout) as RecordingInfo;
    expect(json).toMatchObject({ complete: false, truncatedAtMs: 42_000, endReason: null });
  });

  it('exits 1 with one line for a file that is missing, not a recording, or a folder', async () => {
    const junk = tmp.path('notes.vnc.gz');
    writeFileSync(junk, 'not a recording at all\n');
    expectOneLineError(await trayvnc('info', junk), junk, 'is not a recording');
    expect((await trayvnc('info', junk)).code).toBe(1);
    const empty = tmp.path('empty.vnc.gz');
    writeFileSync(empty, '');
    expectOneLineError(await trayvnc('info', empty), 'the file is empty');
    const missing = await trayvnc('info', tmp.path('missing.vnc.gz'));
    expect(missing.code).toBe(1);
    expectOneLineError(missing, 'missing.vnc.gz', 'there is no such file');
    const folder = await trayvnc('info', dir);
    expect(folder.code).toBe(1);
    expectOneLineError(folder, 'that is a folder');
  });

  it('sums up a PyVNCServer recording and says plainly that it holds no pictures', async () => {
    const py = tmp.path('py-complete.vnc.gz');
    writePyVncRecording(py, { footer: true });
    const r = await trayvnc('info', py);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('This is a PyVNCServer recording: it holds no pictures, only a timeline (changed areas, input, clipboard)');
    expect(r.stdout).toMatch(/^py-complete\.vnc\.gz: a PyVNCServer recording \(session 20261207_093000\), complete$/m);
    expect(r.stdout).toMatch(/^duration\s+00:08$/m);
    expect(r.stdout).toMatch(/^desktop\s+1024x768 "office pc"$/m);
    expect(r.stdout).toMatch(/^events\s+15$/m);
    expect(r.stdout).toContain('POINTER_EVENT 4, FRAMEBUFFER_UPDATE 3, KEY_EVENT 2, AUTH 1, CLIENT_CUT_TEXT 1, ERROR 1, HANDSHAKE 1, INIT 1, SERVER_CUT_TEXT 1');
    expect(r.stdout).toMatch(/^input\s+pointer 4 \(1 click\), keys 2 \(1 pressed\)$/m);
    expect(r.stdout).toMatch(/^clipboard\s+1 from the viewer, 1 to the viewer, 17 bytes$/m);
    expect(r.stdout).toMatch(new RegExp(`^changed\\s+3 updates, 4 rectangles, ${PYVNC_EXPECTED.changes.pixels} pixels \\(1\\.0 screens' worth\\), 3\\.0 MiB encoded$`, 'm'));
    // Clipboard text stays out of the summary, as TrayVNC's own recordings keep it out by default.
    expect(r.stdout).not.toContain('copied');

    const open = tmp.path('py-open.vnc.gz');
    writePyVncRecording(open, { footer: false });
    const t = await trayvnc('info', open);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^py-open\.vnc\.gz: a PyVNCServer recording \(session 20261207_093000\), truncated at 00:07$/m);
    expect(t.stdout).toMatch(/^status\s+truncated at 00:07: there is no footer line/m);
    const json = JSON.parse((await trayvnc('info', '--json', open)).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ kind: 'pyvncserver', complete: false, truncatedAtMs: 7250, events: PYVNC_EXPECTED.events });
  });
});

describe('trayvnc recording list', () => {
  it('lists the recordings of a folder newest first, and files that are not recordings as such', async () => {
    const listed = tmp.path('listed');
    mkdirSync(listed);
    const copy = (from: string, name: string) => writeFileSync(join(listed, name), readFileSync(from));
    copy(complete, 'b-complete.vnc.gz');
    copy(cut, 'a-cut.vnc.gz');
    // A later PyVNCServer session, and a file that is no recording (dated, by its mtime, before both).
    const py = writePyVncRecording(tmp.path('py-for-list.vnc.gz'), { footer: true });
    writeFileSync(join(listed, 'pyvnc.vnc.gz'), py);
    writeFileSync(join(listed, 'broken.vnc.gz'), 'nothing');
    utimesSync(join(listed, 'broken.vnc.gz'), new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
    writeFileSync(join(listed, 'readme.txt'), 'not a .vnc.gz: not listed');

    const r = await trayvnc('list', listed);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^DATE\s+LENGTH\s+SIZE\s+VIEWERS\s+STATUS\s+FILE$/);
    expect(rows.slice(1).map((row) => row.split(/\s{2,}/).at(-1))).toEqual([
      'pyvnc.vnc.gz (PyVNCServer: a timeline, no pictures)',
      'a-cut.vnc.gz',
      'b-complete.vnc.gz',
      'broken.vnc.gz',
    ]);
    expect(rows[1]).toMatch(/^2026-12-07 09:30:00\s+00:08\s+\d+ bytes\s+1\s+complete\s+pyvnc/);
    expect(rows[2]).toMatch(/^2026-12-06 21:58:00\s+00:42\s+[\d.]+ KiB\s+1\s+truncated at 00:42\s+a-cut/);
    expect(rows[3]).toMatch(/^2026-12-06 21:58:00\s+01:05\s+[\d.]+ KiB\s+1\s+complete\s+b-complete/);
    expect(rows[4]).toMatch(/^2020-01-01 00:00:00\s+-\s+7 bytes\s+-\s+not a recording\s+broken/);

    const json = JSON.parse((await trayvnc('list', '--json', listed)).stdout) as Array<Record<string, unknown>>;
    expect(json.map((row) => [row['file'], row['kind'], row['complete'], row['durationMs']])).toEqual([
      ['pyvnc.vnc.gz', 'pyvncserver', true, 8000],
      ['a-cut.vnc.gz', 'trayvnc', false, 42_000],
      ['b-complete.vnc.gz', 'trayvnc', true, 65_000],
      ['broken.vnc.gz', 'unknown', null, null],
    ]);
    expect(json[0]!['date']).toBe(new Date(PYVNC_HEADER.start_time).toISOString());

    const none = await trayvnc('list', tmp.path('listed-nothing-here'));
    expect(none.code).toBe(1);
    expectOneLineError(none, 'there is no such folder');
  });
});

describe('trayvnc recording export', () => {
  it("writes FBS that plays to the server's last picture, and never replaces a file without --force", async () => {
    const out = tmp.path('out.fbs');
    const r = await trayvnc('export', complete, '--to', 'fbs', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: FBS 001\\.001, 6 updates over 00:42,`, 'm'));
    const rfb = await followRfbStream(Buffer.concat(readFbs(readFileSync(out)).map((b) => b.data)));
    expect(diffFrames(rfb.frame, live.lastFrame).count).toBe(0);

    const again = await trayvnc('export', complete, '--to', 'fbs', out);
    expect(again.code).toBe(1);
    expectOneLineError(again, `${out} already exists`, '--force');
    const forced = await trayvnc('export', complete, '--to', 'fbs', out, '--force');
    expect(forced.code, forced.stderr).toBe(0);

    const fromCut = await trayvnc('export', cut, '--to', 'fbs', tmp.path('cut.fbs'));
    expect(fromCut.code, fromCut.stderr).toBe(0);
    expect(fromCut.stdout).toContain('the recording was cut short: exported up to 00:42');
  });

  it('refuses a PyVNCServer recording with the sentence that says why, and a wrong command line with exit 2', async () => {
    const py = tmp.path('py-export.vnc.gz');
    writePyVncRecording(py, { footer: true });
    const r = await trayvnc('export', py, '--to', 'fbs', tmp.path('py.fbs'));
    expect(r.code).toBe(1);
    expectOneLineError(r, 'This is a PyVNCServer recording: it holds no pictures, only a timeline (changed areas, input, clipboard)');
    expect(existsSync(tmp.path('py.fbs'))).toBe(false);

    for (const args of [['export', complete, tmp.path('x.fbs')], ['export', complete, '--to', 'mp4', tmp.path('x.fbs')], ['info'], ['info', complete, '--force'], ['frobnicate']]) {
      const bad = await trayvnc(...args);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr, args.join(' ')).toContain('trayvnc recording export FILE --to fbs OUT');
    }
    expect(existsSync(tmp.path('x.fbs'))).toBe(false);
  });
});
