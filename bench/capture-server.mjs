// TrayVNC serving the system screen capture, as the tray app would, in a
// process of its own for the benchmark: the capture page and its preload in
// Chromium on the X display (bench/capture-page.mjs), CaptureScreen and the
// service from the build, viewers on loopback.
//
//   node bench/capture-server.mjs --display :N --port P [--frame-rate 30]
//
// Prints "TrayVNC listening on 127.0.0.1:P" and "chromium pid N" once up.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromiumCapturePage } from './capture-page.mjs';

const root = join(import.meta.dirname, '..');
const { parseConfig } = await import(join(root, 'dist/main/app/config.js'));
const { VncService } = await import(join(root, 'dist/main/app/vnc-service.js'));
const { CaptureScreen } = await import(join(root, 'dist/main/electron/capture/capture-source.js'));
const { CAPTURE_CHANNELS } = await import(join(root, 'dist/shared/capture-contract.js'));
const { getLogger } = await import(join(root, 'dist/main/base/logger.js'));

const { values: o } = parseArgs({ options: { display: { type: 'string' }, port: { type: 'string' }, 'frame-rate': { type: 'string', default: '30' }, width: { type: 'string' }, height: { type: 'string' } } });
const width = Number(o.width);
const height = Number(o.height);
const frameRate = Number(o['frame-rate']);
const page = chromiumCapturePage({ display: o.display, distDir: join(root, 'dist'), channels: CAPTURE_CHANNELS, window: { x: width + 100, y: height + 100, w: 400, h: 300 } });
const source = new CaptureScreen(page, { method: 'display-media', sourceId: '', frameRate, width, height }, { firstFrameTimeoutMs: 30_000, log: getLogger('capture-page') });
const config = parseConfig({ port: Number(o.port), host: '127.0.0.1', frame_rate: frameRate, always_shared: true, log_level: 'warn' });
const service = await VncService.create(config, { source }, { backend: 'system-capture', reason: 'the benchmark', explicit: true });
const addr = await service.start();
source.followViewers(service.server);
process.stdout.write(`TrayVNC listening on 127.0.0.1:${addr.port}\nchromium pid ${page.pid}\n`);
const stop = async () => {
  await service.stop();
  await page.whenClosed();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
