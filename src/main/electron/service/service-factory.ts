import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Settings } from '../../../shared/settings-schema.js';
import type { ControlService, ControlServiceOptions, ControlTarget, MetricsSource } from '../../app/control-service.js';
import type { DesktopOverride } from '../../app/vnc-service.js';
import { getLogger } from '../../base/logger.js';
import { chooseBackend, type BackendKind } from './backend-choice.js';

/** What the shell runs: a VncService, or anything of its shape (tests). */
export interface ServiceLike extends ControlTarget {
  readonly metrics: MetricsSource | null;
  /** The control API start() built (it also answers on the dashboard port, when one is set). */
  readonly control: ControlService | null;
  start(control?: Omit<ControlServiceOptions, 'metrics'>): Promise<AddressInfo>;
  stop(): Promise<void>;
}

/** A desktop for the service, and what to do once the service exists (e.g. follow its viewers). */
export type DesktopCapture = DesktopOverride & { attach?(service: ServiceLike): void };

export interface ServiceFactoryDeps {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Build a service (VncService.create). */
  create(settings: Settings, desktop?: DesktopOverride): Promise<ServiceLike>;
  /** The desktopCapturer desktop for these settings (desktop-capture.ts). */
  desktopCapture(settings: Settings): Promise<DesktopCapture>;
  log?: Logger;
}

export interface CreatedService {
  service: ServiceLike;
  backend: BackendKind;
}

/**
 * A new, not yet started service for the settings, on the backend the
 * platform calls for (backend-choice.ts). When the X11 backend was only
 * guessed from the session and the display refuses it, desktopCapturer is
 * tried before giving up; a source the settings name is never second-guessed.
 */
export async function createService(settings: Settings, deps: ServiceFactoryDeps): Promise<CreatedService> {
  const log = deps.log ?? getLogger('tray');
  const choice = chooseBackend(settings, deps.platform, deps.env);
  log.info({ backend: choice.kind, reason: choice.reason }, 'desktop backend chosen');
  if (choice.kind !== 'desktop-capturer') {
    try {
      return { service: await deps.create(settings), backend: choice.kind };
    } catch (e) {
      if (choice.kind === 'settings') throw e;
      log.warn({ err: e }, 'the X11 backend failed to start; trying desktopCapturer');
    }
  }
  const desktop = await deps.desktopCapture(settings);
  try {
    const service = await deps.create(settings, desktop);
    desktop.attach?.(service);
    return { service, backend: 'desktop-capturer' };
  } catch (e) {
    // create() started the source only if it got that far; stopping twice is safe.
    await desktop.source?.stop();
    throw e;
  }
}
