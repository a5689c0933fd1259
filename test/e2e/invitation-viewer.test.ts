import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/novnc-browser.js';

/**
 * An invitation as the two people use it: the one sharing creates it on the
 * dashboard's Clients page (link, Copy, QR code), the other opens the link —
 * the bundled viewer shows the desktop without asking for a password; the
 * same link opened again says it was already used; revoking is a button.
 * Screenshots of the card, light and dark, and of the refused page go to
 * test-artifacts/screenshots/.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');

describe('invitations on the dashboard and in the bundled viewer', () => {
  let desk: DesktopServer;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    desk = await startDesktopServer({ width: 640, height: 480, seed: 17, config: { password: 'secret12', dashboard_port: 0 } });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await desk?.stop();
  });

  const statusOf = (page: Page): Promise<string> => page.getByRole('status', { name: 'Connection status' }).innerText();

  async function waitForStatus(page: Page, re: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let text = '';
    while (Date.now() < deadline) {
      text = await statusOf(page).catch(() => '');
      if (re.test(text)) return text;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`status never matched ${re}: "${text}"`);
  }

  it('is created on the Clients page, lets one browser in without the password, and refuses it the second time', async () => {
    let link = '';
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme });
      try {
        const page = await context.newPage();
        await page.goto(desk.service.dashboard!.pageUrl!);
        await page.getByRole('tab', { name: 'Clients', exact: true }).click();
        const card = page.getByRole('region', { name: 'Invite a viewer' });
        await card.getByLabel('Name').fill(`Visitor ${colorScheme}`);
        await card.getByRole('checkbox', { name: 'View only' }).check();
        await card.getByRole('button', { name: 'Create link' }).click();
        const field = card.getByLabel('Invitation link (shown once)');
        await field.waitFor({ state: 'visible' });
        link = await field.inputValue();
        await card.getByRole('img', { name: 'QR code of the invitation link' }).waitFor({ state: 'visible' });
        await card.getByRole('row', { name: new RegExp(`Visitor ${colorScheme}`) }).waitFor({ state: 'visible' });
        await card.screenshot({ path: join(SHOTS, `invite-card-${colorScheme}.png`) });
      } finally {
        await context.close();
      }
    }
    expect(link).toMatch(/\/viewer#invite=[A-Za-z0-9_-]{43}$/);

    // The person invited: no password asked, the desktop shown, view-only as made.
    const guest = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await guest.newPage();
      await page.goto(link);
      await waitForStatus(page, /^Connected/);
      expect(await page.getByRole('dialog', { name: 'Log in to the desktop' }).isVisible()).toBe(false);
      expect(page.url()).not.toContain('invite=');
      const viewer = desk.service.server.clients.find((c) => c.user === 'Visitor dark (invitation)');
      expect(viewer?.viewOnly).toBe(true);

      // The same link again: a clear refusal, no retrying.
      const again = await guest.newPage();
      await again.goto(link);
      const text = await waitForStatus(again, /already used/);
      expect(text).toMatch(/Ask for a new one/);
      // Said in the middle of the page too, not only in the status line.
      expect(await again.locator('#screen-notice').innerText()).toMatch(/already used/);
      await again.screenshot({ path: join(SHOTS, 'invite-used.png') });
    } finally {
      await guest.close();
    }
  }, 90_000);
});
