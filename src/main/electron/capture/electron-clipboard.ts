import type { ClipboardBackend, Selection } from '../../desktop/input.js';

/**
 * The desktop clipboard through Electron, where the X11 backend is not in
 * use. Electron has no clipboard-changed event, so the text is read every
 * `intervalMs` and compared with the last one seen (including our own
 * writes, so a viewer's text is not echoed back to it).
 */
export class PolledClipboard implements ClipboardBackend {
  readonly name = 'electron-clipboard';
  private last: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private readonly listeners: Array<(text: string, selection: Selection) => void> = [];

  constructor(
    private readonly clipboard: { readText(): Promise<string>; writeText(text: string): Promise<void> },
    private readonly intervalMs = 500,
  ) {}

  async start(): Promise<void> {
    // What is on the clipboard already is not news.
    this.last = await this.clipboard.readText();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  onChange(listener: (text: string, selection: Selection) => void): void {
    this.listeners.push(listener);
  }

  /** Read the clipboard once and report a change (the timer calls this). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const text = await this.clipboard.readText();
      if (text === this.last) return;
      this.last = text;
      if (text !== '') for (const l of this.listeners) l(text, 'clipboard');
    } catch {
      // Another program may hold the clipboard for a moment; the next poll will see it.
    } finally {
      this.polling = false;
    }
  }

  async write(text: string, selection?: Selection): Promise<void> {
    if (selection === 'primary') return; // only X11 has a primary selection
    this.last = text;
    await this.clipboard.writeText(text);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
