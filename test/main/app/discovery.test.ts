import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { shouldAnnounce } from '../../../src/main/app/discovery.js';
import { VncService } from '../../../src/main/app/vnc-service.js';
import { parseConfig } from '../../../src/main/app/config.js';
import { browseRfb } from '../../support/mdns-query.js';

describe('shouldAnnounce', () => {
  it.each([
    ['auto', '127.0.0.1', false],
    ['auto', '::1', false],
    ['auto', 'localhost', false],
    ['auto', '0.0.0.0', true],
    ['auto', '192.168.1.5', true],
    ['on', '127.0.0.1', true],
    ['off', '0.0.0.0', false],
  ] as const)('%s on %s: %s', (mode, host, want) => {
    expect(shouldAnnounce(mode, host)).toBe(want);
  });
});

describe('the mDNS announcement, seen by a DNS-SD browse', () => {
  it('announces _rfb._tcp with the desktop name and the port while running, and says goodbye when stopped', async () => {
    const name = `TrayVNC test ${randomBytes(3).toString('hex')}`;
    const service = await VncService.create(parseConfig({ source: 'synthetic', width: 64, height: 48, port: 0, host: '127.0.0.1', discovery: 'on', desktop_name: name }));
    const { port } = await service.start();
    let stopped = false;
    try {
      const seen = await browseRfb(2500);
      const ours = seen.filter((s) => s.instance === `${name}._rfb._tcp.local`);
      expect(ours.length, `answers seen: ${JSON.stringify(seen.slice(0, 5))}`).toBeGreaterThan(0);
      expect(ours.some((s) => s.port === port)).toBe(true);
      // Goodbye: a PTR with TTL 0 while stopping.
      const browsing = browseRfb(2000);
      await new Promise((r) => setTimeout(r, 300));
      await service.stop();
      stopped = true;
      const after = (await browsing).filter((s) => s.instance === `${name}._rfb._tcp.local`);
      expect(after.some((s) => s.ttl === 0)).toBe(true);
    } finally {
      if (!stopped) await service.stop();
    }
  }, 20_000);

  it('announces nothing on loopback by default', async () => {
    const name = `TrayVNC quiet ${randomBytes(3).toString('hex')}`;
    const service = await VncService.create(parseConfig({ source: 'synthetic', width: 64, height: 48, port: 0, host: '127.0.0.1', desktop_name: name }));
    await service.start();
    try {
      expect(service.announcement).toBeNull();
      const seen = await browseRfb(1500);
      expect(seen.filter((s) => s.instance.startsWith(name))).toEqual([]);
    } finally {
      await service.stop();
    }
  }, 20_000);
});
