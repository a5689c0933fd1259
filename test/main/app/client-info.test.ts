import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/main/app/config.js';
import { ControlService } from '../../../src/main/app/control-service.js';
import type { ScreenSource } from '../../../src/main/desktop/screen.js';
import { createFrame } from '../../../src/main/framebuffer/frame.js';
import { Encoding } from '../../../src/main/rfb/constants.js';
import { RfbServer } from '../../../src/main/rfb/server.js';
import { ContinuousViewer } from '../../support/continuous-viewer.js';
import { NoVncViewer } from '../../support/novnc-viewer.js';
import { waitFor } from '../../support/wait.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('a client as the control API lists it: its link', () => {
  it('shows the round trip, bandwidth, window and JPEG quality of a viewer that takes fences, and null for one that does not', async () => {
    const server = new RfbServer({ frameRate: 60, pacing: true });
    server.setFrame(createFrame(128, 96));
    const { port } = await server.listen(0, '127.0.0.1');
    cleanup.push(() => server.close());
    const control = new ControlService({
      server,
      config: parseConfig({ port }),
      source: { name: 'synthetic', width: 128, height: 96 } as ScreenSource,
      listening: null,
      password: null,
      websocket: null,
    });
    cleanup.push(() => control.close());

    const paced = await ContinuousViewer.connect(port, [Encoding.Tight, -32 + 6]);
    cleanup.push(() => paced.close());
    const plain = await NoVncViewer.connect({ port, encodings: [Encoding.ZRLE] });
    cleanup.push(() => plain.close());
    const infoOf = (id: string) => control.listClients().find((c) => c.id === id)!;
    const [pacedSession, plainSession] = [server.clients[0]!, server.clients[1]!];
    const link = await waitFor('the first fence reply', () => (infoOf(pacedSession.id).link?.rttMs != null ? infoOf(pacedSession.id).link : null));
    expect(link.baseRttMs).toBeGreaterThanOrEqual(0);
    expect(link.bandwidth).toBeGreaterThan(0);
    expect(link.windowBytes).toBeGreaterThanOrEqual(64 * 1024);
    expect(link.jpegQuality).toEqual({ scale: 'level', asked: 6, used: 6 });
    await plain.settle(1);
    expect(infoOf(plainSession.id).link).toBeNull();
  });
});
