import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwdCommand } from '../../src/main/cli-passwd.js';
import type { Session } from '../../src/main/rfb/session.js';
import { startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { TestViewer } from '../support/test-viewer.js';
import { tigerVncpasswd } from '../support/tigervnc.js';
import { vncAuthLogin, type Login } from '../support/vnc-auth-client.js';
import { XEventLog } from '../support/x-event-log.js';
import { waitExit } from '../support/x-helpers.js';
import { startXvfb, xrun, type XvfbHandle } from '../support/xvfb.js';

/**
 * The two passwords end to end, on an Xvfb desktop whose password file
 * TigerVNC's vncpasswd wrote: what a viewer's input does is checked from the
 * X side (an event-logging window, the X server's pointer), and TigerVNC's
 * own viewer logs in with files `trayvnc passwd` wrote.
 */
const FULL = 'Contr0l!';
const VIEW_ONLY = 'JustL00k';
const XK_a = 0x61;
const XK_b = 0x62;

async function until<T>(get: () => Promise<T> | T, ok: (v: T) => boolean, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function loggedIn(login: Login): TestViewer {
  if (!login.ok) throw new Error(`login refused: ${login.reason}`);
  const v = TestViewer.over(login.sock, login);
  v.setEncodings([0]);
  return v;
}

/** Input is handled in order: once an update asked for after it arrives, the server has dealt with the input. */
async function barrier(v: TestViewer): Promise<void> {
  v.request(false, { x: 0, y: 0, w: 1, h: 1 });
  await v.nextUpdate(8000);
}

const pointerAt = async (display: string): Promise<string> => (await xrun(display, 'xdotool', ['getmouselocation'])).split(' screen')[0]!;

describe('passwords on an X desktop', () => {
  let desk: DesktopServer;
  let log: XEventLog;
  let viewerX: XvfbHandle;
  const dir = mkdtempSync(join(tmpdir(), 'trayvnc-passwords-e2e-'));

  beforeAll(async () => {
    const file = join(dir, 'vncpasswd');
    writeFileSync(file, tigerVncpasswd(FULL, VIEW_ONLY), { mode: 0o600 });
    desk = await startDesktopServer({ width: 640, height: 480, seed: 7, config: { password_file: file } });
    log = await XEventLog.open(desk.xvfb.display);
    viewerX = await startXvfb({ width: 320, height: 240, firstDisplay: 140 });
  }, 60_000);

  afterAll(async () => {
    await log?.close();
    await desk?.stop();
    await viewerX?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('input from a viewer with the view-only password has no effect; the password gives control', async () => {
    await xrun(desk.xvfb.display, 'xdotool', ['mousemove', '320', '240']);
    await until(() => pointerAt(desk.xvfb.display), (p) => p === 'x:320 y:240', 'the pointer at the start');
    await log.settle();
    log.clear();

    const watcher = loggedIn(await vncAuthLogin(desk.port, VIEW_ONLY));
    try {
      watcher.pointer(50, 60, 0);
      watcher.pointer(50, 60, 1);
      watcher.pointer(50, 60, 0);
      watcher.key(XK_a, true);
      watcher.key(XK_a, false);
      await barrier(watcher);
      await log.settle();
      await new Promise((r) => setTimeout(r, 300));
      await log.settle();
      expect(log.events).toEqual([]);
      expect(await pointerAt(desk.xvfb.display)).toBe('x:320 y:240');
      expect(desk.service.server.clients.map((s: Session) => s.viewOnly)).toEqual([true]);

      // The same input with the password arrives (and so would have the view-only viewer's, had it been let through).
      const controller = loggedIn(await vncAuthLogin(desk.port, FULL));
      try {
        controller.pointer(300, 200, 0);
        controller.pointer(300, 200, 1);
        controller.pointer(300, 200, 0);
        controller.key(XK_b, true);
        controller.key(XK_b, false);
        await log.waitFor((e) => e.type === 'KeyRelease' && e.keysym === XK_b, 1, 8000);
        await until(() => pointerAt(desk.xvfb.display), (p) => p === 'x:300 y:200', 'the pointer moved by the full-control viewer');
        expect(log.events.some((e) => e.type === 'ButtonPress' && e.rootX === 300 && e.rootY === 200)).toBe(true);
        expect(log.events.some((e) => e.keysym === XK_a || e.rootX === 50)).toBe(false);
        // the view-only viewer, still connected, still changes nothing
        watcher.key(XK_a, true);
        watcher.key(XK_a, false);
        await barrier(watcher);
        await log.settle();
        expect(log.events.some((e) => e.keysym === XK_a)).toBe(false);
      } finally {
        controller.close();
      }
    } finally {
      watcher.close();
    }
  }, 60_000);

  it('TigerVNC’s vncviewer logs in with files trayvnc passwd wrote: the password for control, the view-only one to watch', async () => {
    const write = async (path: string, input: string) => {
      const stdin = new PassThrough();
      const quiet = { write: () => true };
      const done = passwdCommand([path], { stdin, stdout: quiet, stderr: quiet });
      stdin.end(input);
      expect(await done).toBe(0);
    };
    const fullFile = join(dir, 'full');
    const viewFile = join(dir, 'view');
    await write(fullFile, `${FULL}\n`);
    await write(viewFile, `${VIEW_ONLY}\n`);

    for (const [file, viewOnly] of [
      [fullFile, false],
      [viewFile, true],
    ] as const) {
      const before = new Set(desk.service.server.clients);
      const viewer: ChildProcess = spawn('vncviewer', ['-passwd', file, '-SecurityTypes', 'VncAuth', '-Shared', `127.0.0.1::${desk.port}`], {
        env: { ...process.env, DISPLAY: viewerX.display },
        stdio: 'ignore',
      });
      try {
        const session = await until(
          () => desk.service.server.clients.find((s) => !before.has(s)),
          (s) => s !== undefined,
          `vncviewer -passwd ${file} to connect`,
          15_000,
        );
        expect(session!.viewOnly).toBe(viewOnly);
      } finally {
        viewer.kill('SIGTERM');
        if (!(await waitExit(viewer, 3000))) viewer.kill('SIGKILL');
      }
    }
  }, 60_000);

  it.each([
    ['RFB 003.889\n', 'macOS Screen Sharing'],
    ['RFB 003.003\n', 'an RFB 3.3 viewer'],
  ])('a client announcing %j (%s) logs in with VNC Authentication', async (version) => {
    const login = await vncAuthLogin(desk.port, FULL, version);
    expect(login.serverVersion).toBe('RFB 003.008\n');
    if (!login.ok) throw new Error(`refused: ${login.reason}`);
    expect([login.width, login.height]).toEqual([640, 480]);
    const v = loggedIn(login);
    try {
      v.request(false);
      const rects = await v.nextUpdate(8000);
      expect(rects.reduce((n, r) => n + r.w * r.h, 0)).toBe(640 * 480);
    } finally {
      v.close();
    }
    const wrong = await vncAuthLogin(desk.port, 'not-it!!', version);
    expect(wrong.ok).toBe(false);
  }, 30_000);
});
