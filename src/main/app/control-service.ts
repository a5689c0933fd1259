import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import {
  ControlError,
  type ApprovalAnswer,
  type ClientInfo,
  type ControlEventMap,
  type ControlEventName,
  type DesktopBackendInfo,
  type MetricsSnapshot,
  type MonitorInfo,
  type PendingApproval,
  type ServerState,
  type SettingsPatch,
  type SettingsView,
  type UpdateSettingsResult,
  type WireEvent,
} from '../../shared/control-contract.js';
import type { RecordingStatusInfo } from '../../shared/recording-contract.js';
import { fieldErrorLines, SETTING_KEYS, validateSettings, type SettingKey, type Settings } from '../../shared/settings-schema.js';
import type { BackendChoice } from '../desktop/backend-choice.js';
import type { ScreenSource } from '../desktop/screen.js';
import { listX11Monitors, type X11Monitor } from '../desktop/x11/x11-randr.js';
import type { Session, UpdateStats } from '../rfb/session.js';
import { getLogger } from '../base/logger.js';
import type { PerfSnapshot } from '../telemetry/monitor.js';
import { ControlConnection, DEFAULT_ORIGIN } from './control-connection.js';
import type { ControlTarget } from './control-target.js';
import { ControlRecordings } from './control-recordings.js';
import { recordMode } from './recording-controller.js';
import { EncodingUsage } from './encoding-usage.js';
import { LIVE_SETTINGS } from './live-settings.js';
import { PASSWORD_PAIRS, redact } from './settings-secrets.js';
import { mergeSettingsPatch } from './settings-change.js';
import { identityOf } from './server-identity.js';
import { describeClient } from './client-info.js';
import { listMonitorsOf } from './monitor-list.js';

// The connection class lived here; transports and the tray app import it from this module.
export { ControlConnection } from './control-connection.js';
export type { ControlTarget } from './control-target.js';
export { describePixelFormat } from './pixel-format-info.js';

/** Where metrics come from: the PerformanceMonitor (telemetry/monitor.ts) fits. */
export interface MetricsSource {
  snapshot(): PerfSnapshot;
  subscribe(listener: (s: PerfSnapshot) => void): () => void;
}

// The snapshot the monitor makes must be one the contract can carry (a compile error here means they drifted).
const snapshotFitsContract = (s: PerfSnapshot): MetricsSnapshot => s;
void snapshotFitsContract;

export interface ControlServiceOptions {
  /** Per-client fps and bandwidth, and `metrics` events. */
  metrics?: MetricsSource | null;
  /** Settings to start from (default: the service's config). Use when the saved file differs from what is running. */
  settings?: Settings;
  /**
   * Persist settings after a successful change (the tray saves its settings
   * file here, the CLI its config file); `changed` names the keys this change
   * set. May resolve to where they were written, which the result reports.
   */
  saveSettings?: (settings: Settings, changed: readonly SettingKey[]) => void | string | Promise<void | string>;
  /** How long an unfinished recording upload may wait for its next chunk (default: recording-import.ts's IMPORT_IDLE_MS). */
  importIdleMs?: number;
  /** How to list an X display's monitors (default: RandR over a short-lived connection). */
  listX11Monitors?: (display: string) => Promise<X11Monitor[]>;
  /** Whether this server can share the system's screen capture (the tray app: true; the command line: false). */
  systemCapture?: boolean;
  log?: Logger;
}

/** Handlers for the service's own events, as a typed EventEmitter map. */
type ServiceEvents = { [E in ControlEventName]: [payload: ControlEventMap[E]] };

/** A backend choice as the contract carries it (what was chosen and why; not how the service treats it). */
export function backendInfo(choice: BackendChoice, source?: Pick<ScreenSource, 'fidelity'>): DesktopBackendInfo {
  const capture = choice.backend === 'system-capture' ? (source?.fidelity ?? null) : null;
  return {
    kind: choice.backend,
    ...(choice.display !== undefined ? { display: choice.display } : {}),
    reason: choice.reason,
    ...(choice.warning !== undefined ? { warning: choice.warning } : {}),
    // The system capture is exact only once its frames show it (until then it is not known to be).
    exact: choice.backend !== 'system-capture' || (capture !== null && capture.note === undefined),
    ...(capture ? { capture: { ...capture, frameSize: { ...capture.frameSize }, screenSize: { ...capture.screenSize } } } : {}),
  };
}

/** Equal settings values (unset and null count as the same). */
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function endpoint(a: AddressInfo | null | undefined): { host: string; port: number } | null {
  return a ? { host: a.address, port: a.port } : null;
}

/**
 * The control API on a running VncService: state, settings (validated by the
 * settings schema, applied live where the server can take them), clients,
 * monitors and metrics. Transports (Electron IPC, WebSocket) do not call it
 * method by method: they open a `ControlConnection` per peer and pass it
 * requests by name, so both serve exactly the contract's method list.
 */
export class ControlService {
  private readonly events = new EventEmitter<ServiceEvents>();
  readonly log: Logger;
  private settings: Settings;
  /** Fields changed since start that wait for a restart. */
  private readonly pending = new Set<SettingKey>();
  /** What the server runs with: the start configuration, then every value applied live. */
  private readonly running: Record<string, unknown>;
  /** What each client has been sent, per encoding. */
  private readonly usage = new EncodingUsage();
  private stopMetrics: (() => void) | null = null;
  private readonly detach: () => void;
  private saving: Promise<void> = Promise.resolve();
  /** The recording methods (control-recordings.ts). */
  readonly recordings: ControlRecordings;

  constructor(
    readonly target: ControlTarget,
    private readonly opts: ControlServiceOptions = {},
  ) {
    this.log = opts.log ?? getLogger('control');
    this.events.setMaxListeners(0);
    this.running = { ...target.config };
    this.settings = opts.settings ?? this.startSettings();
    // Saved settings that differ from what runs wait for a restart.
    for (const k of SETTING_KEYS) if (!same(this.settings[k], this.running[k])) this.pending.add(k);
    const server = target.server;
    const onUpdate = (s: Session, stats: UpdateStats) => {
      if (!s.closed) this.usage.record(s.id, stats);
    };
    // 'connected' fires just before the session counts as ready (in server.clients): list it a moment later.
    const onConnected = () => queueMicrotask(() => this.clientsChanged());
    const onDisconnected = (s: Session) => {
      this.usage.forget(s.id);
      this.clientsChanged();
    };
    server.on('update', onUpdate);
    server.on('connected', onConnected);
    server.on('disconnected', onDisconnected);
    this.recordings = new ControlRecordings(
      () => target.recordings,
      () => this.settings,
      { log: this.log, ...(opts.importIdleMs !== undefined ? { importIdleMs: opts.importIdleMs } : {}) },
    );
    const stopRecordingEvents = target.recordings?.subscribe(() => {
      const status = this.recordings.status();
      if (status) this.events.emit('recording', status);
    });
    const stopApprovalEvents = target.attended?.prompts.subscribe((e) => this.events.emit('approval', e));
    const stopReverseEvents = target.reverse?.subscribe((info) => this.events.emit('reverse', info));
    this.detach = () => {
      server.off('update', onUpdate);
      server.off('connected', onConnected);
      server.off('disconnected', onDisconnected);
      stopRecordingEvents?.();
      stopApprovalEvents?.();
      stopReverseEvents?.();
    };
  }

  /** The service's config, re-validated so every field has its schema default. */
  private startSettings(): Settings {
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.target.config)) if (v !== undefined) raw[k] = v;
    const v = validateSettings(raw);
    if (!v.ok) throw new ControlError(`the running configuration does not validate: ${fieldErrorLines(v.fieldErrors).join('; ')}`);
    return v.settings;
  }

  // -------------------------------------------------------------------------
  // The API

  getState(): ServerState {
    const t = this.target;
    return {
      running: t.listening !== null,
      address: endpoint(t.listening),
      websocket: endpoint(t.websocket?.address),
      websocketSecure: t.websocket?.secure ?? false,
      source: t.source.name,
      desktop: { name: t.server.options.desktopName, width: t.source.width, height: t.source.height },
      backend: t.backend ? backendInfo(t.backend, t.source) : null,
      recording: this.recordings.status(),
      clients: t.server.clients.length,
      passwordSet: t.server.options.password !== null || t.server.options.viewOnlyPassword !== null,
      viewOnlyPasswordSet: t.server.options.viewOnlyPassword !== null,
      identity: t.listening ? identityOf(t) : null,
      securityWarnings: t.listening ? (t.securityWarnings ?? []).map((w) => ({ ...w })) : [],
      restartRequired: this.restartRequired(),
      metrics: !!this.opts.metrics,
      ...(this.opts.systemCapture !== undefined ? { systemCapture: this.opts.systemCapture } : {}),
    };
  }

  /** The recording status of a target that cannot record (not sharing): what the settings say, nothing running. */
  noRecordings(): RecordingStatusInfo {
    const s = this.settings;
    return { mode: recordMode(s), active: null, error: null, keys: s.record_keys, clipboardText: s.record_clipboard_text };
  }

  getSettings(): SettingsView {
    return redact(this.settings);
  }

  /**
   * Validate the change against the settings schema (after merging it into
   * the current settings: a field's value is checked with the others, as in
   * a config file), then apply what the running server can take. Nothing
   * changes when any field is refused.
   */
  async updateSettings(patch: SettingsPatch): Promise<UpdateSettingsResult> {
    const next = mergeSettingsPatch(this.settings, patch);
    if (this.opts.systemCapture === false && next.source === 'system-capture' && this.settings.source !== 'system-capture') {
      // Saved, it would keep the server from starting again: refused before anything is written.
      const message = "can be the system's screen capture only in the tray app: this server would not start with it";
      throw new ControlError(`source ${message}`, 'invalid-settings', { source: [message] });
    }
    const changed = SETTING_KEYS.filter((k) => !same(this.settings[k], next[k]));
    const applied: SettingKey[] = [];
    for (const k of changed) {
      const apply = LIVE_SETTINGS[k];
      let live = false;
      if (apply) {
        try {
          live = apply(this.target, next);
        } catch (e) {
          this.log.warn({ err: e, setting: k }, 'could not apply a setting to the running server');
        }
      }
      if (live) {
        applied.push(k);
        this.running[k] = next[k];
        this.pending.delete(k);
      } else if (same(next[k], this.running[k])) {
        this.pending.delete(k); // back to what is running
      } else {
        this.pending.add(k);
      }
    }
    // A password set live also settles the password file it replaced.
    for (const [pw, file] of PASSWORD_PAIRS) {
      if (!applied.includes(pw)) continue;
      this.running[file] = next[file];
      if (same(next[file], undefined)) this.pending.delete(file);
    }
    this.settings = next;
    if (changed.length > 0) this.log.info({ changed, applied, restartRequired: this.restartRequired() }, 'settings changed');
    const save = this.opts.saveSettings;
    let savedTo: string | undefined;
    if (save && changed.length > 0) {
      // Saves run one after another, in the order of the changes; a failed one does not stop the next.
      const saved = this.saving.then(() => save(next, changed));
      this.saving = saved.then(
        () => undefined,
        () => undefined,
      );
      try {
        const where = await saved;
        if (typeof where === 'string') savedTo = where;
      } catch (e) {
        this.log.error({ err: e, changed }, 'settings could not be saved');
        throw new ControlError(`settings are in force but could not be saved: ${(e as Error).message}`, 'failed');
      }
      this.log.info({ changed, ...(savedTo ? { file: savedTo } : {}) }, savedTo ? `settings saved to ${savedTo}` : 'settings saved');
    }
    const result: UpdateSettingsResult = {
      settings: redact(next),
      applied,
      restartRequired: this.restartRequired(),
      saved: save !== undefined,
      ...(savedTo !== undefined ? { savedTo } : {}),
    };
    if (changed.length > 0) this.events.emit('settings', result);
    return result;
  }

  listClients(): ClientInfo[] {
    const perf = new Map<string, { fps: number; bandwidth: number }>();
    if (this.opts.metrics) {
      for (const c of this.opts.metrics.snapshot().clients) perf.set(c.id, c);
    }
    return this.target.server.clients.map((s) => this.describe(s, perf.get(s.id.slice(0, 8))));
  }

  /** Drop a client; `origin` (who asked) goes into the session's last log line. */
  disconnectClient(id: string, origin = DEFAULT_ORIGIN): { disconnected: true } {
    this.find(id);
    this.target.server.disconnect(id, `disconnected from ${origin}`);
    return { disconnected: true };
  }

  /** Give a client control (true) or make it view-only (false), logging who and on whose request. */
  setClientControl(id: string, control: boolean, origin = DEFAULT_ORIGIN): ClientInfo {
    const s = this.find(id);
    const had = !s.viewOnly;
    this.target.server.setViewOnly(id, !control, origin);
    const fields = { session: s.id.slice(0, 8), client: s.address, control, from: origin };
    if (had !== control) this.log.info(fields, `${s.address} ${control ? 'got' : 'lost'} control (from ${origin})`);
    else this.log.debug(fields, `${s.address} ${control ? 'already had' : 'already had no'} control (from ${origin})`);
    this.clientsChanged();
    return this.describe(s, undefined);
  }

  /** Viewers waiting for a person to let them in, oldest first. */
  listApprovals(): PendingApproval[] {
    return this.target.attended?.prompts.list() ?? [];
  }

  /** Answer a waiting viewer on behalf of `origin` (the window the person used). */
  answerApproval(id: string, answer: ApprovalAnswer, origin = DEFAULT_ORIGIN): { answered: ApprovalAnswer } {
    if (!this.target.attended?.prompts.answer(id, answer, origin)) {
      throw new ControlError('that viewer no longer waits for an answer (it was answered, timed out, or left)', 'not-found');
    }
    return { answered: answer };
  }

  async listMonitors(): Promise<MonitorInfo[]> {
    return listMonitorsOf(this.target, this.opts.listX11Monitors ?? listX11Monitors);
  }

  /**
   * Receive an event until the returned function is called. Metrics are
   * gathered only while someone listens to them.
   */
  subscribe<E extends ControlEventName>(event: E, listener: (payload: ControlEventMap[E]) => void): () => void {
    const l = listener as (payload: ControlEventMap[ControlEventName]) => void;
    this.events.on(event, l as never);
    if (event === 'metrics' && !this.stopMetrics && this.opts.metrics) {
      this.stopMetrics = this.opts.metrics.subscribe((s) => this.events.emit('metrics', s));
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.events.off(event, l as never);
      if (event === 'metrics' && this.events.listenerCount('metrics') === 0 && this.stopMetrics) {
        this.stopMetrics();
        this.stopMetrics = null;
      }
    };
  }

  /** Listeners of an event, all connections together (for tests and diagnostics). */
  listenerCount(event: ControlEventName): number {
    return this.events.listenerCount(event);
  }

  /**
   * A peer (one WebSocket, one renderer) talking to this service; `send` gets
   * its events, and `origin` names it in log lines ("the dashboard at …").
   */
  openConnection(send: (message: WireEvent) => void, origin?: string): ControlConnection {
    return new ControlConnection(this, send, origin);
  }

  /** Stop following the server and drop every subscription. */
  close(): void {
    this.detach();
    this.recordings.close();
    this.stopMetrics?.();
    this.stopMetrics = null;
    this.events.removeAllListeners();
  }

  // -------------------------------------------------------------------------

  private restartRequired(): SettingKey[] {
    return SETTING_KEYS.filter((k) => this.pending.has(k));
  }

  private find(id: string): Session {
    const s = this.target.server.clients.find((c) => c.id === id);
    if (!s) throw new ControlError(`no client with id ${id}`, 'not-found');
    return s;
  }

  private describe(s: Session, perf: { fps: number; bandwidth: number } | undefined): ClientInfo {
    return describeClient(s, perf, this.usage.of(s.id));
  }

  private clientsChanged(): void {
    if (this.events.listenerCount('clients') > 0) this.events.emit('clients', this.listClients());
  }
}
