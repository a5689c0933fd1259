import { describe, expect, it } from 'vitest';
import { ServerTimeProbe } from '../../../../src/main/desktop/x11/server-time.js';
import type { X11Connection } from '../../../../src/main/desktop/x11/x11-connection.js';

const WIN = 0x400001;
const PROP = 77;

/** A connection that only records ChangeProperty calls. */
function fakeConn(): { conn: X11Connection; appends: unknown[][] } {
  const appends: unknown[][] = [];
  const conn = { client: { ChangeProperty: (...args: unknown[]) => appends.push(args) } } as unknown as X11Connection;
  return { conn, appends };
}

describe('ServerTimeProbe', () => {
  it('appends nothing to its property and resolves every waiter with the time delivered', async () => {
    const probe = new ServerTimeProbe(WIN, PROP, 5000);
    const { conn, appends } = fakeConn();
    const a = probe.now(conn);
    const b = probe.now(conn);
    expect(appends).toHaveLength(2);
    const [mode, window, property, , format, data] = appends[0]!;
    expect([mode, window, property, format, (data as Buffer).length]).toEqual([2, WIN, PROP, 8, 0]); // append, zero bytes
    probe.deliver(123456);
    expect(await Promise.all([a, b])).toEqual([123456, 123456]);
    probe.deliver(999); // nobody waits any more: nothing happens
  });

  it('falls back to CurrentTime (0) on timeout and on cancel', async () => {
    const { conn } = fakeConn();
    expect(await new ServerTimeProbe(WIN, PROP, 20).now(conn)).toBe(0);
    const probe = new ServerTimeProbe(WIN, PROP, 5000);
    const waiting = probe.now(conn);
    probe.cancel();
    expect(await waiting).toBe(0);
  });
});
