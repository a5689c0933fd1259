import { isPage } from './app-paths.js';

/**
 * What our pages may ask the browser for. Electron grants every permission
 * unless told otherwise; these pages need almost none: the capture page needs
 * the screen ('media'), the control window may put an address on the
 * clipboard. Anything else, or any other page, is refused.
 */
export function permissionPolicy(pages: { rendererIndex: string; captureIndex: string }): (permission: string, url: string) => boolean {
  return (permission, url) => {
    if (isPage(url, pages.captureIndex)) return permission === 'media';
    if (isPage(url, pages.rendererIndex)) return permission === 'clipboard-sanitized-write';
    return false;
  };
}
