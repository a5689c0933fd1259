import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/main/app/config.js';
import { VncService } from '../../../src/main/app/vnc-service.js';
import { clientCutText, handshake38 } from '../../support/rfb-handshake.js';
import { waitFor } from '../../support/wait.js';
import { WireSocket } from '../../support/wire-socket.js';

/**
 * The audit trail read back from disk after real sessions over loopback: a
 * wrong password, a viewer that gets in, clipboard both ways, a control
 * change, a recording, a departure, an address blocked after repeated
 * failures — and neither the password nor any clipboard text in the file.
 */

const DIR = mkdtempSync(join(tmpdir(), 'trayvnc-audit-trail-'));
const AUDIT = join(DIR, 'state', 'audit.jsonl');
const PASSWORD = 'Sekrit12';
const VIEWER_TEXT = 'viewer clipboard SECRET-1';
const DESKTOP_TEXT = 'desktop clipboard SECRET-2';

type Line = Record<string, unknown> & { time: string; event: string };

describe('the audit trail after a session over loopback', () => {
  let service: VncService;
  let port: number;
  let lines: Line[] = [];
  let text = '';

  beforeAll(async () => {
    service = await VncService.create(
      parseConfig({
        source: 'synthetic',
        width: 64,
        height: 48,
        host: '127.0.0.1',
        port: 0,
        password: PASSWORD,
        record_dir: join(DIR, 'recordings'),
        record_mode: 'manual',
        audit_file: AUDIT,
      }),
    );
    port = (await service.start()).port;

    // A wrong password, then the right one.
    const wrong = await handshake38(port, { password: 'guessing' });
    expect(wrong.ok).toBe(false);
    wrong.sock.destroy();
    const v = await handshake38(port, { password: PASSWORD });
    if (!v.ok) throw new Error(v.reason);
    const session = service.server.clients[0]!;

    // Clipboard from the viewer, and from the desktop to the viewers.
    const heard = new Promise((r) => service.server.once('clipboard', r));
    v.sock.write(clientCutText(VIEWER_TEXT));
    await heard;
    service.server.broadcastClipboard(DESKTOP_TEXT);

    // Control taken away from the dashboard, a recording started and stopped.
    service.control!.setClientControl(session.id, false, 'the dashboard at 127.0.0.1:4000');
    await service.recordings!.start();
    await service.recordings!.stop();

    // The viewer leaves.
    v.sock.destroy();
    await waitFor('the viewer to be gone', () => service.server.clients.length === 0);

    // Another address fails until it is blocked, then tries twice more.
    for (let i = 0; i < 5; i++) {
      const bad = await handshake38(port, { from: '127.0.0.9', password: `wrong${i}` });
      bad.sock.destroy();
    }
    for (let i = 0; i < 2; i++) {
      const s = await WireSocket.connect(port, '127.0.0.1', '127.0.0.9');
      await s.waitClosed();
    }

    await service.stop();
    text = readFileSync(AUDIT, 'utf8');
    lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
  }, 30_000);

  afterAll(() => rmSync(DIR, { recursive: true, force: true }));

  const of = (event: string) => lines.filter((l) => l.event === event);

  it('dates every line and begins and ends with the service', () => {
    for (const l of lines) expect(Number.isNaN(Date.parse(l.time))).toBe(false);
    expect(lines[0]).toMatchObject({ event: 'started', address: `127.0.0.1:${port}` });
    expect(lines[lines.length - 1]!.event).toBe('stopped');
  });

  it('has each authentication with its result, and the connection with its security type, access and who let it in', () => {
    const auth = of('authentication').filter((l) => l['ip'] === '127.0.0.1');
    expect(auth.map((l) => l['ok'])).toEqual([false, true]);
    expect(auth[0]).toMatchObject({ securityType: 'vnc' });
    expect(of('connected')).toEqual([expect.objectContaining({ ip: '127.0.0.1', securityType: 'vnc', user: null, access: 'full', acceptedBy: 'auto' })]);
  });

  it('has the clipboard transfers by direction and size only', () => {
    expect(of('clipboard')).toEqual([
      expect.objectContaining({ direction: 'from-viewer', bytes: VIEWER_TEXT.length }),
      expect.objectContaining({ direction: 'to-viewers', viewers: 1, bytes: DESKTOP_TEXT.length }),
    ]);
  });

  it('has the control change with who made it, the recording, and why the viewer left', () => {
    expect(of('control')).toEqual([expect.objectContaining({ viewOnly: true, by: 'the dashboard at 127.0.0.1:4000' })]);
    const started = of('recording-started');
    expect(started).toHaveLength(1);
    expect(String(started[0]!['file'])).toMatch(/recordings\/trayvnc-\d{8}-\d{6}\.vnc\.gz$/);
    expect(of('recording-stopped')).toEqual([expect.objectContaining({ file: started[0]!['file'] })]);
    expect(of('disconnected')).toEqual([expect.objectContaining({ reason: 'client disconnected', session: of('connected')[0]!['session'] })]);
  });

  it('has the block once, and a refusal during it once (as the log says it)', () => {
    expect(of('blocked')).toEqual([expect.objectContaining({ address: '127.0.0.9', seconds: 10 })]);
    expect(of('refused').filter((l) => l['stage'] === 'admission')).toEqual([
      expect.objectContaining({ address: '127.0.0.9', reason: 'Too many security failures' }),
    ]);
    expect(of('authentication').filter((l) => l['ip'] === '127.0.0.9' && l['ok'] === false)).toHaveLength(5);
  });

  it('never holds the password or clipboard text', () => {
    expect(text).toContain('"event":"clipboard"');
    for (const secret of [PASSWORD, 'guessing', 'wrong0', VIEWER_TEXT, DESKTOP_TEXT, 'SECRET']) expect(text).not.toContain(secret);
  });
});
