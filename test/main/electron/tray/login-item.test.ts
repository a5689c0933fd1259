import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AUTOSTART_FILE,
  autostartDir,
  autostartEntry,
  desktopExecArg,
  HIDDEN_ARG,
  launchedHidden,
  loginCommand,
  loginItemFor,
} from '../../../../src/main/electron/tray/login-item.js';
import { FakeApp } from '../fake-electron.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'trayvnc-home-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

function app(packaged: boolean): FakeApp {
  const a = new FakeApp('/unused');
  a.isPackaged = packaged;
  return a;
}

describe('loginCommand', () => {
  it('runs Electron with the entry from a checkout', () => {
    expect(loginCommand({ app: app(false), env: {}, execPath: '/e/electron', entry: '/src/dist/main/electron/main.js' })).toEqual([
      '/e/electron',
      '/src/dist/main/electron/main.js',
      HIDDEN_ARG,
    ]);
  });

  it('runs the packaged executable, or the AppImage file itself', () => {
    expect(loginCommand({ app: app(true), env: {}, execPath: '/opt/TrayVNC/trayvnc', entry: 'x' })).toEqual(['/opt/TrayVNC/trayvnc', HIDDEN_ARG]);
    expect(loginCommand({ app: app(true), env: { APPIMAGE: '/home/u/Apps/TrayVNC.AppImage' }, execPath: '/tmp/.mount_x/trayvnc', entry: 'x' })).toEqual([
      '/home/u/Apps/TrayVNC.AppImage',
      HIDDEN_ARG,
    ]);
  });
});

describe('desktop entry Exec quoting', () => {
  it('leaves plain arguments alone', () => {
    expect(desktopExecArg('/usr/bin/trayvnc')).toBe('/usr/bin/trayvnc');
    expect(desktopExecArg('--hidden')).toBe('--hidden');
  });

  it('quotes arguments with reserved characters and escapes inside the quotes', () => {
    expect(desktopExecArg('/home/me/My Apps/TrayVNC.AppImage')).toBe('"/home/me/My Apps/TrayVNC.AppImage"');
    expect(desktopExecArg('a"b')).toBe('"a\\\\"b"');
    expect(desktopExecArg('$HOME')).toBe('"\\\\$HOME"');
    // a literal backslash takes four in the file (quoting, then string escaping)
    expect(desktopExecArg('a\\b')).toBe('"a\\\\\\\\b"');
    expect(desktopExecArg('')).toBe('""');
  });

  it('doubles % so it is not read as a field code', () => {
    expect(desktopExecArg('/opt/100%/x')).toBe('/opt/100%%/x');
  });

  it('writes a complete autostart entry', () => {
    const text = autostartEntry(['/opt/Tray VNC/trayvnc', HIDDEN_ARG]);
    expect(text).toContain('[Desktop Entry]\nType=Application\nName=TrayVNC\n');
    expect(text).toContain('Exec="/opt/Tray VNC/trayvnc" --hidden\n');
    expect(text).toContain('X-GNOME-Autostart-enabled=true');
  });
});

describe('autostartDir', () => {
  it('uses an absolute XDG_CONFIG_HOME, else ~/.config', () => {
    expect(autostartDir({ XDG_CONFIG_HOME: '/cfg' }, '/home/u')).toBe('/cfg/autostart');
    expect(autostartDir({ XDG_CONFIG_HOME: 'relative' }, '/home/u')).toBe('/home/u/.config/autostart');
    expect(autostartDir({}, '/home/u')).toBe('/home/u/.config/autostart');
  });
});

describe('the Linux login item', () => {
  const opts = () => ({ platform: 'linux' as const, app: app(true), env: {}, home, execPath: '/opt/TrayVNC/trayvnc', entry: 'x' });
  const file = () => join(home, '.config', 'autostart', AUTOSTART_FILE);

  it('writes and removes the XDG autostart file, and reads its state back from it', () => {
    const item = loginItemFor(opts());
    if (!item) throw new Error('expected a login item on Linux');
    expect(item.isEnabled()).toBe(false);
    item.setEnabled(true);
    expect(existsSync(file())).toBe(true);
    expect(readFileSync(file(), 'utf8')).toContain('Exec=/opt/TrayVNC/trayvnc --hidden\n');
    expect(item.isEnabled()).toBe(true);
    item.setEnabled(false);
    expect(existsSync(file())).toBe(false);
    expect(item.isEnabled()).toBe(false);
    item.setEnabled(false); // nothing to remove: no error
  });

  it('counts an entry switched off in the desktop settings as off', () => {
    const item = loginItemFor(opts());
    mkdirSync(join(home, '.config', 'autostart'), { recursive: true });
    writeFileSync(file(), '[Desktop Entry]\nExec=trayvnc\nHidden=true\n');
    expect(item?.isEnabled()).toBe(false);
    writeFileSync(file(), '[Desktop Entry]\nExec=trayvnc\nX-GNOME-Autostart-enabled=false\n');
    expect(item?.isEnabled()).toBe(false);
    item?.setEnabled(true);
    expect(item?.isEnabled()).toBe(true);
  });
});

describe('the macOS and Windows login item', () => {
  it("goes through app.setLoginItemSettings with the hidden flag, and reads back Electron's answer", () => {
    const a = app(true);
    const item = loginItemFor({ platform: 'win32', app: a, env: {}, home, execPath: 'C:\\TrayVNC\\TrayVNC.exe', entry: 'x' });
    expect(item?.isEnabled()).toBe(false);
    item?.setEnabled(true);
    expect(a.loginItem).toEqual({ openAtLogin: true, args: [HIDDEN_ARG] });
    expect(item?.isEnabled()).toBe(true);
    item?.setEnabled(false);
    expect(a.loginItem.openAtLogin).toBe(false);
    expect(item?.isEnabled()).toBe(false);
    expect(existsSync(join(home, '.config'))).toBe(false);
  });

  it('passes the entry too when run from a checkout', () => {
    const a = app(false);
    loginItemFor({ platform: 'darwin', app: a, env: {}, home, execPath: '/e/Electron', entry: '/src/main.js' })?.setEnabled(true);
    expect(a.loginItem.args).toEqual(['/src/main.js', HIDDEN_ARG]);
  });

  it('has none on other platforms', () => {
    expect(loginItemFor({ platform: 'aix', app: app(true), env: {}, home, execPath: 'x', entry: 'x' })).toBeNull();
  });
});

describe('launchedHidden', () => {
  it('is true for the hidden flag, or a macOS login launch', () => {
    const a = app(true);
    expect(launchedHidden(['/opt/trayvnc', HIDDEN_ARG], 'linux', a)).toBe(true);
    expect(launchedHidden(['/opt/trayvnc'], 'linux', a)).toBe(false);
    expect(launchedHidden(['/Applications/TrayVNC.app'], 'darwin', a)).toBe(false);
    a.wasOpenedAtLogin = true;
    expect(launchedHidden(['/Applications/TrayVNC.app'], 'darwin', a)).toBe(true);
    expect(launchedHidden(['C:\\TrayVNC.exe'], 'win32', a)).toBe(false);
  });
});
