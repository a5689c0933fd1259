import { createFrame, PrometheusExporter, RfbServer } from '../../src/main/index.js';

// The RFB server on its own: you supply the pixels.
const server = new RfbServer({ desktopName: 'demo', frameRate: 30 });
const frame = createFrame(320, 200);
frame.pixels.fill(0x3366cc);
server.setFrame(frame);
await server.listen(0, '127.0.0.1');

// Count its connections, updates and bytes; serve /metrics and /healthz.
const exporter = new PrometheusExporter();
exporter.observe(server);
const { port } = await exporter.listen({ port: 0 }); // 127.0.0.1:9100 unless told otherwise

const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
console.log(text.split('\n').filter((line) => line.startsWith('trayvnc_clients_connected')).join('\n'));

await exporter.close();
await server.close();
