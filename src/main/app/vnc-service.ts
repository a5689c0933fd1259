import type { AddressInfo } from 'node:net';
import { ClippedScreen, parseGeometry } from '../desktop/clipped-screen.js';
import { chooseDesktopBackend, type BackendChoice } from '../desktop/backend-choice.js';
import { screenSourceFor } from '../desktop/index.js';
import type { ScreenSource } from '../desktop/screen.js';
import { X11Clipboard } from '../desktop/x11/x11-clipboard.js';
import { X11Cursor } from '../desktop/x11/x11-cursor.js';
import { X11Input } from '../desktop/x11/x11-input.js';
import { listX11Monitors } from '../desktop/x11/x11-randr.js';
import { resizeX11Display, ResizeStatus } from '../desktop/x11/x11-resize.js';
import type { Rect } from '../framebuffer/rect.js';
import { RfbServer } from '../rfb/server.js';
import { getLogger } from '../base/logger.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { startWebSocketTransport, type WebSocketListener } from '../rfb/websocket-listener.js';
import { WebSocketGateway, type OriginPolicy } from '../rfb/websocket-gateway.js';
import { Invitations } from './invitations.js';
import { ReverseConnections } from './reverse-connections.js';
import { announce, shouldAnnounce, type Announcement } from './discovery.js';
import { viewerUrlOf } from './viewer-url.js';
import { CaptureLoop } from './capture-loop.js';
import { RecordingController, type RecordingSettings } from './recording-controller.js';
import { packageVersion } from './version.js';
import { ConfigError, resolveHost, resolvePasswords, type Config, type Passwords } from './config.js';
import { checkExposure } from './exposure.js';
import { prepareSecurity, type SecuritySetup } from './security-setup.js';
import type { SecurityWarning } from '../../shared/control-contract.js';
import { ControlService, type ControlServiceOptions, type MetricsSource } from './control-service.js';
import { listenControlWebSocket, type ControlWebSocketServer } from './control-ws.js';
import { DesktopFeatures, type DesktopParts } from './desktop-features.js';
import { serverOptionsFrom } from './server-options.js';
import { AttendedAccess, type AttendedSettings } from './attended-access.js';
import { AuditFile, defaultAuditPath } from './audit-file.js';
import { AuditTrail } from './audit-trail.js';
import { startHeapTrim } from '../base/heap-trim.js';
import { tuneHeap } from '../base/heap-tuning.js';
import { EncodeWorkers } from '../rfb/encodings/encode-workers.js';
import { nativeDeflate } from '../rfb/encodings/native-deflate.js';

const log = getLogger('service');

/** Which monitor or rectangle of an X display to share, from --monitor / --clip. */
async function sharedArea(config: Config, display: string, width: number, height: number): Promise<Rect | null> {
  if (config.clip) return parseGeometry(config.clip);
  if (!config.monitor) return { x: 0, y: 0, w: width, h: height };
  const monitors = await listX11Monitors(display);
  const byIndex = /^\d+$/.test(config.monitor) ? monitors[Number(config.monitor)] : undefined;
  const m = byIndex ?? monitors.find((o) => o.name === config.monitor);
  if (!m) {
    const names = monitors.map((o, i) => `${i}: ${o.name} ${o.w}x${o.h}+${o.x}+${o.y}`).join(', ');
    throw new Error(`no monitor "${config.monitor}" on ${display} (there are: ${names || 'none'})`);
  }
  return { x: m.x, y: m.y, w: m.w, h: m.h };
}

/** A desktop supplied by the embedder instead of the one the settings choose. */
export interface DesktopOverride {
  /** Not yet started; create() starts it. */
  source?: ScreenSource;
  /** Input, clipboard and cursor for that source (missing ones are left out). */
  parts?: Partial<DesktopParts>;
}

/**
 * The application: a screen source, the RFB server, the capture loop and the
 * desktop's input, clipboard and cursor, wired together from one validated
 * Config. Both front doors (CLI and tray) use it.
 */
export class VncService {
  readonly server: RfbServer;
  readonly source: ScreenSource;
  /** Performance monitor (always) and Prometheus exporter (with enable_metrics). */
  readonly telemetry: Telemetry;
  private readonly loop: CaptureLoop;
  private readonly features: DesktopFeatures;
  /** Recordings of this desktop (started in start()). */
  recordings: RecordingController | null = null;
  /** The recording settings in force; the control API changes them live. */
  private recordingSettings: RecordingSettings;
  private address: AddressInfo | null = null;
  private metricsAddress: AddressInfo | null = null;
  /** The WebSocket listener for browser viewers, when websocket_port is set. */
  websocket: WebSocketListener | null = null;
  /** Invitation links to the viewer page on the dashboard (see invitations.ts). */
  readonly invitations = new Invitations(() => (this.dashboard?.pageUrl ? viewerUrlOf(this.dashboard.pageUrl) : null));
  /** The mDNS announcement while it runs (see discovery.ts). */
  announcement: Announcement | null = null;
  /** Calls out to listening viewers (--connect). */
  reverse: ReverseConnections | null = null;
  /** Browser viewers' way in on the VNC port and the dashboard (null until started). */
  gateway: WebSocketGateway | null = null;
  control: ControlService | null = null;
  /** The control API over WebSocket (the headless dashboard), when dashboard_port is set. */
  dashboard: ControlWebSocketServer | null = null;
  /** What the user should know about how safe this server is to reach (no authentication, no encryption), from start(). */
  securityWarnings: SecurityWarning[] = [];
  /** Per-client rates and `metrics` events for the control API (set before start()). */
  metrics: MetricsSource | null = null;
  /** Attended access: the accept command and the accept prompt, asked about every viewer that authenticated. */
  readonly attended: AttendedAccess;
  private attendedSettings: AttendedSettings;
  private stopHeapTrim: () => void = () => undefined;
  /** The audit trail, while running with audit_log on. */
  audit: AuditTrail | null = null;

  /** The full-control password in force, or null. */
  readonly password: string | null;
  /** The view-only password in force, or null. */
  readonly viewOnlyPassword: string | null;

  private constructor(
    readonly config: Config,
    passwords: Passwords,
    source: ScreenSource,
    parts: DesktopParts,
    display: string | null,
    /** Which desktop backend this service shares, and why; null for a source the embedder supplied without saying. */
    readonly backend: BackendChoice | null,
    /** The users, the TLS certificate and the RSA key the security types use (prepareSecurity). */
    readonly security: SecuritySetup,
  ) {
    this.source = source;
    this.password = passwords.full;
    this.viewOnlyPassword = passwords.viewOnly;
    this.server = new RfbServer({ ...serverOptionsFrom(config, passwords), keys: security.keys, users: security.users });
    this.loop = new CaptureLoop(source, this.server, { regionDetection: config.enable_region_detection });
    this.telemetry = new Telemetry({ server: this.server, loop: this.loop, metrics: config.enable_metrics });
    this.metrics = this.telemetry.monitor;
    const origin = () => (source instanceof ClippedScreen ? source.origin : { x: 0, y: 0 });
    this.recordingSettings = {
      record_dir: config.record_dir,
      record_mode: config.record_mode,
      record_keys: config.record_keys,
      record_clipboard_text: config.record_clipboard_text,
      frame_rate: config.frame_rate,
      desktop_name: config.desktop_name,
    };
    this.features = new DesktopFeatures(this.server, parts, config, origin);
    this.attendedSettings = {
      accept_prompt: config.accept_prompt,
      accept_command: config.accept_command,
      accept_timeout: config.accept_timeout,
      accept_default: config.accept_default,
    };
    this.attended = new AttendedAccess(() => this.attendedSettings);
    this.server.approver = this.attended.approve;
    // Resizing the desktop for a client only makes sense when the whole display is shared.
    if (display && !(source instanceof ClippedScreen)) {
      this.server.resizer = async (w, h) => {
        const status = await resizeX11Display(display, w, h);
        if (status === ResizeStatus.Done) await this.waitForSize(w, h);
        return status;
      };
    }
  }

  /**
   * Build the service from validated settings. `desktop` replaces the screen
   * source and interactive parts chosen from the settings: the tray app uses
   * it where X11 is not available (desktopCapturer frames, nut-js input).
   * `backend` is the backend already chosen (chooseDesktopBackend); without
   * it the choice is made here as the command line makes it, from the
   * settings and $DISPLAY, with no system screen capture.
   */
  static async create(config: Config, desktop: DesktopOverride = {}, backend?: BackendChoice): Promise<VncService> {
    const passwords = resolvePasswords(config);
    const security = await prepareSecurity(config);
    if (desktop.source) {
      await desktop.source.start();
      const parts: DesktopParts = { input: null, clipboard: null, cursor: null, ...desktop.parts };
      return new VncService(config, passwords, desktop.source, parts, null, backend ?? null, security);
    }
    const choice = backend ?? chooseDesktopBackend({ settings: config, platform: process.platform, env: process.env, systemCapture: false });
    let source = screenSourceFor(choice, {
      width: config.width,
      height: config.height,
      // The synthetic desktop is a demo and test pattern: let it move at the update rate.
      fps: config.frame_rate,
    });
    const display = choice.backend === 'x11' ? (choice.display ?? null) : null;
    if (display && (config.monitor || config.clip)) {
      source = new ClippedScreen(source, (w, h) => sharedArea(config, display, w, h));
    }
    await source.start();
    try {
      const parts: DesktopParts = display
        ? {
            input: new X11Input({ display }),
            clipboard: config.clipboard === 'off' ? null : new X11Clipboard({ display, maxBytes: config.max_cut_text }),
            cursor: new X11Cursor({ display }),
          }
        : { input: null, clipboard: null, cursor: null };
      return new VncService(config, passwords, source, parts, display, choice, security);
    } catch (e) {
      // Nobody else holds the source yet: release its X connection before giving up.
      await source.stop().catch((err: unknown) => log.warn({ err }, 'stopping the desktop source failed'));
      throw e;
    }
  }

  get listening(): AddressInfo | null {
    return this.address;
  }

  /** Where /metrics is served, when enable_metrics is on. */
  get metricsListening(): AddressInfo | null {
    return this.metricsAddress;
  }

  /**
   * Listen and start capturing. `control` configures the control API this
   * service answers with (and serves on the dashboard port): the tray app
   * passes the settings it saved and how to save changes.
   *
   * When a step fails (a port is taken, the host does not resolve), what the
   * earlier steps started is stopped again before the error is passed on, so
   * a failed start leaves no listener open. The desktop source, which
   * create() started, stays until stop().
   */
  async start(control: Omit<ControlServiceOptions, 'metrics'> = {}): Promise<AddressInfo> {
    const undo: Array<() => unknown> = [];
    try {
      if (this.config.audit_log) {
        // Before the listener opens, so the first viewer is in it.
        this.audit = new AuditTrail(new AuditFile({ path: this.config.audit_file ?? defaultAuditPath() }), { server: this.server, attended: this.attended });
        undo.push(() => this.audit?.close());
      }
      await this.loop.start();
      undo.push(() => this.loop.stop());
      await this.features.start();
      undo.push(() => this.features.stop());
      const host = resolveHost(this.config, { full: this.password, viewOnly: this.viewOnlyPassword });
      const exposure = checkExposure(host, this.server.offeredSecurityTypes(), this.config.insecure_no_auth);
      if (exposure.error) throw new ConfigError([exposure.error]);
      this.securityWarnings = exposure.warnings;
      this.address = await this.server.listen(this.config.port, host);
      undo.push(() => this.server.close());
      if (shouldAnnounce(this.config.discovery, host)) {
        this.announcement = announce(this.server.options.desktopName, this.address.port);
        undo.push(() => this.announcement?.stop());
      }
      if (this.telemetry.exporter) {
        undo.push(() => this.telemetry.close());
        this.metricsAddress = await this.telemetry.serveMetrics({ host: this.config.metrics_host ?? '127.0.0.1', port: this.config.metrics_port });
      }
      const tls = this.security.tls ? { cert: this.security.tls.cert, key: this.security.tls.key } : undefined;
      const origins = () => originPolicyOf(this.config.websocket_origins);
      // Browsers on the VNC port and at the dashboard's /websockify go through one gateway (wss:// on the VNC port with the certificate).
      this.gateway = new WebSocketGateway(this.server, { origins, tls, redeemInvitation: (secret, client) => this.invitations.redeem(secret, client) });
      undo.push(() => this.gateway?.close());
      if (this.config.websocket_on_vnc_port) this.server.webOnRfbPort = (socket, kind) => this.gateway?.serveConnection(socket, kind);
      this.websocket = await startWebSocketTransport(this.server, this.config.websocket_port, host, { origins, tls: this.config.websocket_tls ? tls : undefined });
      undo.push(() => this.websocket?.close());
      this.recordings = new RecordingController({
        server: this.server,
        settings: () => this.recordingSettings,
        serverVersion: `TrayVNC ${packageVersion()}`,
        onSettings: (next) => {
          this.recordingSettings = { ...this.recordingSettings, ...next };
        },
      });
      undo.push(() => this.recordings?.close());
      this.audit?.followRecordings(this.recordings);
      // Before the control service, which follows its state changes.
      this.reverse = new ReverseConnections((socket) => this.server.accept(socket));
      undo.push(() => this.reverse?.close());
      this.control = new ControlService(this, { metrics: this.metrics, ...control });
      undo.push(() => this.control?.close());
      if (this.config.dashboard_port !== undefined) {
        // The control API can change settings and drop viewers: loopback unless its own host was chosen, and a token always.
        const token = process.env['TRAYVNC_DASHBOARD_TOKEN'];
        this.dashboard = await listenControlWebSocket(this.control, this.config.dashboard_port, this.config.dashboard_host ?? '127.0.0.1', {
          page: true,
          websockify: this.gateway,
          tls: this.config.dashboard_tls ? tls : undefined,
          ...(token ? { token } : {}),
        });
      }
      if (this.config.connect) this.reverse?.connect(this.config.connect);
      // After a burst (a flood, many viewers) V8 keeps its heap grown until asked: see the module.
      tuneHeap();
      this.stopHeapTrim = startHeapTrim();
      // The encode workers start with the server, as any server's threads do, not
      // with the first viewer: their start-up (some 180 ms of CPU for two, most of
      // it Node's own bootstrap of each thread) would otherwise hold up that
      // viewer's first frame by about 110 ms. Idle, they cost no CPU.
      const workers = EncodeWorkers.shared();
      // Which deflater the workers use tells why ZRLE frames are the size they are (native-deflate.ts).
      log.info({ workers: workers?.size ?? 0, deflate: nativeDeflate ? `system zlib ${nativeDeflate.zlibVersion()}` : `Node's zlib ${process.versions.zlib}` }, 'encode workers started');
      this.audit?.write('started', { address: `${this.address.address}:${this.address.port}`, ...(this.websocket ? { websocket: this.websocket.address.port } : {}) });
      return this.address;
    } catch (e) {
      for (const step of undo.reverse()) {
        try {
          await step();
        } catch (err) {
          log.warn({ err }, 'undoing a failed start: a step could not be stopped');
        }
      }
      this.address = this.metricsAddress = null;
      this.websocket = this.control = this.dashboard = this.recordings = this.audit = this.gateway = null;
      throw e;
    }
  }

  /** Resolve once the capture loop has installed a frame of this size (bounded). */
  private async waitForSize(w: number, h: number): Promise<void> {
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      const f = this.server.currentFrame();
      if (f.width === w && f.height === h) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** New attended-access settings: they apply from the next viewer on. */
  useAttendedSettings(next: AttendedSettings): void {
    this.attendedSettings = { ...next };
  }

  /** Switch tile comparison on or off while running. */
  setRegionDetection(on: boolean): void {
    this.loop.setRegionDetection(on);
  }

  async stop(): Promise<void> {
    this.reverse?.close();
    await this.announcement?.stop();
    this.announcement = null;
    this.stopHeapTrim();
    await this.dashboard?.close();
    this.control?.close();
    // Viewers still waiting for an answer are refused before the server goes.
    this.attended.close();
    // Finish a recording while the server still runs, so it ends with its index.
    await this.recordings?.close();
    this.loop.stop();
    await this.server.close();
    await this.telemetry.close();
    await this.websocket?.close();
    await this.gateway?.close();
    await this.features.stop();
    await this.source.stop();
    this.audit?.write('stopped');
    await this.audit?.close();
    this.audit = null;
  }
}

/** The origins setting as the gateway reads it: ["*"] is any; unset leaves the default (see GatewayOptions). */
export function originPolicyOf(origins: readonly string[] | undefined): OriginPolicy | undefined {
  if (!origins) return undefined;
  return origins.includes('*') ? 'any' : origins.map((o) => o.replace(/\/+$/, ''));
}
