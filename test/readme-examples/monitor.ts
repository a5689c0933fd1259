import { parseConfig, PerformanceMonitor, VncService } from '../../src/main/index.js';

const service = await VncService.create(parseConfig({ source: 'synthetic', port: 0, frame_rate: 20 }));
await service.start();
const monitor = new PerformanceMonitor();
monitor.observe(service.server);

// One snapshot a second while someone reads; no timer runs when nobody does.
let seen = 0;
for await (const snap of monitor.stream()) {
  const o = snap.overall;
  console.log(`${o.clients} clients, ${o.fps} updates/s, ${o.bandwidth} B/s`);
  for (const c of snap.clients) console.log(`  ${c.id} ${c.address}: ${c.fps} fps, ratio ${c.compressionRatio}x`);
  if (++seen === 2) break; // leaving the loop unsubscribes
}

monitor.close();
await service.stop();
