import { basename } from 'node:path';
import type { Logger } from 'pino';
import { ControlError } from '../../shared/control-contract.js';
import type {
  RecordingDetails,
  RecordingImportChunk,
  RecordingImportResult,
  RecordingListItem,
  RecordingSegment,
  RecordingStatusInfo,
} from '../../shared/recording-contract.js';
import type { RecordingController, RecordingStatus } from './recording-controller.js';
import { RecordingImports } from './recording-import.js';
import { notARecording, RecordingLibrary } from './recording-library.js';

/** The recordings status as the control API carries it (file names, not paths). */
export function recordingStatusInfo(status: RecordingStatus, keys: boolean, clipboardText: boolean): RecordingStatusInfo {
  return {
    mode: status.mode,
    active: status.active ? { name: basename(status.active.path), startedAt: status.active.startedAt } : null,
    error: status.error,
    keys,
    clipboardText,
  };
}

/**
 * The control API's recording methods on a service's RecordingController and
 * its folder. A target without recordings (the tray app while not sharing)
 * answers 'failed' to starting and lists nothing.
 */
export class ControlRecordings {
  private readonly library: RecordingLibrary;
  /** Files being uploaded into the folder (importRecording). */
  readonly imports: RecordingImports;

  constructor(
    private readonly recordings: () => RecordingController | null | undefined,
    private readonly settings: () => { record_keys: boolean; record_clipboard_text: boolean },
    opts: { log: Logger; importIdleMs?: number },
  ) {
    const dir = () => this.recordings()?.status().dir ?? '';
    this.library = new RecordingLibrary(dir, () => this.recordings()?.status().active?.path ?? null);
    this.imports = new RecordingImports({
      dir,
      problem: notARecording,
      item: (name) => this.library.summary(name),
      log: opts.log,
      ...(opts.importIdleMs !== undefined ? { idleMs: opts.importIdleMs } : {}),
    });
  }

  status(): RecordingStatusInfo | null {
    const r = this.recordings();
    if (!r) return null;
    const s = this.settings();
    return recordingStatusInfo(r.status(), s.record_keys, s.record_clipboard_text);
  }

  private need(): RecordingController {
    const r = this.recordings();
    if (!r) throw new ControlError('nothing is being shared: start sharing to record', 'failed');
    return r;
  }

  async start(): Promise<RecordingStatusInfo> {
    try {
      await this.need().start();
    } catch (e) {
      if (e instanceof ControlError) throw e;
      throw new ControlError((e as Error).message, 'failed');
    }
    return this.status()!;
  }

  async stop(): Promise<RecordingStatusInfo> {
    await this.need().stop('stopped from the control API');
    return this.status()!;
  }

  list(): Promise<RecordingListItem[]> {
    return this.recordings() ? this.library.list() : Promise.resolve([]);
  }

  get(name: string): Promise<RecordingDetails> {
    this.need();
    return this.library.details(name);
  }

  segment(name: string, index: number, keyframeOnly = false): Promise<RecordingSegment> {
    this.need();
    return this.library.segment(name, index, keyframeOnly);
  }

  async delete(name: string): Promise<{ deleted: true }> {
    this.need();
    await this.library.delete(name);
    return { deleted: true };
  }

  /** One chunk of a file uploaded by `owner` (its connection) into the folder. */
  async importChunk(owner: object, chunk: RecordingImportChunk): Promise<RecordingImportResult> {
    this.need();
    return this.imports.chunk(owner, chunk);
  }

  /** The service stops: uploads in progress are dropped with their partial files. */
  close(): void {
    this.imports.close();
  }
}
