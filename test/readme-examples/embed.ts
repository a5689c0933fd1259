import { parseConfig, VncService } from '../../src/main/index.js';

// Share a moving test pattern (use { display: ':0' } for a real X11 desktop).
const service = await VncService.create(parseConfig({ source: 'synthetic', width: 640, height: 480, port: 0 }));
const { address, port } = await service.start();
console.log(`VNC server on ${address}:${port}`);

await service.stop();
