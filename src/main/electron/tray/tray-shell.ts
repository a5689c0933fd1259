import { invitationsOf } from '../../app/invitations.js';
import type os from 'node:os';
import type { Logger } from 'pino';
import type { ClientInfo, UpdateSettingsResult } from '../../../shared/control-contract.js';
import type { RecordingStatusInfo } from '../../../shared/recording-contract.js';
import type { Settings } from '../../../shared/settings-schema.js';
import { ControlService } from '../../app/control-service.js';
import { getLogger } from '../../base/logger.js';
import { ControlSwitch } from '../window/control-switch.js';
import type { ElectronSeam, PreventableEvent, TrayLike } from '../electron-seam.js';
import { ensureFirstRunPassword, passwordNotice, type FirstRunStore } from '../service/first-run.js';
import { idleTarget } from '../service/idle-target.js';
import type { LoginItem } from './login-item.js';
import { ClientWatcher } from './viewer-notifications.js';
import { ApprovalDialogs } from './approval-dialogs.js';
import type { CreatedService, ServiceLike } from '../service/service-factory.js';
import { addressesToShare, buildTrayMenu, toMenuTemplate, trayState, trayTooltip, type MenuAction, type TrayState } from './tray-menu.js';

/**
 * The tray app's behaviour, over the Electron seam: the icon and its menu
 * follow the server's state; Start/Stop sharing make and drop a service (a
 * service is not restartable, so "start" is always a new one from the saved
 * settings); viewers arriving and leaving raise notifications; settings that
 * need a restart get one as soon as nobody is watching (or when the user
 * asks from the menu); the password is never missing where the network can
 * reach the server.
 *
 * Every start, stop and restart runs in one queue, so clicks that arrive
 * while one is under way wait their turn instead of racing it.
 */

/** Who answered an accept prompt from a dialog, in the log and the audit trail. */
export const TRAY_ORIGIN = 'the tray app';

export interface ShellStore extends FirstRunStore {
  save(settings: Settings): void;
}

export interface ShellDeps {
  seam: Pick<ElectronSeam, 'platform' | 'createTray' | 'notify' | 'clipboard' | 'showMessageBox' | 'app'>;
  store: ShellStore;
  createService(settings: Settings): Promise<CreatedService>;
  /** The icon file for a state (tray-icons.ts). */
  trayIcon(state: TrayState): string;
  loginItem: LoginItem | null;
  /** Open (or bring forward) the TrayVNC window. */
  openWindow(): void;
  interfaces(): ReturnType<typeof os.networkInterfaces>;
  randomBytes(n: number): Uint8Array;
  log?: Logger;
}

interface Running {
  service: ServiceLike;
  control: ControlService;
  detach: () => void;
}

export class TrayShell {
  /** The control API the window talks to, across restarts. */
  readonly control: ControlSwitch;
  private readonly log: Logger;
  private tray: TrayLike | null = null;
  private running: Running | null = null;
  private queue: Promise<void> = Promise.resolve();
  private restartQueued = false;
  /** The last recording error told, so each is notified once. */
  private recordingError: string | null = null;
  private restartPending = false;
  private problem: string | null = null;
  private quitting = false;
  private shutDown = false;
  private icon: string | null = null;
  private readonly watcher: ClientWatcher;
  private readonly approvals: ApprovalDialogs;

  constructor(private readonly deps: ShellDeps) {
    this.log = deps.log ?? getLogger('tray');
    this.control = new ControlSwitch(this.idleControl());
    this.watcher = new ClientWatcher((n) => deps.seam.notify(n));
    this.approvals = new ApprovalDialogs({
      showMessageBox: (options) => deps.seam.showMessageBox(options),
      answer: (id, answer) => this.running?.control.answerApproval(id, answer, TRAY_ORIGIN),
      log: this.log,
    });
  }

  get isQuitting(): boolean {
    return this.quitting;
  }

  get isSharing(): boolean {
    return this.running !== null;
  }

  /** Put the icon in the tray; start sharing when asked to. */
  async init(opts: { share: boolean }): Promise<void> {
    const tray = this.deps.seam.createTray(this.deps.trayIcon('stopped'));
    this.icon = this.deps.trayIcon('stopped');
    this.tray = tray;
    // Windows opens a tray app's window on a left click; elsewhere a click shows the menu.
    if (this.deps.seam.platform === 'win32') tray.on('click', () => this.deps.openWindow());
    this.refresh();
    if (opts.share) await this.startSharing();
  }

  startSharing(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  stopSharing(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  /** Stop and start again with the saved settings. */
  restart(): Promise<void> {
    if (this.restartQueued) return this.queue;
    this.restartQueued = true;
    return this.enqueue(async () => {
      this.restartQueued = false;
      if (!this.running) return;
      this.log.info('restarting to apply changed settings');
      await this.doStop();
      await this.doStart();
    });
  }

  /** A menu item was clicked. */
  async dispatch(a: MenuAction): Promise<void> {
    switch (a.action) {
      case 'start':
        return this.startSharing();
      case 'stop':
        return this.stopSharing();
      case 'restart':
        return this.restart();
      case 'start-recording':
        await this.running?.control.recordings.start().catch((e: unknown) => {
          this.deps.seam.notify({ title: 'Could not start recording', body: (e as Error).message });
        });
        return;
      case 'stop-recording':
        await this.running?.control.recordings.stop().catch((e: unknown) => this.log.warn({ err: e }, 'could not stop recording'));
        return;
      case 'copy-address':
        await this.deps.seam.clipboard.writeText(a.address).catch((e: unknown) => this.log.warn({ err: e }, 'could not copy the address'));
        return;
      case 'invite':
        return this.invite();
      case 'disconnect':
        try {
          this.running?.control.disconnectClient(a.id, 'the tray menu');
        } catch (e) {
          this.log.info({ err: e, id: a.id }, 'client already gone');
        }
        return;
      case 'toggle-login':
        return this.toggleLogin();
      case 'open':
        this.deps.openWindow();
        return;
      case 'quit':
        this.deps.seam.app.quit();
        return;
    }
  }

  /** Make an invitation (an hour, one viewer, full control) and copy its link; say what happened either way. */
  private async invite(): Promise<void> {
    const control = this.running?.control;
    if (!control) return;
    try {
      const made = invitationsOf(control.target).create({ label: 'invited from the tray' });
      await this.deps.seam.clipboard.writeText(made.link);
      this.deps.seam.notify({ title: 'Invitation link copied', body: 'It lets one person in with the browser viewer, for the next hour. Send it privately.' });
    } catch (e) {
      this.deps.seam.notify({ title: 'Could not make an invitation', body: (e as Error).message });
    }
  }

  /**
   * `app`'s before-quit: the first time, hold the quit until sharing has
   * stopped (viewers get a clean close), then quit for real.
   */
  onBeforeQuit(event: PreventableEvent): void {
    this.quitting = true;
    if (this.shutDown) return;
    event.preventDefault();
    void this.shutdown().finally(() => this.deps.seam.app.quit());
  }

  /** Stop sharing and take the icon away. */
  async shutdown(): Promise<void> {
    this.quitting = true;
    await this.enqueue(() => this.doStop());
    this.tray?.destroy();
    this.tray = null;
    this.shutDown = true;
  }

  // -------------------------------------------------------------------------

  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.queue.then(op).catch((e: unknown) => this.log.error({ err: e }, 'tray operation failed'));
    this.queue = run;
    return run;
  }

  private idleControl(): ControlService {
    const settings = this.deps.store.settings;
    return new ControlService(idleTarget(settings), { settings, saveSettings: (s) => this.deps.store.save(s), log: this.log, systemCapture: true });
  }

  private async doStart(): Promise<void> {
    if (this.running || this.shutDown) return;
    const firstRun = !this.deps.store.existed;
    let generated: string | null = null;
    try {
      generated = ensureFirstRunPassword(this.deps.store, this.deps.randomBytes).password;
    } catch (e) {
      // Without a saved password, a server open to the network must not start.
      return this.startFailed(`the password could not be saved: ${(e as Error).message}`);
    }
    if (generated) {
      // The idle API holds its own copy of the settings: give it the ones with the password, or its next save would drop it.
      await this.switchControl(this.idleControl());
      void this.showPassword(generated, firstRun);
    }

    const settings = this.deps.store.settings;
    let service: ServiceLike | null = null;
    // One control API per service, shared by the window and the dashboard (when its port is set), saving every change.
    const controlOptions = { settings, saveSettings: (s: Settings) => this.deps.store.save(s), log: this.log, systemCapture: true };
    try {
      ({ service } = await this.deps.createService(settings));
      await service.start(controlOptions);
    } catch (e) {
      await service?.stop().catch((err: unknown) => this.log.warn({ err }, 'stopping a service that failed to start failed too'));
      return this.startFailed((e as Error).message);
    }
    const control = service.control ?? new ControlService(service, { metrics: service.metrics, ...controlOptions });
    const offClients = control.subscribe('clients', (list) => this.onClients(list));
    const offSettings = control.subscribe('settings', (r) => this.onSettings(r));
    const offRecording = control.subscribe('recording', (r) => this.onRecording(r));
    // Viewers waiting to be let in (accept_prompt) get a dialog each.
    const offApprovals = control.subscribe('approval', (e) => this.approvals.onEvent(e));
    this.running = { service, control, detach: () => (offClients(), offSettings(), offRecording(), offApprovals(), this.approvals.closeAll()) };
    this.problem = null;
    this.restartPending = false;
    this.watcher.reset(control.listClients());
    await this.switchControl(control);
    this.log.info({ address: service.listening, source: service.source.name }, 'sharing');
    this.refresh();
  }

  private startFailed(message: string): void {
    this.problem = message;
    this.log.error({ problem: message }, 'could not start sharing');
    this.deps.seam.notify({ title: 'Could not start sharing', body: message });
    this.refresh();
  }

  private async doStop(): Promise<void> {
    const r = this.running;
    if (!r) return;
    this.running = null;
    this.restartPending = false;
    r.detach();
    // The window moves to the idle API first, so it never talks to a stopped service.
    await this.switchControl(this.idleControl());
    try {
      await r.service.stop();
    } catch (e) {
      this.log.warn({ err: e }, 'stopping the service failed');
    }
    this.watcher.reset([]);
    this.log.info('sharing stopped');
    this.refresh();
  }

  /** Move the window to another API and close the one it leaves. */
  private async switchControl(next: ControlService): Promise<void> {
    const previous = this.control.service;
    await this.control.switchTo(next);
    if (previous !== next) previous.close();
  }

  private onClients(list: ClientInfo[]): void {
    this.watcher.update(list);
    this.refresh();
    if (this.restartPending && list.length === 0) void this.restart();
  }

  /** The icon follows recording; a recording that stopped on its own (a full disk) is said out loud. */
  private onRecording(r: RecordingStatusInfo): void {
    if (r.error && r.error !== this.recordingError) {
      this.deps.seam.notify({ title: 'Recording stopped', body: r.error });
    }
    this.recordingError = r.error;
    this.refresh();
  }

  private onSettings(r: UpdateSettingsResult): void {
    if (!this.running || r.restartRequired.length === 0) return;
    if (this.running.service.server.clients.length === 0) {
      void this.restart();
    } else if (!this.restartPending) {
      // Restarting now would cut the viewers off: wait for them to leave (or for the menu).
      this.restartPending = true;
      this.refresh();
    }
  }

  private async toggleLogin(): Promise<void> {
    const item = this.deps.loginItem;
    if (!item) return;
    try {
      item.setEnabled(!item.isEnabled());
    } catch (e) {
      this.log.warn({ err: e }, 'could not change the login item');
      this.deps.seam.notify({ title: 'TrayVNC', body: `Could not change "Start at login": ${(e as Error).message}` });
    }
    this.refresh();
  }

  private loginState(): boolean | null {
    try {
      return this.deps.loginItem ? this.deps.loginItem.isEnabled() : null;
    } catch {
      return null;
    }
  }

  private async showPassword(password: string, firstRun: boolean): Promise<void> {
    const n = passwordNotice(password, firstRun);
    try {
      const { response } = await this.deps.seam.showMessageBox({
        type: 'info',
        title: n.title,
        message: n.message,
        detail: n.detail,
        buttons: n.buttons,
        defaultId: 0,
        cancelId: 1,
        noLink: true,
      });
      if (response === 0) await this.deps.seam.clipboard.writeText(password);
    } catch (e) {
      this.log.warn({ err: e }, 'could not show the new password');
    }
  }

  /** Redraw the icon, tooltip and menu from the current state. */
  refresh(): void {
    const tray = this.tray;
    if (!tray) return;
    const control = this.control.service;
    const state = control.getState();
    const clients = this.running ? control.listClients() : [];
    const addresses = state.address ? addressesToShare(this.deps.interfaces(), state.address.port, state.address.host) : [];
    const icon = this.deps.trayIcon(trayState(state));
    if (icon !== this.icon) {
      tray.setImage(icon);
      this.icon = icon;
    }
    tray.setToolTip(trayTooltip(state, clients));
    const model = buildTrayMenu(state, clients, addresses, {
      startAtLogin: this.loginState(),
      restartPending: this.restartPending,
      problem: this.problem,
    });
    tray.setContextMenu(toMenuTemplate(model, (a) => void this.dispatch(a)));
  }
}
