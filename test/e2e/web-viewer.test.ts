import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFrame, type Frame } from '../../src/main/framebuffer/frame.js';
import { diffFrames, type DesktopPainter } from '../support/desktop-image.js';
import { startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/novnc-browser.js';
import { XEventLog } from '../support/x-event-log.js';
import { xrun } from '../support/xvfb.js';

/**
 * The bundled browser viewer as someone new to it uses it: a server sharing
 * an Xvfb desktop with the dashboard on, `http://127.0.0.1:PORT/viewer`
 * opened in Chromium, controls found by role and label. What reaches the X
 * server is read from an X client's own event log.
 *
 * Screenshots, light and dark, at a desktop and a phone size, are written to
 * test-artifacts/screenshots/viewer-*.png.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const WIDTH = 800;
const HEIGHT = 600;
const PASSWORD = 'secret12';
/** A name that resolves to this computer but is not "localhost": a page from it is not a secure context, like a phone's on the network. */
const PLAIN_HOST = 'viewer.test';

const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** The status line's text. */
const statusOf = (page: Page): Promise<string> => page.getByRole('status', { name: 'Connection status' }).innerText();

/** Poll (bounded) until the canvas shows `expected` exactly (read in the page: this file has no DOM types); the last difference count. */
async function waitForDesktop(page: Page, expected: Frame, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = (await page.evaluate(`(() => {
      const c = document.querySelector('#screen canvas');
      if (!c || c.width === 0) return { width: 0, height: 0, rgba: '' };
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let bin = '';
      for (let i = 0; i < d.length; i += 0x8000) bin += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
      return { width: c.width, height: c.height, rgba: btoa(bin) };
    })()`)) as { width: number; height: number; rgba: string };
    const f = createFrame(Math.max(1, r.width), Math.max(1, r.height));
    const b = Buffer.from(r.rgba, 'base64');
    for (let i = 0; i < r.width * r.height; i++) f.pixels[i] = (b[i * 4]! << 16) | (b[i * 4 + 1]! << 8) | b[i * 4 + 2]!;
    const count = f.width === expected.width && f.height === expected.height ? diffFrames(f, expected).count : -1;
    if (count === 0 || Date.now() > deadline) return count;
    await new Promise((r) => setTimeout(r, 200));
  }
}

type Box = { x: number; y: number; width: number; height: number };

/** Where the canvas is once noVNC has finished scaling it to a changed layout (bounded). */
async function settledCanvasBox(page: Page): Promise<Box> {
  const read = async () => JSON.stringify(await page.locator('#screen canvas').boundingBox());
  for (let i = 0, last = await read(); i < 50; i++) {
    await new Promise((r) => setTimeout(r, 150));
    const now = await read();
    if (now === last && now !== 'null') return JSON.parse(now) as Box;
    last = now;
  }
  throw new Error('the canvas kept moving');
}

/** A loopback TCP relay to the dashboard port, whose connections can be cut as a network would (no WebSocket close). */
async function relay(target: number): Promise<{ port: number; localPorts(): number[]; cut(): number; close(): Promise<void> }> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((inbound) => {
    const pair: [net.Socket, net.Socket] = [inbound, net.connect(target, '127.0.0.1')];
    pairs.add(pair);
    for (const s of pair) s.on('error', () => undefined).on('close', () => pairs.delete(pair));
    inbound.pipe(pair[1]).pipe(inbound);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as net.AddressInfo).port,
    /** The relay's own ports towards the server: how the server names these connections. */
    localPorts: () => [...pairs].map(([, out]) => out.localPort ?? 0),
    cut: () => [...pairs].map(([a, b]) => (a.resetAndDestroy(), b.destroy())).length,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** Keep part of the desktop changing until told to stop (bounded: 20 s at most). */
function animate(painter: DesktopPainter): () => Promise<void> {
  let running = true;
  const done = (async () => {
    for (let i = 0, end = Date.now() + 20_000; running && Date.now() < end; i++) {
      await painter.paintRect({ x: (i * 37) % 600, y: 40 + ((i * 23) % 300), w: 120, h: 80 }, 2 + (i % 5));
      await new Promise((r) => setTimeout(r, 15));
    }
  })();
  return () => ((running = false), done);
}

describe('the browser viewer at /viewer', () => {
  let desk: DesktopServer;
  let browser: Browser;
  let port: number;
  let fingerprint: string;
  let main: { context: BrowserContext; page: Page };
  const contexts: BrowserContext[] = [];
  /** Console lines and page errors from every page, for the policy check and failure messages. */
  const consoleLines: string[] = [];

  async function newPage(options: BrowserContextOptions = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext(options);
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const note = (line: string) => void (consoleLines.length < 500 && consoleLines.push(line));
    page.on('console', (m) => note(`${m.type()}: ${m.text()}`)).on('pageerror', (e) => note(`pageerror: ${e.message}`));
    return { context, page };
  }

  /** Open the viewer, accept the server's key (after comparing it), give the password; resolves once it says Connected. */
  async function logIn(page: Page, url = `http://127.0.0.1:${port}/viewer`, opts: { trust?: boolean; tap?: boolean; shots?: string } = {}): Promise<void> {
    const press = (l: ReturnType<Page['getByRole']>) => (opts.tap ? l.tap() : l.click());
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    if (opts.trust ?? true) {
      const trust = page.getByRole('dialog', { name: 'Check the server’s identity' });
      await trust.waitFor({ state: 'visible' });
      await expect.poll(() => trust.locator('code').innerText()).toBe(fingerprint);
      if (opts.shots) await page.screenshot({ path: join(SHOTS, `viewer-trust-${opts.shots}.png`) });
      await press(trust.getByRole('button', { name: 'Trust and continue' }));
    }
    const login = page.getByRole('dialog', { name: 'Log in to the desktop' });
    await login.waitFor({ state: 'visible' });
    expect(await login.getByLabel('User name').isVisible()).toBe(false);
    await login.getByLabel('Password').fill(PASSWORD);
    if (opts.shots) await page.screenshot({ path: join(SHOTS, `viewer-login-${opts.shots}.png`) });
    await press(login.getByRole('button', { name: 'Log in' }));
    await expect.poll(() => statusOf(page), { timeout: 10_000 }).toMatch(/^Connected/);
  }

  beforeAll(async () => {
    desk = await startDesktopServer({ width: WIDTH, height: HEIGHT, seed: 11, frameRate: 30, config: { dashboard_port: 0, password: PASSWORD } });
    port = desk.service.dashboard!.address.port;
    fingerprint = desk.service.control!.getState().identity!.rsaFingerprint!;
    const args = [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${PLAIN_HOST} 127.0.0.1`];
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args, timeout: 30_000 });
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await desk?.stop();
  }, 30_000);

  it('asks to check the server’s key, then for the password, and shows the desktop', async () => {
    main = await newPage();
    const { page } = main;
    await logIn(page);
    // Fit to window is the default: the whole desktop, scaled, exactly as the X screen shows it.
    expect(await page.getByLabel('Scale').inputValue()).toBe('fit');
    expect(await waitForDesktop(page, desk.painter.expected)).toBe(0);
    const box = (await page.locator('#screen canvas').boundingBox())!;
    const screen = (await page.locator('#screen').boundingBox())!;
    // Scaled to the area under the toolbar: as tall as it (within rounding), and no wider than the window.
    expect(Math.abs(box.height - screen.height)).toBeLessThanOrEqual(1);
    expect(box.width / box.height).toBeCloseTo(WIDTH / HEIGHT, 2);
    expect((await desk.service.control!.listClients()).length).toBe(1);
    // 1:1 draws it at its own size.
    await page.getByLabel('Scale').selectOption('native');
    await expect.poll(async () => (await page.locator('#screen canvas').boundingBox())?.width).toBe(WIDTH);
    await page.getByLabel('Scale').selectOption('fit');
    await expect.poll(async () => (await page.locator('#screen canvas').boundingBox())?.height).toBeCloseTo(screen.height, 0);
  }, 40_000);

  it('is linked from the dashboard’s Clients page', async () => {
    const { page, context } = await newPage();
    try {
      await page.goto(desk.service.dashboard!.pageUrl!);
      await page.getByRole('tab', { name: 'Clients', exact: true }).click();
      const link = page.getByRole('link', { name: 'Open the browser viewer' });
      expect(await link.getAttribute('href')).toBe('/viewer');
      const [opened] = await Promise.all([context.waitForEvent('page'), link.click()]);
      await opened!.getByRole('dialog', { name: 'Check the server’s identity' }).waitFor({ state: 'visible' });
      // The token stays with the dashboard.
      expect(opened!.url()).toBe(`http://127.0.0.1:${port}/viewer`);
    } finally {
      await context.close();
    }
  }, 30_000);

  it('shows the frames and bytes per second while the desktop changes', async () => {
    const { page } = main;
    const stop = animate(desk.painter);
    try {
      await expect.poll(async () => Number(await page.getByLabel('Frames per second').innerText()), { timeout: 8000 }).toBeGreaterThan(2);
      await expect.poll(() => page.getByLabel('Bandwidth received').innerText(), { timeout: 8000 }).toMatch(/^[\d.]+ (B|KB|MB)\/s$/);
      expect(await page.getByLabel('Bandwidth received').innerText()).not.toBe('0 B/s');
    } finally {
      await stop();
    }
    // Quiet again: the rate falls to nothing.
    await expect.poll(() => page.getByLabel('Frames per second').innerText(), { timeout: 8000 }).toBe('0.0');
    // The animation is over: the canvas catches up with the screen.
    expect(await waitForDesktop(page, desk.painter.expected)).toBe(0);
    // The plain pattern again (the X windows later tests open and close expose the root's background).
    await desk.painter.paintBackground(11);
    expect(await waitForDesktop(page, desk.painter.expected)).toBe(0);
  }, 40_000);

  it('labels every control, fits light and dark at desktop and phone sizes, and keeps screenshots', async () => {
    const backgrounds: Record<string, string> = {};
    const sizes = [['desktop', DESKTOP] as const, ['phone', PHONE] as const];
    for (const [size, options] of sizes) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const { page } = await newPage({ ...options, colorScheme });
        await logIn(page, undefined, { tap: size === 'phone', shots: `${size}-${colorScheme}` });
        expect(await waitForDesktop(page, desk.painter.expected)).toBe(0);
        const unlabeled = (await page.evaluate(`[...document.querySelectorAll('input, select, textarea, button, output')]
          .filter((el) => el.checkVisibility())
          .filter((el) => !(el.getAttribute('aria-label') || (el.labels && [...el.labels].some((l) => l.innerText.trim())) || el.innerText.trim()))
          .map((el) => el.outerHTML.slice(0, 120))`)) as string[];
        expect(unlabeled, `${size} ${colorScheme}`).toEqual([]);
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
        expect(overflow, `${size} ${colorScheme} scrolls sideways`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: join(SHOTS, `viewer-${size}-${colorScheme}.png`) });
        backgrounds[`${size}-${colorScheme}`] = (await page.evaluate('getComputedStyle(document.querySelector(".bar")).backgroundColor')) as string;
        // The clipboard panel opens above the desktop, the Keys menu over it, on the screen whole.
        const press = (l: ReturnType<Page['getByRole']>) => (size === 'phone' ? l.tap() : l.click());
        await press(page.getByRole('button', { name: 'Clipboard' }));
        await press(page.getByRole('button', { name: 'Keys' }));
        for (const name of ['Ctrl+Alt+Del', 'F12']) {
          const b = (await page.getByRole('button', { name, exact: true }).boundingBox())!;
          expect(b.x, name).toBeGreaterThanOrEqual(0);
          expect(b.x + b.width, name).toBeLessThanOrEqual(options.viewport!.width);
        }
        expect(await page.getByRole('button', { name: 'F12' }).isVisible()).toBe(true);
        await page.screenshot({ path: join(SHOTS, `viewer-panels-${size}-${colorScheme}.png`) });
        await page.context().close();
      }
    }
    expect(backgrounds['desktop-light']).not.toBe(backgrounds['desktop-dark']);
    expect(backgrounds['phone-light']).not.toBe(backgrounds['phone-dark']);
    // The page's strict policy let everything it needs run.
    expect(consoleLines.filter((l) => /Content Security Policy|pageerror/.test(l))).toEqual([]);
  }, 120_000);

  it('View only keeps clicks and keys from the desktop; turned off, they arrive', async () => {
    const { page } = main;
    // A small X window in the corner that records what it gets; it has the keyboard focus.
    const log = await XEventLog.open(desk.xvfb.display, { x: 0, y: 0, width: 320, height: 240 });
    try {
      const viewOnly = page.getByRole('button', { name: 'View only' });
      await viewOnly.click();
      expect(await viewOnly.getAttribute('aria-pressed')).toBe('true');
      const clipboard = page.getByRole('button', { name: 'Clipboard' });
      await clipboard.click();
      expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
      await clipboard.click();
      expect(await page.getByRole('button', { name: 'Send' }).count()).toBe(0);
      const box = await settledCanvasBox(page);
      const at = (x: number, y: number) => [box.x + (x * box.width) / WIDTH, box.y + (y * box.height) / HEIGHT] as const;
      await log.settle();
      log.clear();
      await page.mouse.move(...at(60, 60));
      await page.mouse.click(...at(100, 100));
      await page.mouse.click(...at(120, 90), { button: 'right' });
      await page.keyboard.type('nope');
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Keys' }).click();
      expect(await page.getByRole('button', { name: 'Ctrl+Alt+Del' }).isDisabled()).toBe(true);
      await page.getByRole('button', { name: 'Keys' }).click();
      await new Promise((r) => setTimeout(r, 1000));
      await log.settle();
      expect(log.events).toEqual([]);

      await viewOnly.click();
      expect(await viewOnly.getAttribute('aria-pressed')).toBe('false');
      await page.mouse.click(...at(100, 100));
      const [press] = await log.waitFor((e) => e.type === 'ButtonPress');
      expect(press!.detail).toBe(1);
      expect(Math.abs(press!.x - 100)).toBeLessThanOrEqual(2);
      expect(Math.abs(press!.y - 100)).toBeLessThanOrEqual(2);
      await page.keyboard.press('b');
      const [key] = await log.waitFor((e) => e.type === 'KeyPress');
      expect(key!.keysym).toBe(0x62);
    } finally {
      await log.close();
    }
  }, 40_000);

  it('sends Ctrl-Alt-Del, Esc and F12 from the Keys menu', async () => {
    const { page } = main;
    const log = await XEventLog.open(desk.xvfb.display, { x: 0, y: 0, width: 320, height: 240 });
    try {
      await log.settle();
      log.clear();
      const keys = page.getByRole('button', { name: 'Keys' });
      await keys.click();
      await page.getByRole('button', { name: 'Ctrl+Alt+Del' }).click();
      // The menu closes once a key is sent.
      await expect.poll(() => page.getByRole('button', { name: 'Ctrl+Alt+Del' }).isVisible()).toBe(false);
      const presses = await log.waitFor((e) => e.type === 'KeyPress', 3);
      const releases = await log.waitFor((e) => e.type === 'KeyRelease', 3);
      // XK_Control_L, XK_Alt_L, XK_Delete; let go in the reverse order.
      expect(presses.map((e) => e.keysym)).toEqual([0xffe3, 0xffe9, 0xffff]);
      expect(releases.map((e) => e.keysym)).toEqual([0xffff, 0xffe9, 0xffe3]);
      expect(presses[2]!.state & 0x0c).toBe(0x0c); // Control and Mod1 were down for Delete

      log.clear();
      for (const name of ['Esc', 'F12']) {
        await keys.click();
        await page.getByRole('button', { name, exact: true }).click();
      }
      const more = await log.waitFor((e) => e.type === 'KeyPress', 2);
      expect(more.map((e) => e.keysym)).toEqual([0xff1b, 0xffc9]);
    } finally {
      await log.close();
    }
  }, 30_000);

  it('shows what the desktop copies, and Send puts text on its clipboard', async () => {
    const { page } = main;
    await page.getByRole('button', { name: 'Clipboard' }).click();
    const text = page.getByLabel('Remote clipboard');
    // xclip owns the desktop's clipboard until it is killed (-quiet: in the foreground).
    const owner = spawn('xclip', ['-quiet', '-i', '-selection', 'clipboard'], { env: { ...process.env, DISPLAY: desk.xvfb.display }, stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      owner.stdin!.end('copied on the desktop ✓');
      await expect.poll(() => text.inputValue(), { timeout: 8000 }).toBe('copied on the desktop ✓');
    } finally {
      owner.kill();
    }
    await text.fill('sent from the browser €');
    await page.getByRole('button', { name: 'Send' }).click();
    const pasted = () => xrun(desk.xvfb.display, 'xclip', ['-o', '-selection', 'clipboard'], 3000).catch(() => '');
    await expect.poll(pasted, { timeout: 8000 }).toBe('sent from the browser €');
    await page.getByRole('button', { name: 'Clipboard' }).click();
    expect(await text.isVisible()).toBe(false);
  }, 30_000);

  it('types from the on-screen keyboard on a phone: characters, Backspace and Enter', async () => {
    const { page } = await newPage({ ...PHONE, colorScheme: 'light' });
    await logIn(page, undefined, { tap: true });
    const log = await XEventLog.open(desk.xvfb.display, { x: 0, y: 0, width: 320, height: 240 });
    try {
      await log.settle();
      log.clear();
      const keyboard = page.getByRole('button', { name: 'Keyboard' });
      await keyboard.tap();
      await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('touch-input');
      expect(await keyboard.getAttribute('aria-pressed')).toBe('true');
      await page.keyboard.type('hi');
      await page.keyboard.insertText('é');
      await page.keyboard.press('Backspace');
      await page.keyboard.press('Enter');
      const presses = await log.waitFor((e) => e.type === 'KeyPress', 5);
      expect(presses.map((e) => e.keysym)).toEqual([0x68, 0x69, 0xe9, 0xff08, 0xff0d]);
      // What was typed went to the desktop, not into the field.
      expect(await page.getByLabel('On-screen keyboard').inputValue()).toBe('');
      await keyboard.tap();
      await expect.poll(() => keyboard.getAttribute('aria-pressed')).toBe('false');
    } finally {
      await log.close();
      await page.context().close();
    }
  }, 40_000);

  it('logs in with VNC Authentication from a page that is not a secure context (RSA-AES needs one)', async () => {
    const { page } = await newPage();
    try {
      await logIn(page, `http://${PLAIN_HOST}:${port}/viewer`, { trust: false });
      expect(await page.evaluate('window.isSecureContext')).toBe(false);
      expect(await waitForDesktop(page, desk.painter.expected)).toBe(0);
      // The viewer in the secure page (still connected) came in with RSA-AES; this one with VNC Authentication.
      const types = (await desk.service.control!.listClients()).map((c) => [c.security, c.transport]);
      expect(types).toEqual(expect.arrayContaining([['ra2ne', 'websocket'], ['vnc', 'websocket']]));
    } finally {
      await page.context().close();
    }
  }, 30_000);

  it('passes an invitation from the address to the WebSocket and takes it out of the address bar', async () => {
    const { page } = await newPage();
    try {
      const socket = page.waitForEvent('websocket');
      await page.goto(`http://127.0.0.1:${port}/viewer#invite=abc%2B123`);
      expect((await socket).url()).toBe(`ws://127.0.0.1:${port}/websockify?invite=abc%2B123`);
      expect(page.url()).toBe(`http://127.0.0.1:${port}/viewer`);
    } finally {
      await page.context().close();
    }
  }, 20_000);

  it('comes back by itself after the network drops, and stays away when the server disconnects it', async () => {
    await main.context.close();
    const hop = await relay(port);
    const { page } = await newPage();
    try {
      await logIn(page, `http://127.0.0.1:${hop.port}/viewer`);
      expect(hop.cut()).toBeGreaterThan(0);
      await expect.poll(() => statusOf(page), { timeout: 5000 }).toMatch(/^Disconnected: the connection was lost\. Reconnecting in \d s \(try 1 of 6\)$/);
      // The password and the key were given once: no question this time.
      await expect.poll(() => statusOf(page), { timeout: 10_000 }).toMatch(/^Connected/);
      expect(await page.getByRole('dialog').count()).toBe(0);
      expect(await waitForDesktop(page, desk.painter.expected)).toBe(0);

      const ours = (await desk.service.control!.listClients()).filter((c) => hop.localPorts().some((p) => c.address.endsWith(`:${p}`)));
      expect(ours).toHaveLength(1);
      desk.service.control!.disconnectClient(ours[0]!.id);
      await expect.poll(() => statusOf(page), { timeout: 5000 }).toBe('Disconnected: the server closed the connection');
      await new Promise((r) => setTimeout(r, 2500));
      expect(await statusOf(page)).toBe('Disconnected: the server closed the connection');
      expect((await desk.service.control!.listClients()).filter((c) => c.id === ours[0]!.id)).toEqual([]);
      expect(hop.localPorts()).toEqual([]);
      // Connect starts over.
      await page.getByRole('button', { name: 'Connect' }).click();
      await expect.poll(() => statusOf(page), { timeout: 10_000 }).toMatch(/^Connected/);
    } finally {
      await page.context().close();
      await hop.close();
    }
  }, 60_000);
});
