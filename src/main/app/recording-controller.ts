import { mkdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { getLogger } from '../base/logger.js';
import { RECORDING_FORMAT, RECORDING_VERSION } from '../recording/format.js';
import { Recorder, RECORDING_PIXEL_FORMAT } from '../recording/recorder.js';
import { RecordingWriter, type RecordingSummary } from '../recording/writer.js';
import type { RfbServer } from '../rfb/server.js';
import type { Config } from './config.js';

export type RecordMode = 'off' | 'while-viewed' | 'manual';

/** What is being recorded now, for the control API and the tray. */
export interface RecordingStatus {
  mode: RecordMode;
  dir: string;
  /** The file being written, while recording. */
  active: { path: string; startedAt: number } | null;
  /** Why the last recording stopped early (a full disk), until the next one starts. */
  error: string | null;
}

/** The recording settings the controller reads at each start (so changes apply to the next file). */
export type RecordingSettings = Pick<Config, 'record_dir' | 'record_mode' | 'record_keys' | 'record_clipboard_text' | 'frame_rate' | 'desktop_name'>;

/** The mode in force: record_mode, or while-viewed when only a folder was given. */
export function recordMode(s: Pick<Config, 'record_dir' | 'record_mode'>): RecordMode {
  return s.record_mode ?? (s.record_dir !== undefined ? 'while-viewed' : 'off');
}

/** Where recordings go when no folder is set: the user's data folder. */
export function defaultRecordingsDir(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const data = env['XDG_DATA_HOME'] || join(home, '.local', 'share');
  return join(data, 'trayvnc', 'recordings');
}

/** `trayvnc-20261206-215800.vnc.gz`: sorts by time, readable, no characters any file system refuses. */
export function recordingFileName(at: Date, suffix = 0): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
  return `trayvnc-${stamp}${suffix > 0 ? `-${suffix}` : ''}.vnc.gz`;
}

export interface RecordingControllerOptions {
  server: RfbServer;
  settings: () => RecordingSettings;
  serverVersion: string;
  host?: string;
  /** Keep new recording settings where `settings()` reads them (useSettings). */
  onSettings?: (next: Pick<Config, 'record_dir' | 'record_mode' | 'record_keys' | 'record_clipboard_text'>) => void;

  log?: Logger;
}

/**
 * When recordings run and where they go: `while-viewed` starts one when the
 * first viewer connects and finishes it when the last one leaves; `manual`
 * waits for start()/stop(). A recording that fails (full disk) stops alone
 * while sharing goes on, and says why in the status.
 */
export class RecordingController {
  private readonly log: Logger;
  private recorder: Recorder | null = null;
  private writer: RecordingWriter | null = null;
  private active: RecordingStatus['active'] = null;
  private error: string | null = null;
  private starting: Promise<void> | null = null;
  private readonly detach: () => void;
  private readonly listeners = new Set<(status: RecordingStatus) => void>();

  constructor(private readonly opts: RecordingControllerOptions) {
    this.log = opts.log ?? getLogger('recording');
    const { server } = opts;
    const onConnected = () => {
      if (recordMode(this.opts.settings()) === 'while-viewed' && !this.recorder && !this.starting) void this.start().catch(() => undefined);
    };
    // A leaving viewer still counts until its close is handled: look once it has been.
    const onDisconnected = () =>
      queueMicrotask(() => {
        if (recordMode(this.opts.settings()) === 'while-viewed' && server.clients.length === 0) void this.stop('the last viewer left');
      });
    server.on('connected', onConnected);
    server.on('disconnected', onDisconnected);
    this.detach = () => {
      server.off('connected', onConnected);
      server.off('disconnected', onDisconnected);
    };
  }

  /**
   * New recording settings: they apply to the next recording, and a new mode
   * at once (off stops a recording; while-viewed starts one if viewers are
   * connected).
   */
  useSettings(next: Pick<Config, 'record_dir' | 'record_mode' | 'record_keys' | 'record_clipboard_text'>): void {
    this.opts.onSettings?.(next);
    const mode = recordMode(next);
    if (mode === 'off') void this.stop('recording turned off');
    else if (mode === 'while-viewed' && this.opts.server.clients.length > 0 && !this.recorder) void this.start().catch(() => undefined);
  }

  status(): RecordingStatus {
    const s = this.opts.settings();
    return { mode: recordMode(s), dir: this.dir(), active: this.active, error: this.error };
  }

  private dir(): string {
    return this.opts.settings().record_dir ?? defaultRecordingsDir();
  }

  /** Start a recording now (a no-op while one runs); resolves once its file is open. */
  async start(): Promise<RecordingStatus> {
    if (this.starting) await this.starting;
    if (this.recorder) return this.status();
    this.starting = this.open();
    try {
      await this.starting;
    } finally {
      this.starting = null;
    }
    return this.status();
  }

  private async open(): Promise<void> {
    const s = this.opts.settings();
    const dir = this.dir();
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw this.cannotStart(dir, e);
    }
    const frame = this.opts.server.currentFrame();
    const startedAt = new Date();
    let writer: RecordingWriter | null = null;
    let path = '';
    for (let suffix = 0; !writer && suffix < 100; suffix++) {
      path = join(dir, recordingFileName(startedAt, suffix));
      try {
        writer = await RecordingWriter.open({
          path,
          header: {
            format: RECORDING_FORMAT,
            version: RECORDING_VERSION,
            server: this.opts.serverVersion,
            startedAt: startedAt.toISOString(),
            width: frame.width,
            height: frame.height,
            pixelFormat: RECORDING_PIXEL_FORMAT,
            frameRate: s.frame_rate,
            host: this.opts.host ?? os.hostname(),
            desktopName: this.opts.server.options.desktopName,
            keys: s.record_keys,
            clipboardText: s.record_clipboard_text,
          },
        });
      } catch (e) {
        // Two recordings in one second: try the next name; anything else is the caller's to hear.
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw this.cannotStart(dir, e);
      }
    }
    if (!writer) throw new Error(`cannot start recording in ${dir}: too many recordings started this second`);
    const recorder = new Recorder(this.opts.server, writer, { keys: s.record_keys, clipboardText: s.record_clipboard_text, log: this.log });
    writer.onFailure((e) => {
      this.error = e.message;
      this.log.error({ path, err: e }, 'recording stopped');
      void this.stop('failed');
    });
    this.writer = writer;
    this.recorder = recorder;
    this.active = { path, startedAt: startedAt.getTime() };
    this.error = null;
    recorder.start();
    this.log.info({ path, keys: s.record_keys, clipboardText: s.record_clipboard_text }, 'recording started');
    this.changed();
  }

  /** Say why a recording could not start (status, log, listeners) and make the error to throw. */
  private cannotStart(dir: string, e: unknown): Error {
    this.error = `cannot start recording in ${dir}: ${(e as Error).message}`;
    this.log.error({ err: e, dir }, 'cannot start recording');
    this.changed();
    return new Error(this.error);
  }

  /** Finish the recording in progress, if any; resolves to what was written. */
  async stop(reason = 'stopped'): Promise<RecordingSummary | null> {
    if (this.starting) await this.starting.catch(() => undefined);
    const recorder = this.recorder;
    const writer = this.writer;
    if (!recorder || !writer) return null;
    this.recorder = null;
    this.writer = null;
    this.active = null;
    recorder.stop();
    const summary = await writer.finish(reason);
    this.log.info({ path: summary.path, durationMs: summary.durationMs, bytes: summary.bytes, complete: summary.complete }, 'recording finished');
    this.changed();
    return summary;
  }

  /** Stop following the server and finish any recording (the service is stopping). */
  async close(): Promise<void> {
    this.detach();
    await this.stop('the server stopped');
  }

  /** Hear when a recording starts, stops, or fails (control API event, tray icon). Returns how to stop hearing. */
  subscribe(listener: (status: RecordingStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    const status = this.status();
    for (const l of this.listeners) l(status);
  }
}
