import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { AppLike } from '../electron-seam.js';

/**
 * "Start at login". macOS and Windows have it in Electron
 * (`app.setLoginItemSettings`); Linux desktops follow the XDG autostart
 * specification instead: a .desktop file in ~/.config/autostart. Either way
 * the login launch carries HIDDEN_ARG, so the app comes up in the tray
 * without opening its window. The OS keeps the truth (the login item or the
 * file), so the setting is read back from it rather than stored twice.
 */

export const HIDDEN_ARG = '--hidden';

export const AUTOSTART_FILE = 'trayvnc.desktop';

export interface LoginItem {
  isEnabled(): boolean;
  setEnabled(on: boolean): void;
}

export interface LoginItemOptions {
  platform: NodeJS.Platform;
  app: Pick<AppLike, 'setLoginItemSettings' | 'getLoginItemSettings' | 'isPackaged'>;
  env: NodeJS.ProcessEnv;
  home: string;
  /** process.execPath: the app's executable (Electron itself when run from a checkout). */
  execPath: string;
  /** The compiled entry, passed to Electron when not packaged. */
  entry: string;
}

/** The command a login launch runs. */
export function loginCommand(opts: Pick<LoginItemOptions, 'app' | 'env' | 'execPath' | 'entry'>): string[] {
  if (!opts.app.isPackaged) return [opts.execPath, opts.entry, HIDDEN_ARG];
  // An AppImage runs from a temporary mount; $APPIMAGE is the file itself, which stays put.
  return [opts.env['APPIMAGE'] || opts.execPath, HIDDEN_ARG];
}

const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/**
 * One argument of a desktop entry's Exec key: quoted when it holds a
 * reserved character, with ", `, $ and \ escaped inside the quotes; then the
 * string-value escaping (\ doubled) and % doubled (it starts field codes).
 */
export function desktopExecArg(arg: string): string {
  let s = arg;
  if (s === '' || RESERVED.test(s)) s = `"${s.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
  return s.replace(/\\/g, '\\\\').replace(/%/g, '%%');
}

export function autostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=TrayVNC',
    'Comment=Share this desktop over VNC',
    `Exec=${command.map(desktopExecArg).join(' ')}`,
    'Icon=trayvnc',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** $XDG_CONFIG_HOME/autostart (only an absolute XDG_CONFIG_HOME counts, as the spec says), else ~/.config/autostart. */
export function autostartDir(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env['XDG_CONFIG_HOME'];
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.config'), 'autostart');
}

class XdgAutostart implements LoginItem {
  constructor(
    private readonly file: string,
    private readonly command: readonly string[],
  ) {}

  isEnabled(): boolean {
    if (!existsSync(this.file)) return false;
    // A user may switch it off in the desktop's settings, which rewrites the file rather than removing it.
    const text = readFileSync(this.file, 'utf8');
    return !/^Hidden\s*=\s*true\s*$/m.test(text) && !/^X-GNOME-Autostart-enabled\s*=\s*false\s*$/m.test(text);
  }

  setEnabled(on: boolean): void {
    if (!on) {
      rmSync(this.file, { force: true });
      return;
    }
    mkdirSync(join(this.file, '..'), { recursive: true });
    writeFileSync(this.file, autostartEntry(this.command));
  }
}

class ElectronLoginItem implements LoginItem {
  constructor(
    private readonly app: LoginItemOptions['app'],
    /** Windows: the arguments of the login launch (and to read it back, the same ones). */
    private readonly args: string[],
  ) {}

  isEnabled(): boolean {
    return this.app.getLoginItemSettings({ args: this.args }).openAtLogin;
  }

  setEnabled(on: boolean): void {
    this.app.setLoginItemSettings({ openAtLogin: on, args: this.args });
  }
}

/** The login item of this platform, or null where there is none. */
export function loginItemFor(opts: LoginItemOptions): LoginItem | null {
  const command = loginCommand(opts);
  switch (opts.platform) {
    case 'darwin':
    case 'win32':
      return new ElectronLoginItem(opts.app, command.slice(1));
    case 'linux':
    case 'freebsd':
    case 'openbsd':
    case 'netbsd':
      return new XdgAutostart(join(autostartDir(opts.env, opts.home), AUTOSTART_FILE), command);
    default:
      return null;
  }
}

/** Whether this launch came from the login item (then the window stays closed). */
export function launchedHidden(argv: readonly string[], platform: NodeJS.Platform, app: Pick<AppLike, 'getLoginItemSettings'>): boolean {
  if (argv.includes(HIDDEN_ARG)) return true;
  // macOS starts login items without arguments, but says so.
  return platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true;
}
