import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createFrame } from '../../../src/main/framebuffer/frame.js';
import { RfbServer } from '../../../src/main/rfb/server.js';
import { configureLogging, getLogger } from '../../../src/main/base/logger.js';
import { TestViewer } from '../../support/test-viewer.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
  configureLogging({ level: 'silent' });
});

describe('log context while serving a client', () => {
  it('lines logged by any module for a client carry its session and address; capture work does not', async () => {
    const lines: Array<Record<string, unknown>> = [];
    configureLogging({
      level: 'info',
      format: 'json',
      destination: new Writable({
        write(chunk: Buffer, _enc, cb) {
          for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
          cb();
        },
      }),
    });
    const server = new RfbServer({ password: null, alwaysShared: true });
    server.setFrame(createFrame(64, 64));
    const { port } = await server.listen(0, '127.0.0.1');
    cleanup.push(() => server.close());
    const log = getLogger('context-test');
    server.on('input', () => log.info('input handled'));
    server.on('demand', () => log.info('capture asked for'));
    const v = await TestViewer.connect(port);
    cleanup.push(() => v.close());
    v.setEncodings([0]);
    v.request(false);
    await v.nextUpdate();
    v.key(0x61, true);
    const deadline = Date.now() + 5000;
    while (!lines.some((l) => l['msg'] === 'input handled') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const session = server.clients[0]!;
    expect(lines.find((l) => l['msg'] === 'input handled')).toMatchObject({
      module: 'context-test',
      session: session.id.slice(0, 8),
      client: session.address,
    });
    const demand = lines.find((l) => l['msg'] === 'capture asked for');
    expect(demand).toBeDefined();
    expect(demand!['session']).toBeUndefined();
  });
});
