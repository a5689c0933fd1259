/// <reference path="../../types/novnc-rfb.d.ts" />
import type { RfbCredentials } from '@novnc/novnc';
import { element } from './dom.js';
import { formatFingerprint } from './fingerprint.js';

/**
 * The viewer's two questions, as modal dialogs in the page: the password
 * (and a user name when the security type wants one), and whether the
 * server's RSA key is the one expected. The forms never submit anywhere:
 * their submit event is the answer.
 */
export class Prompts {
  private readonly pending = new Set<() => void>();

  /** Ask for what noVNC needs; null when the user cancels. */
  askCredentials(types: readonly string[]): Promise<RfbCredentials | null> {
    const dialog = element('credentials-dialog', HTMLDialogElement);
    const username = element('username', HTMLInputElement);
    const password = element('password', HTMLInputElement);
    const wantsUser = types.includes('username');
    element('username-row', HTMLDivElement).hidden = !wantsUser;
    username.required = wantsUser;
    password.value = '';
    const ask = this.ask(dialog, element('credentials-form', HTMLFormElement), element('credentials-cancel', HTMLButtonElement), () => {
      const given: RfbCredentials = { password: password.value };
      if (wantsUser) given.username = username.value;
      password.value = '';
      return given;
    });
    (wantsUser && username.value === '' ? username : password).focus();
    return ask;
  }

  /** Show the key's fingerprint and ask whether to go on. */
  askTrust(publicKey: Uint8Array): Promise<boolean> {
    const shown = element('fingerprint', HTMLElement);
    shown.textContent = '…';
    void fingerprintOf(publicKey).then((text) => (shown.textContent = text));
    return this.ask(element('trust-dialog', HTMLDialogElement), element('trust-form', HTMLFormElement), element('trust-cancel', HTMLButtonElement), () => true).then(
      (answer) => answer ?? false,
    );
  }

  /** Close any open question as cancelled (the connection it was for has ended). */
  cancelAll(): void {
    for (const cancel of [...this.pending]) cancel();
  }

  private ask<T>(dialog: HTMLDialogElement, form: HTMLFormElement, cancelButton: HTMLButtonElement, answer: () => T): Promise<T | null> {
    return new Promise((resolve) => {
      const listening = new AbortController();
      const { signal } = listening;
      const finish = (value: T | null): void => {
        listening.abort();
        this.pending.delete(cancel);
        if (dialog.open) dialog.close();
        resolve(value);
      };
      const cancel = (): void => finish(null);
      form.addEventListener(
        'submit',
        (e) => {
          e.preventDefault();
          finish(answer());
        },
        { signal },
      );
      cancelButton.addEventListener('click', cancel, { signal });
      // Escape closes a modal dialog: that is a cancel too.
      dialog.addEventListener(
        'cancel',
        (e) => {
          e.preventDefault();
          cancel();
        },
        { signal },
      );
      this.pending.add(cancel);
      if (!dialog.open) dialog.showModal();
    });
  }
}

/** SHA-1 through WebCrypto, which browsers give only to secure contexts (https, or this computer). */
async function fingerprintOf(publicKey: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return 'not available (open the viewer over https:// to see it)';
  const digest = await subtle.digest('SHA-1', Uint8Array.from(publicKey));
  return formatFingerprint(new Uint8Array(digest));
}
