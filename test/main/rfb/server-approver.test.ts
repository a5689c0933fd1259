import { afterEach, describe, expect, it } from 'vitest';
import { createFrame } from '../../../src/main/framebuffer/frame.js';
import { RfbServer, type ApprovalRequest, type RfbServerOptions } from '../../../src/main/rfb/server.js';
import { handshake38, type HandshakeOutcome } from '../../support/rfb-handshake.js';
import { waitFor } from '../../support/wait.js';
import type { WireSocket } from '../../support/wire-socket.js';

/**
 * The server's side of attended access (RfbServer.approver), over loopback:
 * what the approver is told, that the handshake's clock waits for it, that a
 * viewer leaving ends its wait, and that a place taken meanwhile still counts.
 */

const servers: RfbServer[] = [];
const sockets: WireSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close();
});

async function serve(opts: Partial<RfbServerOptions> = {}): Promise<{ server: RfbServer; port: number }> {
  const server = new RfbServer({ password: null, handshakeTimeoutMs: 300, ...opts });
  servers.push(server);
  server.setFrame(createFrame(16, 12));
  return { server, port: (await server.listen(0, '127.0.0.1')).port };
}

/** An approver that holds every request until the test answers it. */
function heldApprover(server: RfbServer): ApprovalRequest[] & { answers: Array<(ok: boolean) => void> } {
  const asked = Object.assign([] as ApprovalRequest[], { answers: [] as Array<(ok: boolean) => void> });
  server.approver = (request) =>
    new Promise((resolve) => {
      asked.push(request);
      asked.answers.push((ok) => resolve(ok ? { ok: true, access: request.access } : { ok: false, reason: 'no' }));
    });
  return asked;
}

function connect(port: number, from?: string): { outcome: Promise<HandshakeOutcome>; socket: () => WireSocket | null } {
  let sock: WireSocket | null = null;
  const outcome = handshake38(port, { resultTimeoutMs: 5000, ...(from ? { from } : {}), onSocket: (s) => sockets.push((sock = s)) });
  return { outcome, socket: () => sock };
}

describe('RfbServer.approver', () => {
  it('is told the security type and access, and the handshake timeout does not run while it decides', async () => {
    const { server, port } = await serve();
    const asked = heldApprover(server);
    const c = connect(port);
    await waitFor('the approver to be asked', () => asked.length === 1);
    expect(asked[0]!.securityType.name).toBe('none');
    expect(asked[0]!.access).toBe('full');
    expect(asked[0]!.session.securityType).toBe('none');
    // Three handshake timeouts long.
    await new Promise((r) => setTimeout(r, 900));
    asked.answers[0]!(true);
    expect((await c.outcome).ok).toBe(true);
    expect(server.clients).toHaveLength(1);
  });

  it('aborts the request’s signal when the viewer leaves while it waits', async () => {
    const { server, port } = await serve();
    const asked = heldApprover(server);
    const c = connect(port);
    const ended = c.outcome.catch(() => null);
    await waitFor('the approver to be asked', () => asked.length === 1);
    expect(asked[0]!.signal.aborted).toBe(false);
    c.socket()!.destroy();
    await waitFor('the signal', () => asked[0]!.signal.aborted);
    expect(await ended).toBeNull();
  });

  it('refuses an approved viewer whose place another took while it waited (max_connections)', async () => {
    const { server, port } = await serve({ maxConnections: 1 });
    const asked = heldApprover(server);
    const first = connect(port, '127.0.0.2');
    const second = connect(port, '127.0.0.3');
    await waitFor('both to be asked', () => asked.length === 2);
    asked.answers[1]!(true);
    expect((await second.outcome).ok).toBe(true);
    asked.answers[0]!(true);
    expect(await first.outcome).toMatchObject({ ok: false, reason: 'too many connections (max_connections is 1)' });
  });
});
