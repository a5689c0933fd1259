import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliRun } from '../support/cli-process.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/novnc-browser.js';
import { handshake38, type HandshakeOutcome } from '../support/rfb-handshake.js';

/**
 * Attended access as a person at the headless dashboard meets it:
 * `trayvnc serve --accept-prompt`, the printed dashboard address opened in
 * Chromium, two viewers (real RFB clients from two loopback addresses)
 * waiting at once — one accepted, one refused — and what each hears.
 *
 * The prompt's screenshot, light and dark, goes to test-artifacts/screenshots/.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const STATE = mkdtempSync(join(tmpdir(), 'trayvnc-approval-state-'));
const AUDIT = join(STATE, 'audit.jsonl');

describe('the accept prompt on the dashboard', () => {
  let cli: CliRun;
  let vncPort: number;
  let pageUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    cli = startCli(
      ['serve', '--source', 'synthetic', '--size', '640x400', '--host', '127.0.0.1', '--port', '0', '--http-port', '0', '--accept-prompt', '--accept-timeout', '60', '--audit-file', AUDIT, '--log-level', 'warn'],
      { TRAYVNC_DASHBOARD_TOKEN: '' },
    );
    vncPort = Number((await cli.waitFor(/TrayVNC listening on 127\.0\.0\.1:(\d+)/, 15_000)).match[1]);
    pageUrl = (await cli.waitFor(/TrayVNC dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/, 15_000)).match[1]!;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    const context = await browser.newContext({ viewport: { width: 800, height: 600 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await cli?.stop();
    rmSync(STATE, { recursive: true, force: true });
  }, 30_000);

  it('shows the attended-access settings it was started with on the Settings page', async () => {
    await page.goto(pageUrl);
    await page.getByRole('tab', { name: 'Settings', exact: true }).click();
    const group = page.getByRole('group', { name: 'Attended access' });
    await group.waitFor({ state: 'visible' });
    expect(await page.getByLabel('Ask before accepting', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel('Answer within', { exact: true }).inputValue()).toBe('60');
    expect(await page.getByLabel('When nobody answers', { exact: true }).inputValue()).toBe('refuse');
    // Tall enough that the group is clear of the form's sticky buttons.
    await page.setViewportSize({ width: 800, height: 1400 });
    await group.screenshot({ path: join(SHOTS, 'settings-attended-access-light.png') });
    await page.setViewportSize({ width: 800, height: 600 });
    await page.getByRole('tab', { name: 'Clients', exact: true }).click();
  });

  it('shows each waiting viewer with a countdown; Accept lets one in, Refuse keeps the other out with its reason', async () => {
    await expect.poll(() => page.getByRole('status', { name: 'Server status' }).textContent(), { timeout: 10_000 }).toContain(`127.0.0.1:${vncPort}`);

    const outcomes: Record<string, Promise<HandshakeOutcome>> = {
      '127.0.0.2': handshake38(vncPort, { from: '127.0.0.2', resultTimeoutMs: 30_000 }),
      '127.0.0.3': handshake38(vncPort, { from: '127.0.0.3', resultTimeoutMs: 30_000 }),
    };
    const prompt = (ip: string) => page.getByRole('alertdialog', { name: new RegExp(`^${ip.replace(/\./g, '\\.')}:\\d+ wants to connect$`) });
    for (const ip of Object.keys(outcomes)) await prompt(ip).waitFor({ state: 'visible', timeout: 10_000 });

    const first = prompt('127.0.0.2');
    expect(await first.getByText('Authenticated with no password; asks to see and control your screen.').isVisible()).toBe(true);
    for (const name of ['Accept', 'Accept view-only', 'Refuse']) expect(await first.getByRole('button', { name, exact: true }).isVisible()).toBe(true);
    // The countdown runs.
    const countdown = first.getByText(/^Refused in \d+ s if nobody answers$/);
    const secondsShown = async () => Number(/in (\d+) s/.exec((await countdown.textContent()) ?? '')?.[1]);
    const before = await secondsShown();
    expect(before).toBeGreaterThan(50);
    expect(before).toBeLessThanOrEqual(60);
    await expect.poll(secondsShown, { timeout: 5000 }).toBeLessThan(before);

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      expect(overflow, `the prompts scroll sideways (${scheme})`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SHOTS, `accept-prompt-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });

    await first.getByRole('button', { name: 'Accept', exact: true }).click();
    await prompt('127.0.0.3').getByRole('button', { name: 'Refuse', exact: true }).click();
    const accepted = await outcomes['127.0.0.2']!;
    const refused = await outcomes['127.0.0.3']!;
    expect(accepted.ok).toBe(true);
    expect(refused).toMatchObject({ ok: false, reason: 'The connection was refused at the desktop' });
    // Both prompts go away; the accepted viewer is on the Clients page.
    await expect.poll(() => page.getByRole('alertdialog').count(), { timeout: 5000 }).toBe(0);
    await page.getByRole('tab', { name: 'Clients', exact: true }).click();
    await page.getByRole('button', { name: /^Disconnect 127\.0\.0\.2:\d+$/ }).waitFor({ state: 'visible', timeout: 5000 });
    expect(await page.getByRole('button', { name: /^Disconnect 127\.0\.0\.3:/ }).count()).toBe(0);
    accepted.sock.destroy();
    refused.sock.destroy();

    // The audit trail names the dashboard as who let the one in and kept the other out.
    await cli.stop();
    const lines = readFileSync(AUDIT, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l['event'] === 'connected' && l['ip'] === '127.0.0.2')).toMatchObject({ acceptedBy: 'person', acceptor: expect.stringMatching(/^the dashboard/) });
    expect(lines.find((l) => l['event'] === 'refused' && l['ip'] === '127.0.0.3')).toMatchObject({ refusedBy: 'person', refuser: expect.stringMatching(/^the dashboard/) });
  }, 90_000);
});
