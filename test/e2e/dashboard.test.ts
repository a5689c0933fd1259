import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createControlClient, webSocketTransport, type ControlClient, type WebSocketConstructor } from '../../src/renderer/api/control-client.js';
import { DesktopPainter } from '../support/desktop-image.js';
import { startRefClient, type RefClient } from '../support/libvncclient.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/novnc-browser.js';
import { startXvfb, type XvfbHandle } from '../support/xvfb.js';

/**
 * The headless dashboard as a person uses it: `trayvnc serve --http-port`
 * sharing an Xvfb desktop that keeps changing, the printed address opened in
 * Chromium, elements found by role and label, and a real VNC client
 * (libvncclient) as the viewer being watched and dropped.
 *
 * Screenshots of every page, light and dark, at 800×600, and of the
 * Settings page's screen source, are written to test-artifacts/screenshots/
 * (see the README).
 */

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'main', 'cli.js');
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const PAGES = ['Clients', 'Metrics', 'Settings'] as const;
/** This file's own config folder: the Settings page saves into it (never the user's, nor another test's). */
const CONFIG_HOME = mkdtempSync(join(tmpdir(), 'trayvnc-dashboard-config-'));
const CONFIG_FILE = join(CONFIG_HOME, 'trayvnc', 'config.json');

interface Served {
  child: ChildProcess;
  vncPort: number;
  pageUrl: string;
  controlUrl: string;
}

/** Start the CLI and read the addresses it prints. With no display, it runs with no $DISPLAY either. */
async function serve(display: string | null): Promise<Served> {
  const { DISPLAY: _display, ...noDisplay } = process.env;
  const child = spawn(
    process.execPath,
    [CLI, 'serve', ...(display ? ['--display', display] : []), '--host', '127.0.0.1', '--port', '0', '--http-port', '0', '--frame-rate', '30', '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...(display ? process.env : noDisplay), TRAYVNC_DASHBOARD_TOKEN: '', XDG_CONFIG_HOME: CONFIG_HOME } },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise<Served>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the server printed no addresses within 15 s:\n${out}\n${err}`)), 15_000);
    child.on('exit', (code) => reject(new Error(`the server exited (${code}):\n${out}\n${err}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const vnc = /TrayVNC listening on 127\.0\.0\.1:(\d+)/.exec(out);
      const page = /TrayVNC dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      const control = /TrayVNC control API: (ws:\/\/\S+)/.exec(out);
      if (vnc && page && control) {
        clearTimeout(t);
        resolve({ child, vncPort: Number(vnc[1]), pageUrl: page[1]!, controlUrl: control[1]! });
      }
    });
  });
}

/** Keep part of the desktop changing (bounded: stops after `maxMs` or when told). */
function animate(painter: DesktopPainter, maxMs: number): () => Promise<void> {
  let running = true;
  const done = (async () => {
    const end = Date.now() + maxMs;
    for (let i = 0; running && Date.now() < end && i < 100_000; i++) {
      await painter.paintRect({ x: (i * 37) % 600, y: 40 + ((i * 23) % 300), w: 120, h: 80 }, 2 + (i % 5));
      await new Promise((r) => setTimeout(r, 15));
    }
  })();
  return async () => {
    running = false;
    await done;
  };
}

/** Updates a viewer completes per second over `ms`. */
async function updateRate(client: RefClient, ms: number): Promise<number> {
  const before = client.updateCount;
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  return ((client.updateCount - before) * 1000) / (Date.now() - t0);
}

async function openTab(page: Page, name: (typeof PAGES)[number]): Promise<void> {
  await page.getByRole('tab', { name, exact: true }).click();
  await expect.poll(() => page.getByRole('tab', { name, exact: true }).getAttribute('aria-selected'), { timeout: 5000 }).toBe('true');
}

describe('the headless dashboard in a browser', () => {
  let xvfb: XvfbHandle;
  let painter: DesktopPainter;
  let stopAnimation: () => Promise<void>;
  let served: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let control: ControlClient;
  const viewers: RefClient[] = [];

  beforeAll(async () => {
    xvfb = await startXvfb({ width: 1024, height: 768 });
    painter = await DesktopPainter.open(xvfb.display);
    await painter.paintBackground(7);
    stopAnimation = animate(painter, 170_000);
    served = await serve(xvfb.display);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    context = await browser.newContext({ viewport: { width: 800, height: 600 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    control = createControlClient(webSocketTransport(served.controlUrl, { WebSocket: WebSocket as unknown as WebSocketConstructor, timeoutMs: 5000 }));
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    for (const v of viewers) await v.close().catch(() => undefined);
    control?.close();
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (served?.child.exitCode === null) {
      served.child.kill('SIGTERM');
      await new Promise((r) => served.child.once('exit', r));
    }
    await stopAnimation?.();
    await painter?.close();
    await xvfb?.stop();
    rmSync(CONFIG_HOME, { recursive: true, force: true });
  }, 30_000);

  it('refuses the page without its token and opens with it', async () => {
    const base = new URL(served.pageUrl);
    for (const url of [`${base.origin}/`, `${base.origin}/?token=not-the-right-token-at-all`]) {
      const res = await page.goto(url);
      expect(res?.status()).toBe(401);
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('token');
      expect(await page.getByRole('tablist').count()).toBe(0);
    }
    const res = await page.goto(served.pageUrl);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('TrayVNC');
    await expect.poll(() => page.getByRole('status', { name: 'Server status' }).textContent(), { timeout: 10_000 }).toContain(`127.0.0.1:${served.vncPort}`);
    for (const name of PAGES) expect(await page.getByRole('tab', { name, exact: true }).count()).toBe(1);
  });

  it('shows a VNC client within a second of connecting, and Disconnect drops it', async () => {
    await openTab(page, 'Clients');
    const table = page.getByRole('table', { name: 'Connected clients' });
    await expect.poll(() => table.getByRole('columnheader').allTextContents()).toEqual(
      expect.arrayContaining(['Address', 'Connected', 'Encodings', 'Pixel format', 'FPS', 'Bandwidth', 'Sent', 'Control', 'Actions']),
    );
    expect(await page.getByRole('button', { name: /^Disconnect / }).count()).toBe(0);

    const viewer = await startRefClient({ host: '127.0.0.1', port: served.vncPort, format: 'rgb888le', encodings: ['zrle'] });
    viewers.push(viewer);
    await viewer.waitConnected(10_000);
    const connectedAt = Date.now();
    const disconnect = page.getByRole('button', { name: /^Disconnect 127\.0\.0\.1:\d+$/ });
    await disconnect.waitFor({ state: 'visible', timeout: 5000 });
    const shownAfter = Date.now() - connectedAt;
    expect(shownAfter).toBeLessThanOrEqual(1000);

    const [listed] = await control.listClients();
    expect(listed).toBeDefined();
    const row = page.getByRole('row').filter({ hasText: listed!.address });
    expect(await row.count()).toBe(1);
    await expect.poll(() => row.textContent(), { timeout: 5000 }).toContain('ZRLE');
    // The column says what it counts; the cell's tooltip has the figures.
    expect(await table.getByRole('columnheader', { name: 'Encodings' }).getAttribute('title')).toMatch(/since it connected, most bytes first/);
    await expect.poll(() => row.getByRole('cell').nth(2).getAttribute('title'), { timeout: 5000 }).toMatch(/^Sent since connecting: ZRLE: [\d.]+ [KM]?B in \d+ rectangles?/);

    // Allow control off: the server makes the client view-only.
    const allow = page.getByRole('checkbox', { name: `Allow control for ${listed!.address}` });
    expect(await allow.isChecked()).toBe(true);
    await allow.click();
    await expect.poll(async () => (await control.listClients())[0]?.viewOnly, { timeout: 5000 }).toBe(true);
    await expect.poll(() => allow.isChecked(), { timeout: 5000 }).toBe(false);
    await allow.click();
    await expect.poll(async () => (await control.listClients())[0]?.viewOnly, { timeout: 5000 }).toBe(false);

    await page.getByRole('button', { name: `Disconnect ${listed!.address}` }).click();
    // The viewer itself sees the server close its connection.
    await viewer.waitExit(5000);
    await expect.poll(async () => (await control.listClients()).length, { timeout: 5000 }).toBe(0);
    await expect.poll(() => page.getByRole('button', { name: /^Disconnect / }).count(), { timeout: 5000 }).toBe(0);
    await expect.poll(() => page.getByText('No viewers are connected.').isVisible()).toBe(true);
  }, 60_000);

  it('lowers a connected client’s update rate when the frame rate is set to 5', async () => {
    const viewer = await startRefClient({ host: '127.0.0.1', port: served.vncPort, format: 'rgb888le', encodings: ['zrle'] });
    viewers.push(viewer);
    await viewer.waitConnected(10_000);
    await viewer.waitUpdates(5, 10_000);
    const before = await updateRate(viewer, 3000);

    await openTab(page, 'Settings');
    const rate = page.getByLabel('Frame rate', { exact: true });
    expect(await rate.inputValue()).toBe('30');
    await rate.fill('5');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => (await control.getSettings()).frame_rate, { timeout: 5000 }).toBe(5);
    await expect.poll(() => page.getByRole('status').filter({ hasText: /frame/i }).count(), { timeout: 5000 }).toBeGreaterThan(0);
    // The status line says where the change was kept, and it is there.
    await expect.poll(() => page.getByRole('status').filter({ hasText: `Settings saved to ${CONFIG_FILE}.` }).count(), { timeout: 5000 }).toBe(1);
    expect(JSON.parse(readFileSync(CONFIG_FILE, 'utf8'))).toEqual({ frame_rate: 5 });

    await new Promise((r) => setTimeout(r, 500));
    const after = await updateRate(viewer, 4000);
    // At most 5 a second now (one extra for where the window falls), and clearly fewer than before.
    expect(after).toBeLessThanOrEqual(5.5);
    expect(after).toBeGreaterThan(2);
    expect(before).toBeGreaterThan(after * 1.8);

    // Back to 30 for the rest of the suite.
    await rate.fill('30');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => (await control.getSettings()).frame_rate, { timeout: 5000 }).toBe(30);
  }, 60_000);

  it('moves the metrics charts while the desktop changes', async () => {
    await openTab(page, 'Metrics');
    const captions = ['Frames per second', 'Bandwidth', 'Encode time', 'Compression ratio'];
    for (const name of captions) await page.getByRole('figure', { name }).waitFor({ state: 'visible' });
    const chart = page.getByRole('figure', { name: 'Frames per second' }).locator('canvas').first();
    await new Promise((r) => setTimeout(r, 2500));
    const first = await chart.screenshot();
    const bw1 = await page.getByRole('figure', { name: 'Bandwidth' }).locator('canvas').first().screenshot();
    await new Promise((r) => setTimeout(r, 3000));
    const second = await chart.screenshot();
    const bw2 = await page.getByRole('figure', { name: 'Bandwidth' }).locator('canvas').first().screenshot();
    expect(first.equals(second)).toBe(false);
    expect(bw1.equals(bw2)).toBe(false);
    // The current figure is a number, from the viewer watching.
    expect(await page.getByRole('figure', { name: 'Frames per second' }).textContent()).toMatch(/\d+(\.\d+)?\s*fps/);
  }, 30_000);

  it('shows a field error for an invalid port and changes nothing', async () => {
    const settingsBefore = await control.getSettings();
    const stateBefore = await control.getState();
    await openTab(page, 'Settings');
    const port = page.getByLabel('Port', { exact: true });
    await port.fill('70000');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => port.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await port.getAttribute('aria-describedby')) ?? '';
    const described = await Promise.all(describedBy.split(/\s+/).filter(Boolean).map((id) => page.locator(`[id="${id}"]`).textContent()));
    // Named by the label the form shows, not the config key.
    expect(described.join(' ')).toContain('Port must be a whole number from 0 to 65535');
    expect(described.join(' ')).not.toContain('port must');
    await expect.poll(() => page.getByText('Port must be a whole number from 0 to 65535').first().isVisible()).toBe(true);
    expect(await control.getSettings()).toEqual(settingsBefore);
    expect((await control.getState()).restartRequired).toEqual(stateBefore.restartRequired);
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await expect.poll(() => port.inputValue()).toBe(String(settingsBefore.port));
  }, 30_000);

  it('says on the Clients page which screen is shared, and that X11 gives its pixels exactly', async () => {
    await openTab(page, 'Clients');
    const screen = page.locator('.connect-row').filter({ has: page.locator('dt', { hasText: /^Screen$/ }) });
    await expect.poll(() => screen.locator('dd').textContent(), { timeout: 5000 }).toBe(`X display ${xvfb.display} — exact pixels`);
    expect(await screen.isVisible()).toBe(true);
    // Above where viewers connect; the tooltip says why this backend; no warning colours for an exact one.
    expect(await page.locator('.connect-row dt').first().textContent()).toBe('Screen');
    expect(await screen.locator('dd').getAttribute('title')).toBe(`Viewers get the screen's pixels exactly as shown. Chosen because: the settings choose X display ${xvfb.display}.`);
    expect(await screen.locator('.screen-fidelity.warning').count()).toBe(0);
  }, 30_000);

  it('chooses the screen source on the Settings page, explained, saved for the next start', async () => {
    const { systemCapture } = await control.getState();
    await openTab(page, 'Settings');
    const source = page.getByLabel('Screen source', { exact: true });
    await source.scrollIntoViewIfNeeded();
    expect(await source.inputValue()).toBe('');
    expect(await source.locator('option').allTextContents()).toEqual([
      'Automatic (recommended)',
      'X11 display',
      systemCapture === false ? 'System screen capture (tray app only)' : 'System screen capture',
      'Test pattern',
    ]);
    expect(await source.locator('option[value="system-capture"]').isDisabled()).toBe(systemCapture === false);
    // The difference between the choices, and what Automatic shares here, describe the control.
    const described = async () => {
      const ids = ((await source.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
      return (await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()))).join(' ');
    };
    expect(await described()).toContain('X11 gives exact pixels and is the fastest');
    expect(await described()).toContain('colours may be slightly off');
    expect(await described()).toContain('Only the tray app has it.');
    expect(await described()).toContain(`Shares X display ${xvfb.display} (the X display setting).`);

    const shoot = async (name: string) => {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await source.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`) });
      }
      await page.emulateMedia({ colorScheme: 'light' });
    };
    if (systemCapture !== false) {
      // Where the server may not have it, choosing it says so before anything is saved.
      await source.selectOption('system-capture');
      await expect.poll(described).toContain('Only in the tray app: a server started from the command line does not start with it.');
      await shoot('settings-source-system-capture');
    }

    await source.selectOption({ label: 'Test pattern' });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => (await control.getSettings()).source, { timeout: 5000 }).toBe('synthetic');
    // Chosen at start: saved for the next one, said like every setting that waits for a restart.
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Restart TrayVNC to apply: Screen source.' }).count(), { timeout: 5000 }).toBe(1);
    expect((await control.getState()).restartRequired).toContain('source');
    const field = page.locator('.field').filter({ has: source });
    await expect.poll(() => field.getByText('Restart to apply', { exact: true }).isVisible(), { timeout: 5000 }).toBe(true);
    expect(JSON.parse(readFileSync(CONFIG_FILE, 'utf8'))).toMatchObject({ source: 'synthetic' });
    expect((await control.getState()).backend?.kind).toBe('x11');
    await shoot('settings-source');

    // Back to Automatic: the setting goes, and nothing waits for a restart any more.
    await source.selectOption({ label: 'Automatic (recommended)' });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => 'source' in (await control.getSettings()), { timeout: 5000 }).toBe(false);
    await expect.poll(async () => (await control.getState()).restartRequired.includes('source'), { timeout: 5000 }).toBe(false);
    await expect.poll(() => field.getByText('Restart to apply', { exact: true }).count(), { timeout: 5000 }).toBe(0);
    expect(JSON.parse(readFileSync(CONFIG_FILE, 'utf8'))).not.toHaveProperty('source');
  }, 60_000);

  it('labels every control, fits 800×600, and keeps light and dark screenshots of each page', async () => {
    // A viewer, so the Clients page has a row to show.
    const viewer = await startRefClient({ host: '127.0.0.1', port: served.vncPort, format: 'rgb565le', encodings: ['hextile'] });
    viewers.push(viewer);
    await viewer.waitConnected(10_000);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const name of PAGES) {
        await openTab(page, name);
        await new Promise((r) => setTimeout(r, name === 'Metrics' ? 1200 : 300));
        // Controls on screen whose visible label is missing (the page runs this; this file has no DOM types).
        const unlabeled = (await page.evaluate(`[...document.querySelectorAll('input, select, textarea, button')]
          .filter((el) => el.offsetParent !== null)
          .filter((el) => el.tagName === 'BUTTON'
            ? el.innerText.trim() === ''
            : [...(el.labels ?? [])].map((l) => l.innerText.trim()).join('') === '')
          .map((el) => el.outerHTML.slice(0, 120))`)) as string[];
        expect(unlabeled, `${name} (${scheme})`).toEqual([]);
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
        expect(overflow, `${name} (${scheme}) scrolls sideways`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: join(SHOTS, `${name.toLowerCase()}-${scheme}.png`) });
      }
    }
    // The two themes really differ.
    const bg = async (scheme: 'light' | 'dark') => {
      await page.emulateMedia({ colorScheme: scheme });
      return (await page.evaluate('getComputedStyle(document.body).backgroundColor')) as string;
    };
    expect(await bg('light')).not.toBe(await bg('dark'));
  }, 60_000);

  it('says in the header when the synthetic test pattern is shared for want of a display, and not for a real one', async () => {
    expect((await control.getState()).backend).toEqual({ kind: 'x11', display: xvfb.display, reason: `the settings choose X display ${xvfb.display}`, exact: true });
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await page.getByRole('status', { name: 'Server status' }).textContent()).not.toContain('test pattern');

    const headless = await serve(null);
    const other = await context.newPage();
    try {
      await other.goto(headless.pageUrl);
      const status = other.getByRole('status', { name: 'Server status' });
      await expect.poll(() => status.textContent(), { timeout: 10_000 }).toContain(`127.0.0.1:${headless.vncPort}`);
      expect(await status.textContent()).toContain('Sharing the synthetic test pattern: no display found');
      expect(await status.locator('.status-notice.warning').getAttribute('title')).toContain('--display :N');
      // The Clients page says it too, beside where viewers connect, in the warning colours.
      const screen = other.locator('.connect-row').filter({ has: other.locator('dt', { hasText: /^Screen$/ }) });
      await expect.poll(() => screen.locator('.screen-fidelity.warning').textContent(), { timeout: 5000 }).toBe('The synthetic test pattern — no display found');
      const overflow = (await other.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      expect(overflow, 'the header scrolls sideways').toBeLessThanOrEqual(0);
      await other.screenshot({ path: join(SHOTS, 'header-test-pattern-light.png') });
    } finally {
      await other.close();
      if (headless.child.exitCode === null) {
        const exited = new Promise((r) => headless.child.once('exit', r));
        headless.child.kill('SIGTERM');
        await exited;
      }
    }
  }, 60_000);
});
