import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/main/app/config.js';
import { VncService } from '../../../src/main/app/vnc-service.js';
import type { ControlReply, WireEvent } from '../../../src/shared/control-contract.js';
import type { RecordingDetails, RecordingListItem, RecordingSegment, RecordingStatusInfo } from '../../../src/shared/recording-contract.js';
import { NoVncClient } from '../../support/novnc-decoder.js';
import { PYVNC_EXPECTED, writePyVncRecording } from '../../support/pyvnc-fixtures.js';
import { TestViewer } from '../../support/test-viewer.js';
import { waitFor } from '../../support/wait.js';

let service: VncService | null = null;
const dirs: string[] = [];

afterEach(async () => {
  await service?.stop();
  service = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function started(config: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'trayvnc-control-rec-'));
  dirs.push(dir);
  service = await VncService.create(parseConfig({ source: 'synthetic', width: 160, height: 96, port: 0, host: '127.0.0.1', record_dir: dir, ...config }));
  const port = (await service.start()).port;
  const events: WireEvent[] = [];
  const conn = service.control!.openConnection((m) => events.push(m), 'a test');
  const call = async <T>(method: string, params?: unknown): Promise<T> => {
    const reply: ControlReply = await conn.call(method, params);
    if ('error' in reply) throw new Error(`${reply.error.code}: ${reply.error.message}`);
    return reply.result as T;
  };
  const refused = async (method: string, params?: unknown) => {
    const reply = await conn.call(method, params);
    return 'error' in reply ? reply.error : null;
  };
  return { dir, port, call, refused, events };
}

describe('recordings through the control API', () => {
  it('starts and stops a recording, lists it, shows its timeline, and serves its segments for the player', async () => {
    const { dir, port, call, events } = await started({ record_mode: 'manual' });
    await call('subscribe', { event: 'recording' });
    const status = await call<RecordingStatusInfo>('startRecording');
    expect(status).toMatchObject({ mode: 'manual', keys: false, clipboardText: false });
    expect(status.active?.name).toMatch(/^trayvnc-\d{8}-\d{6}\.vnc\.gz$/);
    expect((await call<{ recording: RecordingStatusInfo }>('getState')).recording?.active?.name).toBe(status.active!.name);
    const v = await TestViewer.connect(port);
    v.setEncodings([0]);
    v.request(false);
    await v.nextUpdate();
    v.pointer(5, 6, 0);
    v.close();
    await new Promise((r) => setTimeout(r, 300));
    const stopped = await call<RecordingStatusInfo>('stopRecording');
    expect(stopped.active).toBeNull();
    expect(events.filter((e) => e.event === 'recording')).toHaveLength(2); // started, stopped

    const list = await call<RecordingListItem[]>('listRecordings');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ name: status.active!.name, kind: 'trayvnc', complete: true, live: false, width: 160, height: 96, viewers: 1 });
    expect(readdirSync(dir)).toEqual([status.active!.name]);

    const details = await call<RecordingDetails>('getRecordingInfo', { name: status.active!.name });
    expect(details.keyframes[0]).toBeLessThan(1000); // the first picture comes as the recording starts
    expect(details.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['connect', 'disconnect']));
    expect(details.timeline.find((e) => e.kind === 'connect')!.label).toMatch(/^127\.0\.0\.1:\d+ joined$/);
    expect(details.activity.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    // The first segment starts with a keyframe noVNC decodes to the synthetic desktop's size.
    const seg = await call<RecordingSegment>('readRecordingSegment', { name: status.active!.name, index: 0 });
    expect(seg.records[0]).toMatchObject({ type: 'keyframe', width: 160, height: 96, t: details.keyframes[0] });
    const client = await NoVncClient.create(160, 96);
    for (const r of seg.records) {
      const bytes = Buffer.from(r.data, 'base64');
      client.decodeRects(bytes.subarray(4), bytes.readUInt16BE(2));
    }
    expect(client.display.rgba.some((b, i) => i % 4 !== 3 && b !== 0)).toBe(true); // a picture, not an empty canvas

    await call('deleteRecording', { name: status.active!.name });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reaches nothing outside the recordings folder', async () => {
    const { dir, refused } = await started({ record_mode: 'manual' });
    writeFileSync(join(dir, '..', 'outside.vnc.gz'), 'not yours');
    try {
      for (const name of ['../outside.vnc.gz', '/etc/passwd', 'a/b.vnc.gz', '..\\outside.vnc.gz', '.hidden.vnc.gz', 'x.vnc.gz\u0000.txt', 'notes.txt', '']) {
        for (const method of ['getRecordingInfo', 'readRecordingSegment', 'deleteRecording']) {
          const error = await refused(method, method === 'readRecordingSegment' ? { name, index: 0 } : { name });
          expect(error?.code, `${method} ${JSON.stringify(name)}`).toBe('invalid-params');
        }
      }
    } finally {
      rmSync(join(dir, '..', 'outside.vnc.gz'), { force: true });
    }
    expect((await refused('getRecordingInfo', { name: 'trayvnc-20200101-000000.vnc.gz' }))?.code).toBe('not-found');
  });

  it("lists PyVNCServer's recordings as timelines without pictures", async () => {
    const { dir, call } = await started({ record_mode: 'manual' });
    writePyVncRecording(join(dir, 'session.vnc.gz'), { footer: true });
    const [item] = await call<RecordingListItem[]>('listRecordings');
    expect(item).toMatchObject({ name: 'session.vnc.gz', kind: 'pyvncserver', complete: true, durationMs: PYVNC_EXPECTED.durationMs, width: 1024, height: 768 });
    const details = await call<RecordingDetails>('getRecordingInfo', { name: 'session.vnc.gz' });
    expect(details.keyframes).toEqual([]);
    expect(details.timeline.map((e) => [e.t, e.kind])).toEqual(
      expect.arrayContaining([
        [2000, 'keys'],
        [3000, 'clipboard'],
        [3500, 'clipboard'],
      ]),
    );
    expect(details.activity.reduce((a, b) => a + b, 0)).toBe(PYVNC_EXPECTED.changes.updates + PYVNC_EXPECTED.input.pointer + PYVNC_EXPECTED.input.keys);
  });

  it('while-viewed records on its own, and the file being written cannot be deleted', async () => {
    const { port, call, refused } = await started({});
    const v = await TestViewer.connect(port);
    await waitFor('a recording', async () => (await call<RecordingStatusInfo>('getRecordingStatus')).active !== null);
    const { active } = await call<RecordingStatusInfo>('getRecordingStatus');
    expect((await refused('deleteRecording', { name: active!.name }))?.message).toMatch(/being recorded/);
    const live = await call<RecordingListItem[]>('listRecordings');
    expect(live[0]).toMatchObject({ name: active!.name, live: true, complete: false });
    v.close();
    await waitFor('the recording to finish', async () => (await call<RecordingStatusInfo>('getRecordingStatus')).active === null);
  });
});
