import { mkdirSync, writeFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { pyVncInfo } from '../../../src/main/recording/pyvnc-info.js';
import { MAX_LINE_BYTES, pyVncTimeline, readPyVncRecording, recordingKind, type PyVncEntry } from '../../../src/main/recording/pyvnc-recording.js';
import { PYVNC_EXPECTED, PYVNC_HEADER, pyVncText, writePyVncRecording } from '../../support/pyvnc-fixtures.js';
import { recordScript, script, tempDir } from '../../support/recording-fixtures.js';

const tmp = tempDir('trayvnc-pyvnc-');
afterAll(() => tmp.remove());

async function timeline(path: string): Promise<PyVncEntry[]> {
  const out: PyVncEntry[] = [];
  for await (const e of pyVncTimeline(path)) out.push(e);
  return out;
}

describe('recordingKind', () => {
  it("tells TrayVNC's, PyVNCServer's and anything else apart by content, whatever the name", async () => {
    const tray = tmp.path('tray.bin');
    await recordScript(tray, script({ durationMs: 300, stepMs: 100, keyframeEveryMs: 10_000 }));
    const py = tmp.path('py.bin');
    writePyVncRecording(py, { footer: true });
    const pyOpen = tmp.path('py-open.bin');
    writePyVncRecording(pyOpen, { footer: false });
    const others: Record<string, Buffer> = {
      'empty.vnc.gz': Buffer.alloc(0),
      'text.vnc.gz': Buffer.from('hello\n'),
      'gzip-text.vnc.gz': zlib.gzipSync('just some text\n'),
      // JSON lines, but the first is not PyVNCServer's header.
      'gzip-json.vnc.gz': zlib.gzipSync('{"version":"1.0","name":"x"}\n{"timestamp":1}\n'),
    };
    expect(await recordingKind(tray)).toBe('trayvnc');
    expect(await recordingKind(py)).toBe('pyvncserver');
    expect(await recordingKind(pyOpen)).toBe('pyvncserver');
    for (const [name, bytes] of Object.entries(others)) {
      writeFileSync(tmp.path(name), bytes);
      expect(await recordingKind(tmp.path(name)), name).toBe('unknown');
    }
    await expect(recordingKind(tmp.path('missing.vnc.gz'))).rejects.toThrow('there is no such file (ENOENT)');
    mkdirSync(tmp.path('folder.vnc.gz'));
    await expect(recordingKind(tmp.path('folder.vnc.gz'))).rejects.toThrow('EISDIR');
  });
});

describe('pyVncInfo', () => {
  it('sums up a finished recording: duration, events by type, input, clipboard and changed areas', async () => {
    const path = tmp.path('complete.vnc.gz');
    const bytes = writePyVncRecording(path, { footer: true });
    const info = await pyVncInfo(path);
    expect(info).toMatchObject({
      kind: 'pyvncserver',
      bytes: bytes.length,
      header: { version: '1.0', sessionId: PYVNC_HEADER.session_id, startTime: PYVNC_HEADER.start_time },
      complete: true,
      durationMs: PYVNC_EXPECTED.durationMs,
      truncatedAtMs: null,
      endTime: '2026-12-07T09:30:08.123456+00:00',
      eventCount: 15,
      footerEventCount: 15,
      events: PYVNC_EXPECTED.events,
      desktop: PYVNC_EXPECTED.desktop,
      input: PYVNC_EXPECTED.input,
      clipboard: PYVNC_EXPECTED.clipboard,
      changes: PYVNC_EXPECTED.changes,
      damagedLines: 0,
    });
  });

  it('calls a file without its footer truncated at its last event', async () => {
    const path = tmp.path('no-footer.vnc.gz');
    writePyVncRecording(path, { footer: false });
    const info = await pyVncInfo(path);
    expect(info.complete).toBe(false);
    expect(info.truncatedAtMs).toBe(PYVNC_EXPECTED.lastEventMs);
    expect(info.durationMs).toBe(PYVNC_EXPECTED.lastEventMs);
    expect(info.truncatedBecause).toMatch(/no footer/);
    expect(info.events).toEqual(PYVNC_EXPECTED.events);
  });

  it('reads a file whose gzip data stops mid-way up to where it stops, and says so', async () => {
    // Events enough that the deflate data holds some of them long before its end.
    const many = Array.from({ length: 4000 }, (_, i) =>
      JSON.stringify({ timestamp: 10 + i / 100, event_type: 'POINTER_EVENT', data: Buffer.from([0, i & 0xff, 0, 7, 0]).toString('hex'), metadata: {} }),
    );
    const whole = writePyVncRecording(tmp.path('many.vnc.gz'), { footer: true, extra: many });
    const path = tmp.path('cut.vnc.gz');
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length / 2)));
    const info = await pyVncInfo(path);
    expect(info.complete).toBe(false);
    expect(info.truncatedBecause).toBe('the gzip data ends early');
    expect(info.events['POINTER_EVENT']).toBeGreaterThan(100);
    expect(info.events['POINTER_EVENT']).toBeLessThan(4000);
    expect(info.truncatedAtMs).toBe(10_000 + Math.round(((info.events['POINTER_EVENT'] ?? 0) - 1) * 10));
  });

  it('skips lines that are not events, and a line too long to be one without holding it', async () => {
    const long = JSON.stringify({ timestamp: 0.1, event_type: 'CLIENT_CUT_TEXT', data: 'ab'.repeat(MAX_LINE_BYTES / 2 + 10), metadata: {} });
    const path = tmp.path('damaged.vnc.gz');
    writePyVncRecording(path, { footer: true, extra: ['not json at all', '[1, 2]', '{"what":"else"}', long] });
    const info = await pyVncInfo(path);
    expect(info.damagedLines).toBe(4);
    expect(info.eventCount).toBe(15);
    expect(info.complete).toBe(true);
    const items = [];
    for await (const item of readPyVncRecording(path)) if (item.type === 'damaged') items.push(item);
    expect(items.map((i) => i.line)).toEqual([5, 6, 7, 8]);
  });

  it('refuses a file that is not a PyVNCServer recording', async () => {
    const path = tmp.path('other.vnc.gz');
    writeFileSync(path, zlib.gzipSync('{"hello":"world"}\n'));
    await expect(pyVncInfo(path)).rejects.toThrow('is not a PyVNCServer recording');
    writeFileSync(path, 'plain text');
    await expect(pyVncInfo(path)).rejects.toThrow('is not a PyVNCServer recording');
  });
});

describe('pyVncTimeline', () => {
  it('gives every event in order with its meaning: changed areas, pointer, keys, clipboard text, errors', async () => {
    const path = tmp.path('timeline.vnc.gz');
    writePyVncRecording(path, { footer: true });
    const entries = await timeline(path);
    expect(entries.map((e) => e.t)).toEqual([1, 2, 3, 500, 1250, 1500, 1600, 1700, 2000, 2100, 2500, 3000, 3500, 4000, 7250]);
    expect(entries[0]).toEqual({ t: 1, kind: 'handshake', version: 'RFB 003.008' });
    expect(entries[1]).toEqual({ t: 2, kind: 'auth', authType: 2, success: true });
    expect(entries[2]).toEqual({ t: 3, kind: 'init', width: 1024, height: 768, name: 'office pc' });
    expect(entries[10]).toEqual({
      t: 2500,
      kind: 'update',
      rects: [
        { x: 10, y: 20, w: 30, h: 40 },
        { x: 500, y: 300, w: 16, h: 16 },
      ],
      area: 30 * 40 + 16 * 16,
      encoding: 5,
      bytes: 2000,
    });
    expect(entries[5]).toEqual({ t: 1500, kind: 'pointer', x: 100, y: 200, buttons: 1 });
    expect(entries[8]).toEqual({ t: 2000, kind: 'key', keysym: 0x61, down: true });
    expect(entries[11]).toEqual({ t: 3000, kind: 'clipboard', direction: 'from-viewer', bytes: 6, text: 'copied' });
    expect(entries[12]).toEqual({ t: 3500, kind: 'clipboard', direction: 'to-viewers', bytes: 11, text: 'from server' });
    expect(entries[13]).toEqual({ t: 4000, kind: 'error', message: 'lost a frame' });
  });

  it('stops reading where the caller stops', async () => {
    const path = tmp.path('early-stop.vnc.gz');
    writeFileSync(path, zlib.gzipSync(pyVncText({ footer: true })));
    const seen: PyVncEntry[] = [];
    for await (const e of pyVncTimeline(path)) {
      seen.push(e);
      if (seen.length === 2) break;
    }
    expect(seen.map((e) => e.kind)).toEqual(['handshake', 'auth']);
    // The file was closed: it reads again from the start.
    expect((await timeline(path)).length).toBe(15);
  });
});
