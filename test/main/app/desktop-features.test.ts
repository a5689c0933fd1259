/**
 * Following the desktop's pointer for viewers that cannot draw the cursor:
 * the real X11 cursor backend on Xvfb, a real RFB server object (not
 * listening), DesktopFeatures between them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/main/app/config.js';
import { DesktopFeatures } from '../../../src/main/app/desktop-features.js';
import { openX11, type X11Connection } from '../../../src/main/desktop/x11/x11-connection.js';
import { X11Cursor } from '../../../src/main/desktop/x11/x11-cursor.js';
import { RfbServer } from '../../../src/main/rfb/server.js';
import { startXvfb, type XvfbHandle } from '../../support/xvfb.js';
import { waitFor } from '../../support/wait.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DesktopFeatures: the pointer position', () => {
  let xvfb: XvfbHandle;
  let other: X11Connection;
  let features: DesktopFeatures;
  const server = new RfbServer({ frameRate: 30 });
  let cursor: X11Cursor;
  let looks = 0;
  const told: Array<{ x: number; y: number }> = [];

  beforeAll(async () => {
    xvfb = await startXvfb({ width: 320, height: 240 });
    other = await openX11(xvfb.display, { shm: false });
    cursor = new X11Cursor({ display: xvfb.display });
    // Count the looks (each an X round trip) and what the server is told; both still do their work.
    const position = cursor.position.bind(cursor);
    cursor.position = () => (looks++, position());
    const setPointer = server.setPointer.bind(server);
    server.setPointer = (x, y) => (told.push({ x, y }), setPointer(x, y));
    features = new DesktopFeatures(server, { input: null, clipboard: null, cursor }, parseConfig({}), () => ({ x: 10, y: 20 }));
    await features.start();
  });

  afterAll(async () => {
    await features?.stop();
    await other?.close();
    await xvfb?.stop();
  });

  it('stops looking while the pointer is still, and looks at once when it moves', async () => {
    expect(cursor.reportsMotion).toBe(true);
    // Some looks in quick succession at first, then the pointer counts as still.
    await waitFor('a dozen looks', () => (looks >= 12 ? looks : undefined));
    await sleep(200);
    const still = looks;
    await sleep(1500);
    expect(looks).toBe(still);
    // A move: looked at at once, and the server told where it is (in the shared area's coordinates).
    other.client.WarpPointer(0, other.root, 0, 0, 0, 0, 70, 80);
    await other.sync();
    // Well before the 5 s safety-net look: the move event brought the look forward.
    await waitFor('the new position told to the server', () => told.find((p) => p.x === 60 && p.y === 60), 2000);
    expect(looks).toBeGreaterThan(still);
  });
});
