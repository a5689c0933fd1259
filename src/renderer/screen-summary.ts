import type { CaptureFidelityInfo, ServerState } from '../shared/control-contract.js';

/**
 * What the dashboard says about the screen being shared: which backend it
 * comes from, and whether viewers get its pixels exactly as shown. X11 and
 * the test pattern are exact; the system's screen capture hands over video
 * frames, which may lose colour accuracy, carry the pointer in the picture
 * or be scaled, and that is known only once its first frame is in.
 */
export interface ScreenSummary {
  /** The line itself: "X display :0 — exact pixels". */
  text: string;
  /** The small print under it (how the system capture's frames arrive); absent when there is nothing to add. */
  facts?: string;
  /** The longer story (a tooltip): what the server says about the choice, and why it was made. */
  detail: string;
  /** 'warning': viewers do not get the screen as shown (or get no desktop at all, for want of a display); 'pending': not known yet. */
  tone: 'normal' | 'warning' | 'pending';
}

const size = (s: { width: number; height: number }) => `${s.width}×${s.height}`;

/** How the capture's frames arrive, item by item: "I420, BT.601, limited range", "the pointer is painted into the picture", … */
export function captureFacts(c: CaptureFidelityInfo): string[] {
  const facts = [c.colorConversion ? `${c.pixelFormat}, ${c.colorConversion}` : c.pixelFormat];
  if (c.pointerInFrames) facts.push('the pointer is painted into the picture');
  if (c.scaled) facts.push(`scaled from ${size(c.screenSize)} to ${size(c.frameSize)}`);
  return facts;
}

/** What viewers lose first, in a few words: YUV frames cost colour accuracy, which is what most people notice. */
function captureLoss(c: CaptureFidelityInfo): string {
  if (c.colorConversion) return 'colours may be slightly off';
  if (c.scaled) return `scaled to ${size(c.frameSize)}`;
  if (c.pointerInFrames) return 'the pointer is painted into the picture';
  return 'not pixel-exact';
}

const why = (reason: string) => `Chosen because: ${reason}.`;

export function screenSummary(state: ServerState | null): ScreenSummary | null {
  const backend = state?.running ? state.backend : null;
  if (!backend) return null;
  switch (backend.kind) {
    case 'x11': {
      const display = backend.display ? `X display ${backend.display}` : 'An X display';
      return { text: `${display} — exact pixels`, detail: `Viewers get the screen's pixels exactly as shown. ${why(backend.reason)}`, tone: 'normal' };
    }
    case 'synthetic':
      return backend.warning
        ? { text: 'The synthetic test pattern — no display found', detail: backend.warning, tone: 'warning' }
        : { text: 'The synthetic test pattern — not a desktop', detail: `Viewers see a moving test pattern. ${why(backend.reason)}`, tone: 'normal' };
    case 'system-capture': {
      const c = backend.capture;
      if (!c) {
        return {
          text: "The system's screen capture — whether its pixels are exact is not known yet",
          detail: `How the system delivers its frames (their format, the pointer, their size) is known once the first one is in. ${why(backend.reason)}`,
          tone: 'pending',
        };
      }
      const facts = captureFacts(c).join('; ');
      if (backend.exact) {
        return { text: "The system's screen capture — exact pixels", facts, detail: `Viewers get the screen's pixels exactly as shown. ${why(backend.reason)}`, tone: 'normal' };
      }
      const note = c.note ?? "Shared through the system's screen capture: viewers do not get the screen's pixels exactly.";
      return { text: `The system's screen capture — ${captureLoss(c)}`, facts, detail: `${note} ${why(backend.reason)}`, tone: 'warning' };
    }
    default: {
      const never: never = backend.kind;
      return { text: String(never), detail: backend.reason, tone: 'normal' };
    }
  }
}
