import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Settings } from '../../../shared/settings-schema.js';
import type { ControlService, ControlServiceOptions, ControlTarget, MetricsSource } from '../../app/control-service.js';
import type { DesktopOverride } from '../../app/vnc-service.js';
import { getLogger } from '../../base/logger.js';
import { chooseDesktopBackend, type BackendChoice } from '../../desktop/backend-choice.js';

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
  /** Build a service (VncService.create): on the backend chosen, or on the desktop given. */
  create(settings: Settings, desktop?: DesktopOverride, backend?: BackendChoice): Promise<ServiceLike>;
  /** The desktopCapturer desktop for these settings (desktop-capture.ts). */
  desktopCapture(settings: Settings): Promise<DesktopCapture>;
  log?: Logger;
}

/** What the tray app built: X11 or the test pattern from the settings, or the system's screen capture through desktopCapturer. */
export type TrayBackend = 'x11' | 'synthetic' | 'desktop-capturer';

export interface CreatedService {
  service: ServiceLike;
  backend: TrayBackend;
  /** The choice behind it, with its reason (after a fallback, the fallback's). */
  choice: BackendChoice;
}

/**
 * A new, not yet started service for the settings, on the backend the
 * platform calls for (desktop/backend-choice.ts; the tray app has the
 * system's screen capture). When the X11 backend was only guessed from the
 * session and the display refuses it, desktopCapturer is tried before giving
 * up; a source the settings name is never second-guessed.
 */
export async function createService(settings: Settings, deps: ServiceFactoryDeps): Promise<CreatedService> {
  const log = deps.log ?? getLogger('tray');
  let choice = chooseDesktopBackend({ settings, platform: deps.platform, env: deps.env, systemCapture: true });
  log.info({ backend: choice.backend, display: choice.display, reason: choice.reason }, 'desktop backend chosen');
  if (choice.backend !== 'system-capture') {
    try {
      return { service: await deps.create(settings, undefined, choice), backend: choice.backend, choice };
    } catch (e) {
      if (choice.explicit) throw e;
      log.warn({ err: e }, 'the X11 backend failed to start; trying desktopCapturer');
      choice = { backend: 'system-capture', reason: `${choice.reason}, but X11 failed to start: ${(e as Error).message}`, explicit: false };
    }
  }
  const desktop = await deps.desktopCapture(settings);
  try {
    const service = await deps.create(settings, desktop, choice);
    desktop.attach?.(service);
    return { service, backend: 'desktop-capturer', choice };
  } catch (e) {
    // create() started the source only if it got that far; stopping twice is safe.
    await desktop.source?.stop();
    throw e;
  }
}
