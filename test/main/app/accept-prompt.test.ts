import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { PromptBroker } from '../../../src/main/app/accept-prompt.js';
import { parseConfig } from '../../../src/main/app/config.js';
import { VncService } from '../../../src/main/app/vnc-service.js';
import { ControlError, type ApprovalEvent, type PendingApproval } from '../../../src/shared/control-contract.js';
import { createControlClient, webSocketTransport, type ControlClient, type WebSocketConstructor } from '../../../src/renderer/api/control-client.js';
import { handshake38, type HandshakeOutcome } from '../../support/rfb-handshake.js';
import type { WireSocket } from '../../support/wire-socket.js';

describe('PromptBroker', () => {
  it('keeps several requests at once, each settled once: answered, timed out with the default, or left', async () => {
    const broker = new PromptBroker();
    const events: ApprovalEvent[] = [];
    broker.subscribe((e) => events.push(e));
    const what = { address: '10.0.0.1:1', securityType: 'vnc', user: null, access: 'full' as const };
    const left = new AbortController();
    const a = broker.ask(what, 5000, 'refuse');
    const b = broker.ask({ ...what, address: '10.0.0.2:2' }, 50, 'view-only');
    const c = broker.ask({ ...what, address: '10.0.0.3:3' }, 5000, 'refuse', left.signal);
    const listed = broker.list();
    expect(listed.map((r) => r.address)).toEqual(['10.0.0.1:1', '10.0.0.2:2', '10.0.0.3:3']);
    expect(listed[0]!.expiresAt - listed[0]!.askedAt).toBe(5000);
    expect(broker.answer(listed[0]!.id, 'accept', 'the dashboard')).toBe(true);
    expect(broker.answer(listed[0]!.id, 'refuse', 'the tray')).toBe(false);
    left.abort();
    expect(await a).toEqual({ answer: 'accept', by: 'person', origin: 'the dashboard' });
    expect(await b).toEqual({ answer: 'view-only', by: 'timeout' });
    expect(await c).toEqual({ answer: 'refuse', by: 'left' });
    expect(broker.list()).toEqual([]);
    expect(events.filter((e) => e.type === 'pending')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'settled').map((e) => e.type === 'settled' && e.by).sort()).toEqual(['left', 'person', 'timeout']);
  });
});

/** The accept prompt over loopback: real viewers wait, the control API (over WebSocket, as the dashboard uses it) answers. */
describe('the accept prompt over the control API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trayvnc-accept-prompt-'));
  let service: VncService;
  let port: number;
  let control: ControlClient;
  const events: ApprovalEvent[] = [];

  beforeAll(async () => {
    service = await VncService.create(
      parseConfig({
        source: 'synthetic',
        width: 64,
        height: 48,
        host: '127.0.0.1',
        port: 0,
        dashboard_port: 0,
        accept_prompt: true,
        accept_timeout: 30,
        // Shorter than the waits below: the handshake's clock must not run while a person decides.
        handshake_timeout: 1,
        audit_file: join(dir, 'audit.jsonl'),
      }),
    );
    port = (await service.start()).port;
    control = createControlClient(webSocketTransport(service.dashboard!.url, { WebSocket: WebSocket as unknown as WebSocketConstructor, timeoutMs: 5000 }));
    control.on('approval', (e) => events.push(e));
    // The subscription is in place once a call made after it is answered.
    await control.listApprovals();
  });

  afterAll(async () => {
    control?.close();
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Start a viewer and wait until its request is announced. */
  async function waiting(from: string): Promise<{ viewer: Promise<HandshakeOutcome>; request: PendingApproval }> {
    const seen = events.length;
    const viewer = handshake38(port, { from, resultTimeoutMs: 20_000 });
    await expect.poll(() => events.slice(seen).find((e) => e.type === 'pending' && e.request.address.startsWith(`${from}:`)), { timeout: 5000 }).toBeDefined();
    const e = events.slice(seen).find((x) => x.type === 'pending' && x.request.address.startsWith(`${from}:`));
    if (e?.type !== 'pending') throw new Error('no request');
    return { viewer, request: e.request };
  }

  it('announces each waiting viewer, lets in the one accepted and refuses the other with its reason', async () => {
    const first = await waiting('127.0.0.2');
    const second = await waiting('127.0.0.3');
    expect(first.request).toMatchObject({ securityType: 'none', user: null, access: 'full', defaultAnswer: 'refuse' });
    expect(first.request.expiresAt - first.request.askedAt).toBe(30_000);
    expect((await control.listApprovals()).map((r) => r.id)).toEqual([first.request.id, second.request.id]);
    // Longer than handshake_timeout: the viewers are still there.
    await new Promise((r) => setTimeout(r, 1500));

    expect(await control.answerApproval({ id: first.request.id, answer: 'accept' })).toEqual({ answered: 'accept' });
    await control.answerApproval({ id: second.request.id, answer: 'refuse' });
    const [a, b] = [await first.viewer, await second.viewer];
    expect(a.ok).toBe(true);
    expect(b).toMatchObject({ ok: false, reason: 'The connection was refused at the desktop' });
    const session = service.server.clients.find((c) => c.ip === '127.0.0.2');
    expect(session?.viewOnly).toBe(false);
    // Answered once: a second answer (another window) finds nothing to answer.
    await expect(control.answerApproval({ id: first.request.id, answer: 'refuse' })).rejects.toMatchObject({ code: 'not-found' });
    expect(await control.listApprovals()).toEqual([]);
    await expect.poll(() => events.filter((e) => e.type === 'settled' && e.by === 'person').length).toBe(2);
    a.sock.destroy();
    b.sock.destroy();
  }, 30_000);

  it('gives a view-only session when answered view-only', async () => {
    const w = await waiting('127.0.0.4');
    await control.answerApproval({ id: w.request.id, answer: 'view-only' });
    const v = await w.viewer;
    expect(v.ok).toBe(true);
    expect(service.server.clients.find((c) => c.ip === '127.0.0.4')?.viewOnly).toBe(true);
    v.sock.destroy();
  });

  it('applies the default answer when nobody answers, and says so to a refused viewer', async () => {
    await control.updateSettings({ accept_timeout: 1, accept_default: 'view-only' });
    const w = await waiting('127.0.0.5');
    expect(w.request.defaultAnswer).toBe('view-only');
    const v = await w.viewer;
    expect(v.ok).toBe(true);
    expect(service.server.clients.find((c) => c.ip === '127.0.0.5')?.viewOnly).toBe(true);
    v.sock.destroy();

    await control.updateSettings({ accept_default: 'refuse' });
    const r = await waiting('127.0.0.6');
    expect(await r.viewer).toMatchObject({ ok: false, reason: 'The connection was refused at the desktop: nobody answered in 1 s' });
    await control.updateSettings({ accept_timeout: 30 });
  }, 20_000);

  it('ends the wait when the viewer leaves, and tells the UIs', async () => {
    let sock: WireSocket | null = null;
    const seen = events.length;
    const viewer = handshake38(port, { from: '127.0.0.7', resultTimeoutMs: 20_000, onSocket: (s) => (sock = s) }).catch(() => null);
    await expect.poll(() => events.slice(seen).find((e) => e.type === 'pending'), { timeout: 5000 }).toBeDefined();
    const pending = events.slice(seen).find((e) => e.type === 'pending');
    if (pending?.type !== 'pending') throw new Error('no request');
    (sock as WireSocket | null)?.destroy();
    await viewer;
    await expect.poll(() => events.some((e) => e.type === 'settled' && e.id === pending.request.id && e.by === 'left')).toBe(true);
    expect(await control.listApprovals()).toEqual([]);
  });

  it('will not change the accept command or the audit trail through the control API', async () => {
    const e = await control.updateSettings({ accept_command: 'true' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ControlError);
    expect((e as ControlError).fieldErrors).toEqual({ accept_command: ['can be changed only in the config file or on the command line'] });
    await expect(control.updateSettings({ audit_log: false })).rejects.toMatchObject({ code: 'invalid-settings' });
    expect((await control.getSettings()).accept_command).toBeUndefined();
  });
});
