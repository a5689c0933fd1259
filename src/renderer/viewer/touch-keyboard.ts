import { element } from './dom.js';
import { BACKSPACE, ENTER, keysymsForText, type NamedKey } from './keysyms.js';

/** Sends one key press and release; `code` null for a typed character. */
export type SendKey = (keysym: number, code: string | null) => void;

/**
 * The on-screen keyboard for phones and tablets: the Keyboard button focuses
 * a hidden text field (which is what makes a phone show its keyboard), and
 * whatever is typed there goes to the remote desktop as keysyms; the field
 * itself stays empty. Phone keyboards send characters as input events, often
 * with no usable key code, so the characters are read from the input events;
 * Backspace and Enter also come as key presses from hardware keyboards.
 */
export function attachTouchKeyboard(send: SendKey, enabled: () => boolean): void {
  const input = element('touch-input', HTMLInputElement);
  const button = element('keyboard', HTMLButtonElement);
  const key = (k: NamedKey): void => send(k.keysym, k.code);
  const type = (text: string | null): void => {
    if (!text || !enabled()) return;
    for (const keysym of keysymsForText(text)) send(keysym, null);
  };

  // Pressing the button (or tapping it) must not take the focus first, or the field could never be blurred by it.
  button.addEventListener('mousedown', (e) => e.preventDefault());
  button.addEventListener('click', () => {
    if (document.activeElement === input) input.blur();
    else input.focus({ preventScroll: true });
  });
  input.addEventListener('focus', () => button.setAttribute('aria-pressed', 'true'));
  input.addEventListener('blur', () => button.setAttribute('aria-pressed', 'false'));

  input.addEventListener('keydown', (e) => {
    if (e.isComposing) return;
    if (e.key === 'Backspace' || e.key === 'Enter') {
      e.preventDefault(); // no beforeinput follows: sent once
      if (enabled()) key(e.key === 'Enter' ? ENTER : BACKSPACE);
    }
  });
  input.addEventListener('beforeinput', (e) => {
    switch (e.inputType) {
      case 'insertText':
      case 'insertReplacementText':
        e.preventDefault();
        type(e.data ?? e.dataTransfer?.getData('text/plain') ?? null);
        return;
      case 'insertFromPaste':
      case 'insertFromDrop':
        e.preventDefault();
        type(e.dataTransfer?.getData('text/plain') ?? e.data);
        return;
      case 'insertLineBreak':
      case 'insertParagraph':
        e.preventDefault();
        if (enabled()) key(ENTER);
        return;
      case 'deleteContentBackward':
        e.preventDefault();
        if (enabled()) key(BACKSPACE);
        return;
      default:
        // Composition (Android keyboards, input methods) cannot be cancelled: its text is sent when it ends.
        return;
    }
  });
  input.addEventListener('compositionend', (e) => {
    type(e.data);
    input.value = '';
  });
  input.addEventListener('input', (e) => {
    if (!(e instanceof InputEvent && e.isComposing)) input.value = '';
  });
}
