import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAcceptCommand } from '../../../src/main/app/accept-command.js';
import { parseConfig } from '../../../src/main/app/config.js';
import { VncService } from '../../../src/main/app/vnc-service.js';
import type { InputMessage } from '../../../src/main/rfb/session.js';
import { handshake38, pointerEvent } from '../../support/rfb-handshake.js';

/**
 * `--accept-command` over loopback: a small script written here decides by
 * the viewer's address (127.0.0.2 view-only, .3 refused, .4 hangs), which it
 * can only know from its environment; real viewers connect from those
 * addresses and hear the answer on the wire.
 */

const DIR = mkdtempSync(join(tmpdir(), 'trayvnc-accept-command-'));
const SCRIPT = join(DIR, 'decide.sh');
const AUDIT = join(DIR, 'audit.jsonl');
const TIMEOUT_S = 2;

writeFileSync(
  SCRIPT,
  `#!/bin/sh
env | grep -E '^TRAYVNC_(CLIENT_ADDRESS|CLIENT_PORT|SECURITY_TYPE|USER|ACCESS)=' | sort > "${DIR}/env-$TRAYVNC_CLIENT_PORT"
printf '%s' "$#" > "${DIR}/argc-$TRAYVNC_CLIENT_PORT"
case "$TRAYVNC_CLIENT_ADDRESS" in
  127.0.0.2) exit 1 ;;
  127.0.0.3) echo "not from there" >&2; exit 2 ;;
  127.0.0.4)
    echo $$ > "${DIR}/hang.pid"
    sleep 60 &
    echo $! > "${DIR}/sleep.pid"
    wait
    exit 0 ;;
esac
exit 0
`,
);

/** Whether a process is still alive (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('runAcceptCommand', () => {
  it('hands the viewer to the command in its environment only, shell syntax in a user name included', async () => {
    const out = join(DIR, 'direct-env');
    const user = `eve'; touch ${join(DIR, 'pwned')}; echo '`;
    const result = await runAcceptCommand(
      `env | grep -E '^TRAYVNC_(CLIENT_ADDRESS|CLIENT_PORT|SECURITY_TYPE|USER|ACCESS)=' | sort > '${out}'; exit 1`,
      { ip: '192.0.2.7', port: 40001, securityType: 'vnc', user, access: 'view-only' },
      5000,
    );
    expect(result).toEqual({ kind: 'exit', code: 1, output: '' });
    expect(readFileSync(out, 'utf8').trim().split('\n')).toEqual([
      'TRAYVNC_ACCESS=view-only',
      'TRAYVNC_CLIENT_ADDRESS=192.0.2.7',
      'TRAYVNC_CLIENT_PORT=40001',
      'TRAYVNC_SECURITY_TYPE=vnc',
      `TRAYVNC_USER=${user}`,
    ]);
    expect(existsSync(join(DIR, 'pwned'))).toBe(false);
  });

  it('does not pass on the dashboard token, nor a TRAYVNC_USER of its own when the viewer has none', async () => {
    const saved = { token: process.env['TRAYVNC_DASHBOARD_TOKEN'], user: process.env['TRAYVNC_USER'] };
    process.env['TRAYVNC_DASHBOARD_TOKEN'] = 'secret-token';
    process.env['TRAYVNC_USER'] = 'stale';
    try {
      const result = await runAcceptCommand(
        'test -z "$TRAYVNC_DASHBOARD_TOKEN" && test -z "${TRAYVNC_USER+set}"',
        { ip: '127.0.0.1', port: 1, securityType: 'none', user: null, access: 'full' },
        5000,
      );
      expect(result).toMatchObject({ kind: 'exit', code: 0 });
    } finally {
      for (const [k, v] of [['TRAYVNC_DASHBOARD_TOKEN', saved.token], ['TRAYVNC_USER', saved.user]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('--accept-command over loopback', () => {
  let service: VncService;
  let port: number;
  const inputs: Array<{ address: string; message: InputMessage }> = [];

  beforeAll(async () => {
    service = await VncService.create(
      parseConfig({
        source: 'synthetic',
        width: 64,
        height: 48,
        host: '127.0.0.1',
        port: 0,
        accept_command: `/bin/sh '${SCRIPT}'`,
        accept_timeout: TIMEOUT_S,
        audit_file: AUDIT,
      }),
    );
    port = (await service.start()).port;
    service.server.on('input', (s, message) => inputs.push({ address: s.address, message }));
  });

  afterAll(async () => {
    await service?.stop();
    rmSync(DIR, { recursive: true, force: true });
  });

  it('lets a viewer in with full control when the command exits 0', async () => {
    const v = await handshake38(port, { from: '127.0.0.1' });
    expect(v.ok).toBe(true);
    v.sock.write(pointerEvent(1, 5, 6));
    await expect.poll(() => inputs.some((i) => i.address.startsWith('127.0.0.1:'))).toBe(true);
    v.sock.destroy();
  });

  it('gives a view-only session when the command exits 1: the viewer gets in and its input is dropped', async () => {
    const v = await handshake38(port, { from: '127.0.0.2' });
    expect(v.ok).toBe(true);
    const local = `127.0.0.2:${v.sock.socket.localPort}`;
    const session = service.server.clients.find((c) => c.address === local);
    expect(session?.viewOnly).toBe(true);
    // The same input a full viewer's shows up from reaches nobody.
    v.sock.write(pointerEvent(1, 7, 8));
    // A full viewer's event after it arrives, so the view-only one has been read by then.
    const full = await handshake38(port, { from: '127.0.0.1' });
    expect(full.ok).toBe(true);
    full.sock.write(pointerEvent(0, 9, 9));
    await expect.poll(() => inputs.some((i) => i.message.type === 'pointer' && i.message.x === 9)).toBe(true);
    expect(inputs.filter((i) => i.address === local)).toEqual([]);
    // Its environment named it: address, port, security type, the access its credentials allow; no user.
    const env = readFileSync(join(DIR, `env-${v.sock.socket.localPort}`), 'utf8').trim().split('\n');
    expect(env).toEqual(['TRAYVNC_ACCESS=full', 'TRAYVNC_CLIENT_ADDRESS=127.0.0.2', `TRAYVNC_CLIENT_PORT=${v.sock.socket.localPort}`, 'TRAYVNC_SECURITY_TYPE=none']);
    // And the command line carried no arguments: the script got none.
    expect(readFileSync(join(DIR, `argc-${v.sock.socket.localPort}`), 'utf8')).toBe('0');
    v.sock.destroy();
    full.sock.destroy();
  });

  it('refuses a viewer with the reason on the wire (RFB 3.8) when the command exits 2', async () => {
    const v = await handshake38(port, { from: '127.0.0.3' });
    expect(v).toMatchObject({ ok: false, reason: 'The connection was refused by the accept command' });
    expect(await v.sock.waitClosed()).toHaveLength(0);
    expect(service.server.clients.some((c) => c.ip === '127.0.0.3')).toBe(false);
  });

  it('kills a command that hangs at the timeout, the process it started included, and gives the default answer', async () => {
    const started = Date.now();
    const v = await handshake38(port, { from: '127.0.0.4', resultTimeoutMs: 10_000 });
    const took = Date.now() - started;
    expect(v).toMatchObject({ ok: false, reason: `The connection was refused by the accept command: it did not answer in ${TIMEOUT_S} s` });
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_S * 1000 - 50);
    expect(took).toBeLessThan(TIMEOUT_S * 1000 + 3000);
    const shell = Number(readFileSync(join(DIR, 'hang.pid'), 'utf8'));
    const sleeper = Number(readFileSync(join(DIR, 'sleep.pid'), 'utf8'));
    await expect.poll(() => [alive(shell), alive(sleeper)], { timeout: 3000 }).toEqual([false, false]);
    v.sock.destroy();
  }, 20_000);

  it('writes who let each viewer in, and who kept each out, to the audit trail', async () => {
    await service.audit?.close();
    service.audit = null;
    const lines = readFileSync(AUDIT, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const connected = lines.filter((l) => l['event'] === 'connected');
    expect(connected.find((l) => l['ip'] === '127.0.0.2')).toMatchObject({ securityType: 'none', access: 'view-only', acceptedBy: 'command' });
    expect(connected.find((l) => l['ip'] === '127.0.0.1')).toMatchObject({ access: 'full', acceptedBy: 'command' });
    const refused = lines.filter((l) => l['event'] === 'refused');
    expect(refused.find((l) => l['ip'] === '127.0.0.3')).toMatchObject({ refusedBy: 'command', reason: 'The connection was refused by the accept command' });
    expect(refused.find((l) => l['ip'] === '127.0.0.4')).toMatchObject({ refusedBy: 'default', timedOut: 'command' });
  });
});
