import type { AddressInfo } from 'node:net';
import { createScreenSource } from '../desktop/index.js';
import type { ScreenSource } from '../desktop/screen.js';
import { RfbServer } from '../rfb/server.js';
import { CaptureLoop } from './capture-loop.js';
import { defaultDesktopName, resolveHost, resolvePassword, type Config } from './config.js';

/**
 * The application: a screen source, the RFB server and the capture loop wired
 * together from one validated Config. Both front doors (CLI and tray) use it.
 */
export class VncService {
  readonly server: RfbServer;
  readonly source: ScreenSource;
  private readonly loop: CaptureLoop;
  private address: AddressInfo | null = null;

  private constructor(
    readonly config: Config,
    readonly password: string | null,
    source: ScreenSource,
  ) {
    this.source = source;
    this.server = new RfbServer({
      password,
      desktopName: config.desktop_name ?? defaultDesktopName(),
      frameRate: config.frame_rate,
      maxConnections: config.max_connections,
      alwaysShared: config.always_shared,
      handshakeTimeoutMs: config.handshake_timeout * 1000,
      limits: { maxEncodings: 512, maxCutText: config.max_cut_text },
    });
    this.loop = new CaptureLoop(source, this.server, { regionDetection: config.enable_region_detection });
  }

  static async create(config: Config): Promise<VncService> {
    const password = resolvePassword(config);
    const source = createScreenSource({
      display: config.display,
      source: config.source,
      width: config.width,
      height: config.height,
      // The synthetic desktop is a demo and test pattern: let it move at the update rate.
      fps: config.frame_rate,
    });
    await source.start();
    return new VncService(config, password, source);
  }

  get listening(): AddressInfo | null {
    return this.address;
  }

  async start(): Promise<AddressInfo> {
    await this.loop.start();
    const host = resolveHost(this.config, this.password);
    this.address = await this.server.listen(this.config.port, host);
    return this.address;
  }

  async stop(): Promise<void> {
    this.loop.stop();
    await this.server.close();
    await this.source.stop();
  }
}
